"""Exports through the API: the CSV, XLSX and JSON files the command line writes, streamed, every
respondent once by the organisation's pseudonym and never by the internal id, choices labelled
in the campaign's language or another, a byte order mark on CSV, formula cells neutralised in
CSV and XLSX, audited with the rows sent — also when the client goes away halfway — and one
export at a time per organisation. The files are opened as a spreadsheet user's app would:
the CSV with the csv module, the XLSX with openpyxl."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import openpyxl
import pytest
from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.api.audit import AuditAction
from bot.api.operations import exports
from bot.records import export_files
from bot.records.export import Respondent, respondents
from tests.bot.api import (
    BOTH,
    CAMPAIGN_B,
    CAMPAIGNS,
    ONLY_A,
    ORG_A,
    STORY,
    Recorded,
    World,
    answer,
)
from tests.kit.sheets import about, records

FORMULA = '=HYPERLINK("http://evil.example","click")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = b"\xef\xbb\xbf"


def _export(org: str = ORG_A, chosen: str = "csv", more: str = "") -> str:
    return f"/api/v1/campaigns/{CAMPAIGNS[org]}/export?format={chosen}{more}"


async def _csv(response: ClientResponse) -> list[dict[str, str]]:
    """The rows of a CSV download, which starts with a byte order mark."""
    body = await response.read()
    assert body.startswith(BOM)
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


async def _workbook(response: ClientResponse) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(await response.read()))


def _internal_ids(world: World) -> list[str]:
    return [world.deployment.participant(user) for user in (BOTH, *ONLY_A)]


async def _pseudonyms(world: World) -> list[str]:
    page = await world.get(f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/responses")
    return sorted(item["participant"] for item in page["items"])


def _exported(world: World) -> list[Recorded]:
    return [e for e in world.audit.entries if e.action is AuditAction.EXPORT_CREATED]


async def test_the_csv_names_every_respondent_once_by_pseudonym(world: World) -> None:
    token = world.token(ORG_A, Role.ANALYST)
    response = await world.call("GET", _export(), token=token)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="{CAMPAIGNS[ORG_A]}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = await _csv(response)
    text = "\n".join(",".join(row.values()) for row in rows)
    assert sorted(row["participant"] for row in rows) == await _pseudonyms(world)
    assert [row["unsafe_what"] for row in rows if row["unsafe_what"]] == [STORY[ORG_A]]
    assert not [pid for pid in _internal_ids(world) if pid in text]
    [entry] = _exported(world)
    assert (entry.org, entry.actor, entry.target, entry.count) == (
        ORG_A,
        f"token:{token.split('_')[1]}",
        f"campaign:{CAMPAIGNS[ORG_A]}",
        1 + len(ONLY_A),
    )
    assert entry.details == {"format": "csv", "to": "api"}


async def test_the_json_names_every_respondent_once_by_pseudonym(world: World) -> None:
    response = await world.call("GET", _export(chosen="json"), token=world.token())
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    text = await response.text()
    respondents: list[dict[str, Any]] = json.loads(text)
    assert sorted(item["participant"] for item in respondents) == await _pseudonyms(world)
    [story] = [r["answers"]["unsafe_what"] for r in respondents if r["answers"]["unsafe_what"]]
    assert story == {"outcome": "answered", "value": STORY[ORG_A]}
    assert not [pid for pid in _internal_ids(world) if pid in text]
    [entry] = _exported(world)
    assert (entry.count, entry.details["format"]) == (1 + len(ONLY_A), "json")


async def test_csv_cells_a_spreadsheet_would_run_are_neutralised(world: World) -> None:
    deployment = world.deployment
    await answer(deployment, deployment.participant("tok-mallory-66"), CAMPAIGNS[ORG_A], FORMULA)
    response = await world.call("GET", _export(), token=world.token())
    rows = await _csv(response)
    stories = sorted(row["unsafe_what"] for row in rows if row["unsafe_what"])
    assert stories == sorted([STORY[ORG_A], "'" + FORMULA])


async def test_a_viewer_cannot_export_and_another_organisation_is_not_found(world: World) -> None:
    viewer = await world.call("GET", _export(), token=world.token(ORG_A, Role.VIEWER))
    assert viewer.status == 403
    theirs = await world.call(
        "GET", f"/api/v1/campaigns/{CAMPAIGN_B}/export", token=world.token(ORG_A)
    )
    missing = await world.call("GET", "/api/v1/campaigns/nothing/export", token=world.token())
    assert (theirs.status, missing.status) == (404, 404)
    assert await theirs.json() == await missing.json()
    assert world.audit.entries == []


async def test_a_client_gone_halfway_is_recorded_with_what_it_got_one_export_at_a_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = asyncio.Event()
    walk = respondents  # the real walk, which the export calls by this name

    def held_after_two(*args: Any, **kwargs: Any) -> AsyncIterator[Respondent]:
        """The real walk, held before its third respondent until the test lets it go on."""

        async def rows() -> AsyncIterator[Respondent]:
            read = 0
            async for row in walk(*args, **kwargs):
                if read == 2:
                    await gate.wait()
                read += 1
                yield row

        return rows()

    monkeypatch.setattr(exports, "respondents", held_after_two)
    monkeypatch.setattr(exports, "BLOCK_CHARS", 1)  # a row a write
    token = world.token(ORG_A, Role.ANALYST)
    first = await world.call("GET", _export(), token=token)
    lines = [await first.content.readline() for _ in range(3)]  # the header and two rows
    assert all(line.endswith(b"\r\n") for line in lines)

    second = await world.call("GET", _export(), token=world.token(ORG_A, Role.ADMIN))
    assert second.status == 429
    assert second.headers["Retry-After"] == str(exports.RETRY_SECONDS)
    assert (await second.json())["type"].endswith("/rate-limited")

    first.close()  # the client goes away
    await asyncio.sleep(0.2)
    gate.set()
    for _ in range(100):
        if _exported(world):
            break
        await asyncio.sleep(0.02)
    [entry] = _exported(world)
    assert entry.count == 2

    third = await world.call("GET", _export(), token=token)
    assert third.status == 200
    assert len(await _csv(third)) == 1 + len(ONLY_A)
    assert [entry.count for entry in _exported(world)] == [2, 1 + len(ONLY_A)]


async def test_choices_carry_their_labels_in_the_campaigns_first_language_or_another(
    world: World,
) -> None:
    rows = await _csv(await world.call("GET", _export(), token=world.token()))
    assert {(row["uses"], row["uses_label"]) for row in rows} == {("sms", "Text messages")}
    [amina] = [row for row in rows if row["unsafe_what"]]
    assert (amina["unsafe"], amina["unsafe_label"]) == ("yes", "Yes")
    assert "unsafe_what_label" not in amina  # words have no label
    arabic = await _csv(await world.call("GET", _export(more="&language=ar"), token=world.token()))
    assert {row["uses_label"] for row in arabic} == {"الرسائل النصية"}
    bare = await _csv(await world.call("GET", _export(more="&labels=false"), token=world.token()))
    assert "uses_label" not in bare[0]


async def test_a_language_the_campaign_lacks_is_refused_and_nothing_is_exported(
    world: World,
) -> None:
    response = await world.call("GET", _export(more="&language=zu"), token=world.token())
    assert response.status == 422
    problem = await response.json()
    assert [error["location"] for error in problem["errors"]] == ["query.language"]
    assert "en, fr, ar, sw" in problem["errors"][0]["message"]
    assert _exported(world) == []
    again = await world.call("GET", _export(), token=world.token())
    assert again.status == 200  # the refusal held no export lease


async def test_the_xlsx_opens_with_labels_inert_formulas_and_an_about_sheet(world: World) -> None:
    deployment = world.deployment
    await answer(deployment, deployment.participant("tok-mallory-66"), CAMPAIGNS[ORG_A], FORMULA)
    token = world.token(ORG_A, Role.ANALYST)
    response = await world.call("GET", _export(chosen="xlsx", more="&language=fr"), token=token)
    assert response.status == 200
    assert response.headers["Content-Type"] == XLSX
    assert response.headers["Content-Disposition"].endswith(f'filename="{CAMPAIGNS[ORG_A]}.xlsx"')
    book = await _workbook(response)
    assert book.sheetnames == ["Responses", "About"]
    responses = book["Responses"]
    rows = records(responses)
    assert sorted(row["participant"] for row in rows) == await _pseudonyms(world)
    assert {row["uses_label"] for row in rows} == {"SMS"}  # in French
    stories = sorted(row["unsafe_what"] for row in rows if row["unsafe_what"])
    assert stories == sorted([STORY[ORG_A], FORMULA])  # as typed, no apostrophe to see
    # The formula is text to the spreadsheet, never a formula cell, and stays text once edited.
    assert {cell.data_type for row in responses.iter_rows() for cell in row} <= {"s", "n"}
    typed = [cell for row in responses.iter_rows() for cell in row if cell.value == FORMULA]
    assert [cell.quotePrefix for cell in typed] == [True]
    told = about(book["About"])
    assert told["Exported by"] == "analyst"  # the role, never the person
    assert told["Respondents"] == len(rows)
    assert told["Labels"] == "fr"
    assert "personal data" in told["Personal data"]
    assert "below 5" in told["Small cells"]
    everything = [
        cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    ]
    assert not [cell for cell in everything if isinstance(cell, str) and "@" in cell]
    assert not [pid for pid in _internal_ids(world) if pid in map(str, everything)]
    [entry] = _exported(world)
    assert (entry.count, entry.details) == (len(rows), {"format": "xlsx", "to": "api"})


async def test_respondents_past_a_sheets_last_row_are_said_left_out_and_not_audited(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet holds 1,048,576 rows; here a limit of one respondent stands in for it."""
    everyone = len(await _pseudonyms(world))
    assert everyone >= 2
    monkeypatch.setattr(export_files, "XLSX_MAX_RESPONDENTS", 1)
    token = world.token(ORG_A, Role.ANALYST)
    response = await world.call("GET", _export(chosen="xlsx"), token=token)
    assert response.status == 200
    book = await _workbook(response)
    assert len(records(book["Responses"])) == 1
    told = about(book["About"])
    assert told["Respondents"] == 1
    assert told["Left out"].startswith(f"{everyone - 1} more respondents")
    assert "CSV or JSON" in told["Left out"]
    [entry] = _exported(world)
    assert entry.count == 1  # what the file holds


async def test_the_api_document_names_every_format_the_export_gives(world: World) -> None:
    document = await world.get("/api/v1/openapi.json")
    operation = document["paths"]["/campaigns/{campaign_id}/export"]["get"]
    given = set(operation["responses"]["200"]["content"])
    assert given == set(exports.MEDIA_TYPES.values())
    for name in ("CSV", "XLSX", "JSON"):
        assert name in operation["summary"]


async def test_a_viewer_cannot_export_responses_in_any_format(world: World) -> None:
    for chosen in ("csv", "xlsx", "json"):
        response = await world.call(
            "GET", _export(chosen=chosen), token=world.token(ORG_A, Role.VIEWER)
        )
        assert response.status == 403
    assert world.audit.entries == []
