"""The exports page over HTTP: each role sees what it may download — the aggregate results for
everyone who reads results, every response (with its warning) only for a role that may export
them — and the download links stream the very files of the API's operations, refused and
audited as the API refuses and audits them."""

from __future__ import annotations

import io

import openpyxl

from bot.access.roles import Role
from bot.api.audit import AuditAction
from tests.bot.api import CAMPAIGN_B, CAMPAIGNS, ORG_A, World, email
from tests.console import signed_in
from tests.kit.sheets import about, records

PAGE = f"/console/campaigns/{CAMPAIGNS[ORG_A]}/exports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_an_analyst_sees_both_exports_and_the_personal_data_warning(world: World) -> None:
    analyst = await signed_in(world, Role.ANALYST)
    page = await analyst.page(PAGE)
    assert f'action="{PAGE}/results"' in page
    assert f'action="{PAGE}/responses"' in page
    assert "These files hold personal data." in page
    assert "recorded in the organisation's audit log" in page
    assert '<option value="sw">Swahili (sw)</option>' in page
    assert '<option value="unsafe">By answer to: Have you ever felt unsafe' in page
    overview = await analyst.page(f"/console/campaigns/{CAMPAIGNS[ORG_A]}")
    assert f'href="{PAGE}"' in overview


async def test_a_viewer_sees_only_the_aggregate_export_and_is_refused_the_other(
    world: World,
) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    page = await viewer.page(PAGE)
    assert f'action="{PAGE}/results"' in page
    assert "/responses" not in page
    assert "These files hold personal data." not in page
    assert "Your role may download aggregate results." in page
    refused = await viewer.page(f"{PAGE}/responses?format=csv", status=403)
    assert "does not allow this" in refused
    assert world.audit.entries == []


async def test_the_results_download_is_the_apis_file_and_is_audited(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    response = await viewer.get(f"{PAGE}/results?format=csv&by=language&language=fr")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith('-results-by-language.csv"')
    assert response.headers["X-Frame-Options"] == "DENY"
    from_page = await response.read()
    assert from_page.startswith(b"\xef\xbb\xbf")
    api = await world.call(
        "GET",
        f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/results/export?format=csv&by=language&language=fr",
        token=world.token(ORG_A, Role.VIEWER),
    )
    assert from_page == await api.read()
    first, second = world.audit.entries
    assert (first.action, first.actor) == (
        AuditAction.RESULTS_EXPORTED,
        f"staff:{email(ORG_A, Role.VIEWER)}",
    )
    # The audit log tells a download from a console page from one over the API.
    assert (first.details["to"], second.details["to"]) == ("console", "api")
    empty_by = await viewer.get(f"{PAGE}/results?format=xlsx&by=&language=en")
    assert empty_by.headers["Content-Type"] == XLSX  # "no breakdown" is no `by`


async def test_an_analyst_downloads_every_response_as_xlsx_recorded_by_name(world: World) -> None:
    analyst = await signed_in(world, Role.ANALYST)
    response = await analyst.get(f"{PAGE}/responses?format=xlsx&language=sw")
    assert response.status == 200
    assert response.headers["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(await response.read()))
    rows = records(book["Responses"])
    assert {row["uses_label"] for row in rows} == {"Ujumbe mfupi (SMS)"}
    told = about(book["About"])
    assert (told["Exported by"], told["Respondents"]) == ("analyst", len(rows))
    [entry] = world.audit.entries
    assert (entry.action, entry.actor, entry.count) == (
        AuditAction.EXPORT_CREATED,
        f"staff:{email(ORG_A, Role.ANALYST)}",
        len(rows),
    )
    assert entry.details == {"format": "xlsx", "to": "console"}


async def test_another_organisations_campaign_and_bad_choices_are_pages(world: World) -> None:
    analyst = await signed_in(world, Role.ANALYST)
    theirs = f"/console/campaigns/{CAMPAIGN_B}/exports"
    for path in (theirs, f"{theirs}/results?format=csv", f"{theirs}/responses?format=csv"):
        assert "belongs to another organisation" in await analyst.page(path, status=404)
    wrong = await analyst.page(f"{PAGE}/results?format=csv&by=nonsense", status=422)
    assert "Breakdown: The campaign keeps no breakdown named “nonsense”." in wrong
    assert "<!doctype html>" in wrong
    assert world.audit.entries == []
