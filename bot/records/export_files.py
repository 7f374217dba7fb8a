"""A campaign's responses as CSV or JSON text, written as they are read (a campaign may have a
million respondents), for the command line and the API alike.

Respondents are named only by the organisation's pseudonym of them (`named_by`). Free text
comes from the public and CSV files are opened in spreadsheets, so a CSV cell that a
spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import AsyncIterator
from typing import Any

from bot.access.pseudonyms import Pseudonyms
from bot.records.export import ExportedAnswer, Respondent
from dialogues import Survey

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula
FIXED_COLUMNS = ["participant", "language", "status", "started_at", "updated_at"]


async def named_by(
    pseudonyms: Pseudonyms, rows: AsyncIterator[Respondent]
) -> AsyncIterator[Respondent]:
    """The respondents, each named by the organisation's pseudonym instead of their id."""
    async for row in rows:
        yield dataclasses.replace(row, participant_id=pseudonyms.of(row.participant_id))


# -- CSV ---------------------------------------------------------------------------------------


async def csv_text(survey: Survey, rows: AsyncIterator[Respondent]) -> AsyncIterator[str]:
    """The header line, then one line per respondent."""
    questions = _question_ids(survey)
    line = io.StringIO()
    writer = csv.writer(line)
    writer.writerow([safe_cell(name) for name in FIXED_COLUMNS + questions])
    yield _taken(line)
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
        yield _taken(line)


def _taken(line: io.StringIO) -> str:
    text = line.getvalue()
    line.seek(0)
    line.truncate()
    return text


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


async def json_text(survey: Survey, rows: AsyncIterator[Respondent]) -> AsyncIterator[str]:
    """A JSON array given object by object, so it is never built in memory."""
    questions = _question_ids(survey)
    separator = "[\n"
    async for row in rows:
        yield separator + json.dumps(_json_object(row, questions), ensure_ascii=False)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


def _json_object(row: Respondent, questions: list[str]) -> dict[str, Any]:
    return {
        "participant": row.participant_id,  # the pseudonym, once `named_by`
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
