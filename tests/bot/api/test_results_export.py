"""The aggregate export through the API: the counts of `getResults` as a CSV (byte order mark
first) or an XLSX file, for every role that reads results — a viewer too — count for count the
same as the JSON (the same suppression), with the survey's texts in the chosen language, and
never a participant's words or pseudonym. Opened as a spreadsheet user's app would."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.access.roles import Role
from bot.api.audit import AuditAction
from tests.bot.api import CAMPAIGN_B, CAMPAIGNS, ORG_A, STORY, World, api_world
from tests.kit.sheets import about

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULTS = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/results"
Key = tuple[str, str, str]  # question, row, group


@pytest.fixture
async def world(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """Four respondents and a minimum of 2: some counts shown, some withheld."""
    async with api_world(redis_url, tmp_path, monkeypatch, SAUTI_PRIVACY_MIN_CELL="2") as value:
        yield value


def _expected(results: dict[str, Any]) -> dict[Key, int | None]:
    """Every count of getResults' JSON, by question, row and group."""
    by = results["by"] is not None
    everyone = "(all)" if by else ""
    counts: dict[Key, int | None] = {
        ("(campaign)", "(started)", everyone): results["started"],
        ("(campaign)", "(completed)", everyone): results["completed"],
    }
    for question in results["questions"]:
        qid = question["question_id"]
        for option in question["options"]:
            counts[(qid, option["option_id"], everyone)] = option["count"]
        for status in ("answered", "skipped", "declined"):
            counts[(qid, f"({status})", everyone)] = question[status]
        table = question["breakdown"]
        if table is None:
            continue
        rows = table["rows"] if question["options"] else [f"({row})" for row in table["rows"]]
        for row, cells, row_total in zip(rows, table["cells"], table["row_totals"], strict=True):
            for column, cell in zip(table["columns"], cells, strict=True):
                counts[(qid, row, column)] = cell
            counts[(qid, row, "(total)")] = row_total
        for column, total in zip(table["columns"], table["column_totals"], strict=True):
            counts[(qid, "(total)", column)] = total
        counts[(qid, "(total)", "(total)")] = table["total"]
    return counts


def _exported(rows: list[dict[str, Any]], minimum: int) -> dict[Key, int | None]:
    counts: dict[Key, int | None] = {}
    for row in rows:
        key = (row["question_id"], row["option_id"], row.get("group") or "")
        assert key not in counts
        shown = row["count"]
        counts[key] = None if shown == f"<{minimum}" else int(shown)
    return counts


async def _download(world: World, query: str, role: Role = Role.VIEWER) -> bytes:
    response = await world.call("GET", f"{RESULTS}/export?{query}", token=world.token(ORG_A, role))
    assert response.status == 200, await response.text()
    return await response.read()


@pytest.mark.parametrize("by", [None, "language", "unsafe"])
async def test_a_viewers_csv_holds_the_very_counts_of_get_results(
    world: World, by: str | None
) -> None:
    query = f"&by={by}" if by else ""
    body = await _download(world, f"format=csv{query}")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    results = await world.get(f"{RESULTS}?{query}", world.token(ORG_A, Role.VIEWER))
    expected = _expected(results)
    assert _exported(rows, 2) == expected
    assert None in expected.values()  # some withheld (shown as <2), and
    assert {count for count in expected.values() if count} != set()  # some shown


async def test_the_csv_labels_in_the_chosen_language_and_gives_shares(world: World) -> None:
    body = await _download(world, "format=csv&language=sw")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    [sms] = [row for row in rows if (row["question_id"], row["option_id"]) == ("uses", "sms")]
    assert sms["question"].startswith("Unatumia laini yako")
    assert sms["option"] == "Ujumbe mfupi (SMS)"
    assert (sms["count"], sms["share"]) == ("4", "1.0000")  # all four who answered
    [yes] = [row for row in rows if (row["question_id"], row["option_id"]) == ("unsafe", "yes")]
    assert yes["option"] == "Ndiyo"
    assert yes["count"] == "<2"
    assert yes["share"] == ""


async def test_the_xlsx_has_numbers_withheld_cells_and_no_personal_data(world: World) -> None:
    response = await world.call(
        "GET", f"{RESULTS}/export?format=xlsx&by=language", token=world.token(ORG_A, Role.VIEWER)
    )
    assert response.status == 200
    assert response.headers["Content-Type"] == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{CAMPAIGNS[ORG_A]}-results-by-language.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(await response.read()))
    assert book.sheetnames == ["Results", "About"]
    sheet = book["Results"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header == (
        "question_id", "question", "option_id", "option", "group", "group_label", "count", "share"
    )  # fmt: skip
    records = [dict(zip(header, row, strict=True)) for row in rows]
    [sms] = [
        r
        for r in records
        if (r["question_id"], r["option_id"], r["group"]) == ("uses", "sms", "en")
    ]
    assert (sms["count"], sms["share"]) == (4, 1.0)  # numbers, not text
    assert sheet.cell(row=rows.index(tuple(sms.values())) + 2, column=8).number_format == "0.00%"
    assert "<2" in [r["count"] for r in records]
    results = await world.get(f"{RESULTS}?by=language", world.token(ORG_A, Role.VIEWER))
    as_text = [{**r, "count": str(r["count"]), "group": r["group"] or ""} for r in records]
    assert _exported(as_text, 2) == _expected(results)
    told = about(book["About"])
    assert told["Exported by"] == "viewer"
    assert told["Breakdown"] == "language"
    assert told["Small cells"].startswith("A count below 2 is withheld and shown as <2")
    everything = {str(c) for s in book for row in s.iter_rows(values_only=True) for c in row}
    pseudonyms = await world.get(f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/responses")
    assert not {item["participant"] for item in pseudonyms["items"]} & everything
    assert not [cell for cell in everything if STORY[ORG_A] in cell]


async def test_the_export_is_audited_as_an_aggregate_with_its_count_of_questions(
    world: World,
) -> None:
    await _download(world, "format=xlsx&by=unsafe", Role.ANALYST)
    [entry] = world.audit.entries
    assert entry.action is AuditAction.RESULTS_EXPORTED
    assert (entry.target, entry.count) == (f"campaign:{CAMPAIGNS[ORG_A]}", 12)
    assert entry.details == {"format": "xlsx", "to": "api", "by": "unsafe"}


async def test_another_organisations_campaign_is_not_found_and_a_bad_request_is_clear(
    world: World,
) -> None:
    viewer = world.token(ORG_A, Role.VIEWER)
    theirs = await world.call("GET", f"/api/v1/campaigns/{CAMPAIGN_B}/results/export", token=viewer)
    missing = await world.call("GET", "/api/v1/campaigns/nothing/results/export", token=viewer)
    assert (theirs.status, missing.status) == (404, 404)
    assert await theirs.json() == await missing.json()
    for query, location in (("by=nonsense", "query.by"), ("language=zu", "query.language")):
        refused = await world.call("GET", f"{RESULTS}/export?{query}", token=viewer)
        assert refused.status == 422
        assert [e["location"] for e in (await refused.json())["errors"]] == [location]
    unknown = await world.call("GET", f"{RESULTS}/export?format=pdf", token=viewer)
    assert unknown.status == 422
    assert world.audit.entries == []
