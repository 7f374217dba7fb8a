"""`sauti campaign export CAMPAIGN_ID [--format csv|json] [--output FILE]`: the responses.

One row per participant who started the campaign, named only by the campaign's organisation's
pseudonym of them (the internal id never leaves the server). Rows are
written as they are read (a campaign may have a million). Free text comes from the public and
the file is opened in spreadsheets, so a CSV cell that a spreadsheet would run as a formula is
neutralised. Free text is decrypted: the file is written owner-only and appears complete or not
at all (written aside, renamed at the end).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from bot.access.pseudonyms import Pseudonyms
from bot.app import App
from bot.commands.common import EXIT_USAGE, with_app
from bot.records.export import ExportedAnswer, Respondent, TextLoss, respondents
from dialogues import Survey, SurveyDefinitionError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula
FIXED_COLUMNS = ["participant", "language", "status", "started_at", "updated_at"]


def register_export(campaign: Any) -> None:
    """Add `export` to the `campaign` command group (its subparsers action)."""
    command = campaign.add_parser("export", help="export a campaign's responses (CSV or JSON)")
    command.add_argument("campaign_id")
    command.add_argument("--format", choices=("csv", "json"), default="csv")
    command.add_argument(
        "--output", type=Path, help="write to this file (owner-only) instead of stdout"
    )
    command.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    if args.output is not None and not args.output.parent.is_dir():
        print(f"sauti: {args.output.parent} is not a directory", file=sys.stderr)
        return EXIT_USAGE

    async def work(app: App) -> int:
        try:
            campaign = await app.campaigns.get(args.campaign_id)
        except SurveyDefinitionError as error:
            print(f"sauti: campaign '{args.campaign_id}' cannot be read: {error}", file=sys.stderr)
            return 1
        if campaign is None:
            print(f"sauti: no campaign '{args.campaign_id}'", file=sys.stderr)
            return 1
        pseudonyms = await app.pseudonyms(campaign.org)
        rows = _named_by(pseudonyms, respondents(app.redis, app.schema, app.crypto, campaign.id))
        write = _write_csv if args.format == "csv" else _write_json
        tally = _Tally()
        with _destination(args.output) as out:
            await write(campaign.survey, tally.counting(rows), out)
        print(f"exported {tally.rows} respondents of '{campaign.id}'", file=sys.stderr)
        if tally.unreadable:
            print(
                f"sauti: warning: {tally.unreadable} free-text answers could not be decrypted "
                "(is SAUTI_MASTER_KEY the one they were written with?)",
                file=sys.stderr,
            )
        return 0

    return with_app(work)


@contextmanager
def _destination(path: Path | None) -> Iterator[TextIO]:
    """stdout, or a private temporary file renamed onto `path` once everything is written."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


async def _named_by(
    pseudonyms: Pseudonyms, rows: AsyncIterator[Respondent]
) -> AsyncIterator[Respondent]:
    async for row in rows:
        yield dataclasses.replace(row, participant_id=pseudonyms.of(row.participant_id))


class _Tally:
    def __init__(self) -> None:
        self.rows = 0
        self.unreadable = 0

    async def counting(self, rows: AsyncIterator[Respondent]) -> AsyncIterator[Respondent]:
        async for row in rows:
            self.rows += 1
            self.unreadable += sum(a.lost is TextLoss.UNREADABLE for a in row.answers.values())
            yield row


# -- CSV ---------------------------------------------------------------------------------------


async def _write_csv(survey: Survey, rows: AsyncIterator[Respondent], out: TextIO) -> None:
    questions = _question_ids(survey)
    writer = csv.writer(out)
    writer.writerow([safe_cell(name) for name in FIXED_COLUMNS + questions])
    async for row in rows:
        writer.writerow(
            [
                safe_cell(row.participant_id),
                safe_cell(row.language),
                _status(row) or "",
                _iso(row.started_at) or "",
                _iso(row.updated_at) or "",
                *(_csv_answer(row.answers.get(question)) for question in questions),
            ]
        )


def _csv_answer(answer: ExportedAnswer | None) -> str:
    if answer is None:
        return ""  # not asked
    if answer.lost is not None:
        return f"({answer.lost.value})"
    value = answer.value
    if value is None:
        return f"({answer.outcome.value})"  # (skipped), (declined)
    if isinstance(value, int | float):
        return str(value)  # rendered here, so never a formula: "-3" stays a number
    if isinstance(value, tuple):
        return safe_cell(";".join(value))
    return safe_cell(value)


def safe_cell(text: str) -> str:
    """A leading apostrophe on anything a spreadsheet would evaluate (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- JSON --------------------------------------------------------------------------------------


async def _write_json(survey: Survey, rows: AsyncIterator[Respondent], out: TextIO) -> None:
    """A JSON array written object by object, so it is never built in memory."""
    questions = _question_ids(survey)
    separator = "[\n"
    async for row in rows:
        out.write(separator)
        out.write(json.dumps(_json_object(row, questions), ensure_ascii=False))
        separator = ",\n"
    out.write("[]\n" if separator == "[\n" else "\n]\n")


def _json_object(row: Respondent, questions: list[str]) -> dict[str, Any]:
    return {
        "participant": row.participant_id,
        "language": row.language,
        "status": _status(row),
        "started_at": _iso(row.started_at),
        "updated_at": _iso(row.updated_at),
        "answers": {question: _json_answer(row.answers.get(question)) for question in questions},
    }


def _json_answer(answer: ExportedAnswer | None) -> dict[str, Any] | None:
    if answer is None:
        return None  # not asked
    plain: dict[str, Any] = {"outcome": answer.outcome.value}
    value = answer.value
    plain["value"] = list(value) if isinstance(value, tuple) else value
    if answer.lost is not None:
        plain["lost"] = answer.lost.value
    return plain


# -- shared ------------------------------------------------------------------------------------


def _question_ids(survey: Survey) -> list[str]:
    """Questions that take an answer, in survey order: the answer columns."""
    return [question.id for question in survey.questions if question.answerable]


def _status(row: Respondent) -> str | None:
    if row.completed is None:
        return None
    return "completed" if row.completed else "in progress"


def _iso(epoch_seconds: int | None) -> str | None:
    if epoch_seconds is None:
        return None
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
