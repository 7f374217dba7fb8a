"""A campaign's aggregate results as a CSV or XLSX file anyone who may read results may save:
the very counts `getResults` gives (bot.records.results, small cells withheld by
bot.records.suppression), laid out as one long table a spreadsheet can filter and pivot.

Never a word a participant wrote, never a pseudonym: only counts, shares and the survey's own
texts. One line per count:

- `(campaign)`: how many started and completed;
- per question, one line per option (its count and its share of those who answered), then
  `(answered)`, `(skipped)`, `(declined)`;
- with a breakdown (`by`), the question's table: one line per row and group (its share of the
  group), the rows' totals (group `(total)`) and the groups' totals (row `(total)`).

A withheld count reads `<minimum`, as the command line prints it; a share is given only when
its count and its whole are both shown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence

from bot.records.export_files import ExportNote, about_lines, option_label
from bot.records.results import NO_ANSWER, Breakdown, CampaignResults, QuestionResults
from bot.records.results import STATUSES as COUNTED_STATUSES
from bot.records.sheets import Row, Share, Sheet, Value, csv_lines, xlsx_parts
from bot.records.suppression import Cell
from dialogues import Survey
from dialogues.model import Question

CAMPAIGN_ROW = "(campaign)"
ALL = "(all)"
TOTAL = "(total)"
STATUSES = tuple(name for name, _ in COUNTED_STATUSES)  # the results' own, by name


async def results_csv(
    found: CampaignResults, survey: Survey, language: str, *, bom: bool = True
) -> AsyncIterator[str]:
    """The table as CSV text, byte order mark first (for a file)."""
    async for line in csv_lines(_aiter(results_rows(found, survey, language)), bom=bom):
        yield line


async def results_xlsx(
    found: CampaignResults, survey: Survey, language: str, note: ExportNote
) -> AsyncIterator[bytes]:
    """A workbook: "Results" (the table) and "About"."""
    about = [
        *about_lines(survey, note, language, personal=False),
        ("Breakdown", found.by or "none"),
    ]
    sheets = [
        Sheet("Results", _aiter(results_rows(found, survey, language)), widths=_WIDTHS),
        Sheet("About", _aiter(about), header_rows=0, widths=(16, 100)),
    ]
    async for piece in xlsx_parts(sheets):
        yield piece


_WIDTHS = (16, 40, 16, 30, 16, 20, 10, 10)


def results_rows(found: CampaignResults, survey: Survey, language: str) -> Iterator[Row]:
    """The header, then every count of `found` (each one once)."""
    table = _Table(found, survey, language)
    yield table.header()
    yield table.line(CAMPAIGN_ROW, "", "(started)", "", found.started)
    yield table.line(CAMPAIGN_ROW, "", "(completed)", "", found.completed)
    for question in found.questions:
        yield from table.question(question)


class _Table:
    def __init__(self, found: CampaignResults, survey: Survey, language: str) -> None:
        self._found = found
        self._survey = survey
        self._language = language
        self._by = survey.question(found.by) if found.by is not None else None

    def header(self) -> Row:
        groups = ["group", "group_label"] if self._found.by is not None else []
        return ["question_id", "question", "option_id", "option", *groups, "count", "share"]

    def line(
        self,
        question_id: str,
        question: str,
        row: str,
        row_label: str,
        cell: Cell,
        whole: Cell | None = None,
        group: tuple[str, str] = (ALL, ""),
    ) -> Row:
        groups = list(group) if self._found.by is not None else []
        return [
            question_id,
            question,
            row,
            row_label,
            *groups,
            _count(cell, self._found),
            _share(cell, whole),
        ]

    def question(self, results: QuestionResults) -> Iterator[Row]:
        asked = self._survey.question(results.question_id)
        qid = results.question_id
        text = self._survey.text(asked.text, self._language) if asked is not None else ""
        for option in results.options:
            label = self._option(asked, option.option_id)
            yield self.line(qid, text, option.option_id, label, option.count, results.answered)
        for status in STATUSES:
            yield self.line(qid, text, f"({status})", "", getattr(results, status))
        if results.breakdown is not None:
            yield from self._breakdown(qid, text, asked, results.breakdown)

    def _breakdown(
        self, qid: str, text: str, asked: Question | None, breakdown: Breakdown
    ) -> Iterator[Row]:
        table = breakdown.table
        groups = [(column, self._group(column)) for column in breakdown.columns]
        rows = [
            (row, self._option(asked, row) if asked and asked.options else "")
            for row in breakdown.rows
        ]
        if not (asked and asked.options):  # rows are answered, skipped, declined
            rows = [(f"({row})", "") for row in breakdown.rows]
        for (row, label), cells, row_total in zip(rows, table.cells, table.row_totals, strict=True):
            for group, cell, column_total in zip(groups, cells, table.column_totals, strict=True):
                yield self.line(qid, text, row, label, cell, column_total, group)
            yield self.line(qid, text, row, label, row_total, table.total, (TOTAL, ""))
        for group, column_total in zip(groups, table.column_totals, strict=True):
            yield self.line(qid, text, TOTAL, "", column_total, None, group)
        yield self.line(qid, text, TOTAL, "", table.total, None, (TOTAL, ""))

    def _option(self, question: Question | None, option_id: str) -> str:
        if question is None or question.option(option_id) is None:
            return ""
        return option_label(question, option_id, self._language)

    def _group(self, column: str) -> str:
        if self._by is not None and column != NO_ANSWER:
            return self._option(self._by, column)
        return ""


def _count(cell: Cell, found: CampaignResults) -> Value:
    return cell.label(found.minimum) if cell.count is None else cell.count


def _share(cell: Cell, whole: Cell | None) -> Value:
    if whole is None or cell.count is None or not whole.count:
        return None
    return Share(cell.count / whole.count)


async def _aiter(rows: Iterator[Row] | Sequence[Row]) -> AsyncIterator[Row]:
    for row in rows:
        yield row
