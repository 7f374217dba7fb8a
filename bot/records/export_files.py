"""A campaign's responses as CSV, XLSX or JSON, written as they are read (a campaign may have a
million respondents), for the command line and the API alike.

Respondents are named only by the organisation's pseudonym of them (`named_by`). CSV and XLSX
are one table (`_Columns`), written by bot.records.sheets (formula-safe cells, a byte order
mark for CSV files, numbers as numbers): a column per question, holding option ids, numbers or
words; with `labels`, each choice question's column is followed by `<question>_label`, the
chosen options' labels in that language ("; " between several). The XLSX has a second sheet,
"About": which campaign, when, exported by which role, that the file holds personal data,
and how many respondents it holds: past a sheet's last row (Excel's 1,048,576) the rest are
left out, and About says how many.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.access.pseudonyms import Pseudonyms
from bot.records.export import ExportedAnswer, Respondent
from bot.records.sheets import (
    MAX_ROWS,
    XLSX_MEDIA_TYPE,
    Row,
    Sheet,
    Value,
    csv_lines,
    safe_cell,
    xlsx_parts,
)
from dialogues import Survey
from dialogues.localization import builtin_catalog
from dialogues.model import CHOICE_KINDS, Question, QuestionKind

__all__ = [
    "FILE_MEDIA_TYPES",
    "XLSX_MAX_RESPONDENTS",
    "ExportNote",
    "csv_text",
    "json_text",
    "named_by",
    "safe_cell",
    "written",
    "xlsx_bytes",
]

# Each file format's media type, for whoever serves the files.
FILE_MEDIA_TYPES = {"csv": "text/csv", "xlsx": XLSX_MEDIA_TYPE, "json": "application/json"}
# The respondents an XLSX holds: a sheet's last row is Excel's, the first the header.
XLSX_MAX_RESPONDENTS = MAX_ROWS - 1
FIXED_COLUMNS = ["participant", "language", "status", "started_at", "updated_at"]
LABEL_SUFFIX = "_label"
LABEL_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class ExportNote:
    """What a file's "About" sheet says of the export itself."""

    exported_at: float  # epoch seconds
    exported_by: str  # a role ("analyst"), or "operator": never a person
    minimum: int  # the smallest count an aggregate shows (SAUTI_PRIVACY_MIN_CELL)


async def named_by(
    pseudonyms: Pseudonyms, rows: AsyncIterator[Respondent]
) -> AsyncIterator[Respondent]:
    """The respondents, each named by the organisation's pseudonym instead of their id."""
    async for row in rows:
        yield dataclasses.replace(row, participant_id=pseudonyms.of(row.participant_id))


def label_language(survey: Survey, language: str | None) -> str:
    """The language of the labels: `language` when the campaign has it, else its first.
    ValueError, saying which it has, for one it does not."""
    if language is None:
        return survey.default_language
    if language not in survey.languages:
        raise ValueError(
            f"the campaign has no '{language}': choose one of {', '.join(survey.languages)}"
        )
    return language


# -- CSV and XLSX ------------------------------------------------------------------------------


async def csv_text(
    survey: Survey,
    rows: AsyncIterator[Respondent],
    *,
    labels: str | None = None,
    bom: bool = False,
) -> AsyncIterator[str]:
    """The header line, then one line per respondent; `bom` for a file a spreadsheet opens."""
    async for line in csv_lines(_Columns(survey, labels).table(rows), bom=bom):
        yield line


async def xlsx_bytes(
    survey: Survey,
    rows: AsyncIterator[Respondent],
    note: ExportNote,
    *,
    labels: str | None = None,
) -> AsyncIterator[bytes]:
    """A workbook of two sheets: "Responses" (the header row, then one row per respondent; a
    piece of bytes per row) and "About"."""
    columns = _Columns(survey, labels)
    counted = _Counted(rows, XLSX_MAX_RESPONDENTS)
    sheets = [
        Sheet("Responses", columns.table(counted.rows()), widths=columns.widths()),
        Sheet("About", _about(survey, note, labels, counted), header_rows=0, widths=(16, 100)),
    ]
    async for piece in xlsx_parts(sheets):
        yield piece


class _Columns:
    """The table's columns: the fixed ones, then each answerable question's (and its labels')."""

    def __init__(self, survey: Survey, labels: str | None) -> None:
        self._questions = _answerable(survey)
        self._labels = labels

    def _labelled(self, question: Question) -> bool:
        return self._labels is not None and question.kind in CHOICE_KINDS

    def header(self) -> list[Value]:
        names: list[Value] = list(FIXED_COLUMNS)
        for question in self._questions:
            names.append(question.id)
            if self._labelled(question):
                names.append(question.id + LABEL_SUFFIX)
        return names

    def widths(self) -> list[float]:
        return [len(str(name)) + 4 for name in self.header()]

    def row(self, row: Respondent) -> list[Value]:
        cells: list[Value] = [
            row.participant_id,
            row.language,
            _status(row),
            _iso(row.started_at),
            _iso(row.updated_at),
        ]
        for question in self._questions:
            answer = row.answers.get(question.id)
            cells.append(_cell(answer))
            if self._labelled(question):
                cells.append(self._label(question, answer))
        return cells

    def _label(self, question: Question, answer: ExportedAnswer | None) -> str | None:
        if answer is None or answer.value is None or self._labels is None:
            return None
        chosen = answer.value if isinstance(answer.value, tuple) else (str(answer.value),)
        return LABEL_SEPARATOR.join(option_label(question, id_, self._labels) for id_ in chosen)

    async def table(self, rows: AsyncIterator[Respondent]) -> AsyncIterator[Row]:
        yield self.header()
        async for row in rows:
            yield self.row(row)


