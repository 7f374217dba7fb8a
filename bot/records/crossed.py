"""Two choice questions crossed: "first by second" and "second by first" protected as one.

Pure (no I/O). Both breakdowns show the same cross counts, each with its own margins: the
page of the first by the second shows its rows (the first's options) and every column of the
second (its options, and who did not answer it); the page of the second by the first the
other way round. Protected one at a time, they withhold different cells, and a column total
of one page less a cell shown on the other gives back a count both withhold. So the joint
table (options of the first, and "no answer" when it is a single choice, by the same of the
second) is protected once, with the lines of both pages and both questions' own counts
beside them, and each page is cut from that one result: both show the same withheld set,
and the exact check (`bot/records/determined.py`) has read every line either page shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.records.suppression import (
    Distribution,
    SuppressionError,
    Table,
    _cell,
    _check_counts,
    _Entry,
    _Line,
    _suppress,
    check_minimum,
)

__all__ = ["Margin", "suppress_crossed"]


@dataclass(frozen=True, slots=True)
class Margin:
    """One of the two questions: its options' counts and how its own 1-D result shows them
    (`shown`), and whether it is a single choice (a "no answer" line in the joint table; its
    options then sum to how many answered)."""

    counts: tuple[int, ...]
    shown: Distribution
    single: bool


def suppress_crossed(
    cross: Sequence[Sequence[int]], first: Margin, second: Margin, minimum: int
) -> tuple[Table, Table]:
    """The breakdowns of `first` by `second` and of `second` by `first`, from the cross
    counts `cross[i][j]` (option i of the first and option j of the second both chosen).

    A page's "no answer" cells are worked out from the options' own counts: those who chose
    the option less those who also chose one of the other's."""
    check_minimum(minimum)
    rows, columns = len(first.counts), len(second.counts)
    if len(cross) != rows or any(len(row) != columns for row in cross):
        raise SuppressionError("the cross counts must be one row per option, one per column")
    _check_counts([*first.counts, *second.counts, *(n for row in cross for n in row)])
    values: dict[_Entry, int] = {}
    for i in range(rows):
        for j in range(columns):
            values[("c", i, j)] = cross[i][j]
    if second.single:  # who chose option i of the first and did not answer the second
        for i in range(rows):
            values[("c", i, columns)] = max(0, first.counts[i] - sum(cross[i]))
    if first.single:
        for j in range(columns):
            values[("c", rows, j)] = max(0, second.counts[j] - sum(r[j] for r in cross))
    lines: list[_Line] = []
    seeded: set[_Entry] = set()
    known: set[_Entry] = set()
    # The first page: rows i < rows, every column; the second: columns j < columns, every row.
    for page, own, other in (("a", first, second), ("b", second, first)):
        lines += _page_lines(values, page, len(own.counts), len(other.counts) + other.single)
        if other.single:  # each row sums to the option's own count: what the 1-D shows
            for n, cell in enumerate(own.shown.cells):
                (seeded if cell.withheld else known).add((f"r{page}", n))
            # The rows sum to how many answered (a single choice), or to the options chosen in
            # all (a multiple choice): the same figure on every page that crosses the question
            # with a single choice, so withheld on all of them or on none.
            cells = (own.shown.total,) if own.single else own.shown.cells
            hidden = any(cell.withheld for cell in cells)
            (seeded if hidden else known).add((f"t{page}",))
    withheld = _suppress(values, lines, minimum, seeded, known - seeded)
    return (
        _table(values, withheld, "a", rows, columns + second.single),
        _table(values, withheld, "b", columns, rows + first.single),
    )


def _at(page: str, row: int, column: int) -> _Entry:
    """The joint cell at a page's `row` and `column` (the second page is transposed)."""
    return ("c", row, column) if page == "a" else ("c", column, row)


def _page_lines(values: dict[_Entry, int], page: str, height: int, width: int) -> list[_Line]:
    """A page's lines, its totals added to `values`: each row and each column with its total,
    the row totals and the column totals each with the grand total."""
    rows, columns = range(height), range(width)
    lines: list[_Line] = []
    for r in rows:
        cells = [_at(page, r, c) for c in columns]
        values[(f"r{page}", r)] = sum(values[entry] for entry in cells)
        lines.append((cells, (f"r{page}", r)))
    for c in columns:
        cells = [_at(page, r, c) for r in rows]
        values[(f"k{page}", c)] = sum(values[entry] for entry in cells)
        lines.append((cells, (f"k{page}", c)))
    values[(f"t{page}",)] = sum(values[(f"r{page}", r)] for r in rows)
    lines.append(([(f"k{page}", c) for c in columns], (f"t{page}",)))
    lines.append(([(f"r{page}", r) for r in rows], (f"t{page}",)))
    return lines


def _table(
    values: dict[_Entry, int], withheld: set[_Entry], page: str, height: int, width: int
) -> Table:
    rows, columns = range(height), range(width)
    return Table(
        cells=tuple(tuple(_cell(values, _at(page, r, c), withheld) for c in columns) for r in rows),
        row_totals=tuple(_cell(values, (f"r{page}", r), withheld) for r in rows),
        column_totals=tuple(_cell(values, (f"k{page}", c), withheld) for c in columns),
        total=_cell(values, (f"t{page}",), withheld),
    )
