"""`sauti campaign results`: per-question counts as tables, small cells shown as "<5"; and
`sauti campaign results-export`, the same counts as a CSV or XLSX file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from bot.access.organisations import DEFAULT_ORG
from bot.audit.entry import AuditAction
from bot.conversation.inbound import Join
from tests.bot.commands import Deployment, sauti
from tests.kit.example import CAMPAIGN
from tests.kit.sheets import about


async def _answer_uses(deployment: Deployment, crowd: dict[str, tuple[str, str]]) -> None:
    """Each person joins in a language and answers the first question ("uses")."""
    pids = {}
    for name, (language, _) in crowd.items():
        pids[name] = deployment.participant(f"tok-{name}")
        await deployment.send(pids[name], Join(CAMPAIGN, language))
    await deployment.drain()
    for name, (_, uses) in crowd.items():
        await deployment.send(pids[name], uses)
    await deployment.drain()


def _line(output: str, starts: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.strip().startswith(starts))


async def test_results_show_counts_and_withhold_small_ones(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    crowd = {f"caller{n}": ("en", "1") for n in range(6)}  # calls
    crowd |= {f"texter{n}": ("sw", "2") for n in range(2)}  # SMS
    crowd |= {"both": ("fr", "1, 2")}
    crowd |= {f"surfer{n}": ("en", "4") for n in range(5)}  # internet
    await _answer_uses(deployment, crowd)

    assert await sauti("campaign", "results", CAMPAIGN) == 0
    output = capsys.readouterr().out
    assert f"campaign {CAMPAIGN}: started 14, completed 0" in output
    assert "<5: fewer than 5, or withheld" in output
    assert _line(output, "uses (multiple choice)") == [
        *("uses", "(multiple", "choice):", "answered", "14,", "skipped", "0,", "declined", "0"),
    ]
    assert _line(output, "calls")[:2] == ["calls", "7"]
    assert _line(output, "sms")[:2] == ["sms", "<5"]
    # SMS alone withheld, the line's total would tell about it: the next smallest goes too.
    assert _line(output, "internet")[:2] == ["internet", "<5"]
    assert _line(output, "money")[:2] == ["money", "0"]
    assert "tok-" not in output


async def test_results_by_language_print_a_table_with_totals(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    crowd = {f"en{n}": ("en", "1") for n in range(5)} | {f"sw{n}": ("sw", "1") for n in range(6)}
    await _answer_uses(deployment, crowd)

    assert await sauti("campaign", "results", CAMPAIGN, "--by", "language") == 0
    output = capsys.readouterr().out
    assert _line(output, "by language") == ["by", "language", "en", "fr", "ar", "sw", "total"]
    assert _line(output, "calls")[:2] == ["calls", "11"]  # the distribution first
    calls = [line.split() for line in output.splitlines() if line.strip().startswith("calls")]
    assert calls[1] == ["calls", "5", "0", "0", "6", "11"]


async def test_a_breakdown_by_a_free_text_question_is_refused_clearly(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await sauti("campaign", "results", CAMPAIGN, "--by", "unsafe_what") == 2
    captured = capsys.readouterr()
    assert "cannot break results down by 'unsafe_what'" in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("minimum", ["1", "4"])
async def test_the_minimum_cell_can_be_raised_never_lowered(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], minimum: str
) -> None:
    assert await sauti("campaign", "results", CAMPAIGN, "--min-cell", minimum) == 2
    assert "--min-cell must be at least 5" in capsys.readouterr().err
    assert await sauti("campaign", "results", CAMPAIGN, "--min-cell", "10") == 0
    assert "<10: fewer than 10" in capsys.readouterr().out


async def test_an_unknown_campaign_is_named(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await sauti("campaign", "results", "no-such-campaign") == 1
    assert "no campaign 'no-such-campaign'" in capsys.readouterr().err


async def test_results_export_writes_the_same_withheld_counts_as_a_file(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    crowd = {f"caller{n}": ("en", "1") for n in range(6)}  # calls
    crowd |= {f"texter{n}": ("sw", "2") for n in range(2)}  # SMS
    crowd |= {f"surfer{n}": ("en", "4") for n in range(5)}  # internet
    await _answer_uses(deployment, crowd)

    assert await sauti("campaign", "results-export", CAMPAIGN, "--language", "fr") == 0
    out = capsys.readouterr().out
    assert not out.startswith("\ufeff")  # stdout is read by programs
    rows = {(row["question_id"], row["option_id"]): row for row in csv.DictReader(io.StringIO(out))}
    assert rows[("(campaign)", "(started)")]["count"] == "13"
    calls, sms = rows[("uses", "calls")], rows[("uses", "sms")]
    assert (calls["option"], calls["count"], calls["share"]) == ("Appels", "6", "0.4615")
    assert (sms["count"], sms["share"]) == ("<5", "")
    assert rows[("uses", "internet")]["count"] == "<5"  # protects SMS, as the table does

    output = tmp_path / "results.xlsx"
    assert await sauti(
        "campaign", "results-export", CAMPAIGN, "--by", "language", "--format", "xlsx",
        "--output", str(output),
    ) == 0  # fmt: skip
    book = openpyxl.load_workbook(output)
    header, *lines = list(book["Results"].iter_rows(values_only=True))
    records = {(r[0], r[2], r[4]): dict(zip(header, r, strict=True)) for r in lines}
    assert records[("uses", "calls", "(all)")]["count"] == 6  # a number, not text
    assert records[("uses", "sms", "sw")]["count"] == "<5"
    assert about(book["About"])["Exported by"] == "operator"
    page = await deployment.app.audit_log().entries(
        DEFAULT_ORG, action=AuditAction.RESULTS_EXPORTED
    )
    exported = [entry.record for entry in page.entries if entry.record is not None]
    assert [(e.count, e.details["to"]) for e in exported] == [(12, "stdout"), (12, "file")]