def option_label(question: Question, option_id: str, language: str) -> str:
    """An option's label as participants read it in `language` (yes and no: Sauti's own
    words for them, as the question was put)."""
    if question.kind is QuestionKind.YES_NO:
        return builtin_catalog().message(f"option.{option_id}", language)
    option = question.option(option_id)
    if option is None:  # an option since taken out of the survey: its id is all there is
        return option_id
    return option.text.get(language) or next(iter(option.text.values()), option_id)


def _cell(answer: ExportedAnswer | None) -> Value:
    if answer is None:
        return None  # not asked
    if answer.lost is not None:
        return f"({answer.lost.value})"
    value = answer.value
    if value is None:
        return f"({answer.outcome.value})"  # (skipped), (declined)
    if isinstance(value, tuple):
        return ";".join(value)
    return value


def written(chosen_format: str, count: int) -> int:
    """How many of `count` respondents a file of `chosen_format` holds: an XLSX stops at
    `XLSX_MAX_RESPONDENTS`; what an audit entry counts as exported."""
    return min(count, XLSX_MAX_RESPONDENTS) if chosen_format == "xlsx" else count


class _Counted:
    """The respondents, counted as they pass, at most `limit` of them given on (the rest read
    and counted as left out): the About sheet, written after them, says how many there were."""

    def __init__(self, rows: AsyncIterator[Respondent], limit: int) -> None:
        self._rows = rows
        self._limit = limit
        self.count = 0
        self.left_out = 0

    async def rows(self) -> AsyncIterator[Respondent]:
        async for row in self._rows:
            if self.count >= self._limit:
                self.left_out += 1
                continue
            self.count += 1
            yield row


async def _about(
    survey: Survey, note: ExportNote, labels: str | None, counted: _Counted
) -> AsyncIterator[Row]:
    for line in about_lines(survey, note, labels, personal=True):
        yield line
    yield ("Respondents", counted.count)
    if counted.left_out:
        yield (
            "Left out",
            f"{counted.left_out} more respondents: a sheet holds at most {MAX_ROWS:,} rows "
            "(this one its header and the respondents above). Export as CSV or JSON for all.",
        )


def about_lines(
    survey: Survey, note: ExportNote, labels: str | None, *, personal: bool
) -> list[Sequence[Value]]:
    """The About sheet's first lines, for the personal-level export or the aggregate one."""
    minimum = note.minimum
    title = survey.text(survey.title, labels or survey.default_language)
    lines: list[Sequence[Value]] = [
        ("Campaign", f"{title} ({survey.id})"),
        ("Exported at", _iso(int(note.exported_at))),
        ("Exported by", note.exported_by),
        ("Labels", labels or "none (option ids only)"),
    ]
    if personal:
        lines += [
            (
                "Personal data",
                "This file holds personal data: every respondent's answers, their own words "
                "included, each respondent named by a pseudonym. Keep it safe: store it where "
                "only people allowed to see responses can open it, share it with no one else, "
                "delete it once it has served. Its download is recorded in the audit log.",
            ),
            (
                "Small cells",
                f"Nothing here is withheld: aggregates withhold counts below {minimum} (and "
                f"those that would give one away). A count or table made from this file and "
                f"shown to anyone must withhold them the same way.",
            ),
            (
                "Values",
                "(skipped), (declined): what the respondent chose; (erased): their words were "
                "erased; (unreadable): their words cannot be decrypted; empty: not asked.",
            ),
        ]
    else:
        lines += [
            (
                "Small cells",
                f"A count below {minimum} is withheld and shown as <{minimum}, and so is any "
                f"count that would let one be worked out from the totals.",
            ),
            ("Personal data", "None: counts and shares only, no words, no pseudonyms."),
        ]
    return lines


# -- JSON --------------------------------------------------------------------------------------


async def json_text(survey: Survey, rows: AsyncIterator[Respondent]) -> AsyncIterator[str]:
    """A JSON array given object by object, so it is never built in memory."""
    questions: list[str] = [question.id for question in _answerable(survey)]
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


def _answerable(survey: Survey) -> list[Question]:
    """Questions that take an answer, in survey order: the answer columns."""
    return [question for question in survey.questions if question.answerable]


def _status(row: Respondent) -> str | None:
    if row.completed is None:
        return None
    return "completed" if row.completed else "in progress"


def _iso(epoch_seconds: int | None) -> str | None:
    if epoch_seconds is None:
        return None
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
