"""The desk report: what a grievance mechanism owes its own learning (UNGP principle 31) — per
category, how many cases, how fast the first response and the resolution came (median and
90th percentile), how many are overdue, how often a resolution was reopened, and how many
people asked "are you satisfied?" said yes, how many said no, and how many of those said what is
still wrong.

Pure over the cases it is given (the API and the command line read them). Every count goes
through small-cell suppression (bot.records.suppression): each column is a distribution over
the categories with its total; a category whose case count is withheld shows nothing else
(not even a zero, which would describe its few people), and a column left with exactly one
withheld cell withholds its total too, so no subtraction recovers it. Times and rates are shown
only where the cases they describe are at least the minimum cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.conversation.case_view import UNCATEGORISED, CaseStatus, Category
from bot.records.cases import Case
from bot.records.suppression import check_minimum, suppress_distribution

# The report's rows, in this order (a category without cases still gets its zero row).
ROWS = (*(category.value for category in Category), UNCATEGORISED)
# The counted columns, each a distribution over the rows.
COLUMNS = (
    "cases", "overdue", "resolved", "reopened", "asked", "satisfied", "unsatisfied", "told_why",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and 90th percentile of a time, in seconds (None: too few cases to show)."""

    median_s: int | None
    p90_s: int | None


@dataclass(frozen=True, slots=True)
class ReportRow:
    category: str
    counts: dict[str, int | None]  # COLUMNS -> the count, None when withheld
    first_response: Spread
    resolution: Spread

    @property
    def reopen_rate(self) -> float | None:
        """Reopened among the cases ever resolved."""
        return _rate(self.counts["reopened"], self.counts["resolved"])

    @property
    def satisfaction_rate(self) -> float | None:
        """Satisfied among those asked after a resolution."""
        return _rate(self.counts["satisfied"], self.counts["asked"])


@dataclass(frozen=True, slots=True)
class CaseReport:
    rows: tuple[ReportRow, ...]
    total: ReportRow
    min_cell: int


def case_report(cases: Sequence[Case], now_ms: int, min_cell: int) -> CaseReport:
    """The desk report of `cases` at `now_ms`."""
    check_minimum(min_cell)
    by_row = {row: [c for c in cases if c.category_name == row] for row in ROWS}
    raw = {row: _counts(found, now_ms) for row, found in by_row.items()}
    shown: dict[str, dict[str, int | None]] = {row: {} for row in ROWS}
    totals: dict[str, int | None] = {}
    for column in COLUMNS:
        line = suppress_distribution([raw[row][column] for row in ROWS], min_cell)
        cells: list[int | None] = [cell.count for cell in line.cells]
        # A category too small to show shows nothing of its people, not even a zero.
        for index, row in enumerate(ROWS):
            if column != "cases" and shown[row].get("cases", 0) is None:
                cells[index] = None
        total = line.total.count
        if sum(cell is None for cell in cells) == 1:
            total = None  # one withheld cell and the total would give it away
        for row, cell in zip(ROWS, cells, strict=True):
            shown[row][column] = cell
        totals[column] = total
    rows = tuple(
        ReportRow(row, shown[row], *_spreads(by_row[row], shown[row], min_cell)) for row in ROWS
    )
    every = ReportRow("all", totals, *_spreads(list(cases), totals, min_cell))
    return CaseReport(rows, every, min_cell)


def _counts(cases: Sequence[Case], now_ms: int) -> dict[str, int]:
    def ever_resolved(case: Case) -> bool:
        return case.resolved_ms is not None

    tests: dict[str, Callable[[Case], bool]] = {
        "cases": lambda case: True,
        "overdue": lambda case: case.overdue(now_ms),
        "resolved": ever_resolved,
        "reopened": lambda case: case.reopens > 0,
        "asked": lambda case: case.asked_ms is not None,
        "satisfied": lambda case: case.satisfied is True,
        "unsatisfied": lambda case: case.satisfied is False,
        # Counted by when they said it, which an erasure keeps (their words go with it).
        "told_why": lambda case: case.satisfied is False and case.why_ms is not None,
    }
    return {column: sum(1 for case in cases if tests[column](case)) for column in COLUMNS}


def _spreads(
    cases: Sequence[Case], counts: dict[str, int | None], min_cell: int
) -> tuple[Spread, Spread]:
    if counts["cases"] is None:
        return Spread(None, None), Spread(None, None)
    first = [c.first_response_ms - c.created_ms for c in cases if c.first_response_ms is not None]
    resolved = [
        resolved_ms - c.created_ms
        for c in cases
        if c.status is CaseStatus.RESOLVED and (resolved_ms := c.resolved_ms) is not None
    ]
    return _spread(first, min_cell), _spread(resolved, min_cell)


def _spread(durations_ms: list[int], min_cell: int) -> Spread:
    if len(durations_ms) < min_cell:
        return Spread(None, None)
    ordered = sorted(durations_ms)
    return Spread(_rank(ordered, 0.5) // 1000, _rank(ordered, 0.9) // 1000)


def _rank(ordered: list[int], share: float) -> int:
    """The nearest-rank percentile: a time some case really took."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _rate(part: int | None, whole: int | None) -> float | None:
    if part is None or whole is None or whole == 0:
        return None
    return round(part / whole, 3)
