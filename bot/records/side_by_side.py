"""The same rows broken down two (or more) ways, protected as one: a question's options by
language and by channel, or those who completed and did not by language and by channel.

Pure (no I/O). Every respondent has one language and one channel, so the two tables of the
same rows have the same row totals and the same grand total, each with its own columns. Each
protected alone, they may withhold a shared total in one and show it in the other, or let
their shown cells together pin a count both withhold (a language's cells and a channel's,
each line consistent alone). So the lines of all of them are read as one system: the shared
totals are one entry, withheld in every table or in none, and the exact check
(`bot/records/determined.py`) has read every line any of the tables shows. A row whose totals
do not agree between the tables (a counter that drifted) is kept apart in each.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from bot.records.suppression import (
    SuppressionError,
    Table,
    _cell,
    _check_counts,
    _Entry,
    _Line,
    _suppress,
    check_minimum,
)

__all__ = ["suppress_side_by_side"]


def suppress_side_by_side(
    tables: Sequence[Sequence[Sequence[int]]],
    minimum: int,
    *,
    withheld_row_totals: Collection[int] = (),
    withheld_total: bool = False,
    known_row_totals: Collection[int] = (),
    known_total: bool = False,
) -> tuple[Table, ...]:
    """Each of `tables` (the same rows, each its own columns) as `suppress_table` shows it,
    all protected together. The row totals and total named withheld or known are those of
    the 1-D result of the same rows, as for `suppress_table`."""
    check_minimum(minimum)
    heights = {len(table) for table in tables}
    if len(heights) > 1:
        raise SuppressionError("tables side by side must have the same rows")
    height = heights.pop() if heights else 0
    values: dict[_Entry, int] = {}
    widths: list[int] = []
    for t, table in enumerate(tables):
        lengths = {len(row) for row in table}
        if len(lengths) > 1:
            raise SuppressionError("every row of a table must have as many cells")
        widths.append(lengths.pop() if lengths else 0)
        _check_counts([count for row in table for count in row])
        for r, row in enumerate(table):
            for c, count in enumerate(row):
                values[(f"c{t}", r, c)] = count
    rows = [_row_total(tables, r) for r in range(height)]
    total = _total(tables)
    lines: list[_Line] = []
    for t, width in enumerate(widths):
        lines += _lines(values, t, height, width, rows, total)
    for r in range(height):
        values.update(rows[r][1])
    values.update(total[1])
    seeded = {rows[r][0][t] for r in withheld_row_totals if 0 <= r < height for t in rows[r][2]}
    known = {rows[r][0][t] for r in known_row_totals if 0 <= r < height for t in rows[r][2]}
    every_total = {total[0][t] for t in range(len(tables))}
    if withheld_total:
        seeded |= every_total
    if known_total:
        known |= every_total
    withheld = _suppress(values, lines, minimum, seeded, known - seeded)
    return tuple(
        Table(
            cells=tuple(
                tuple(_cell(values, (f"c{t}", r, c), withheld) for c in range(width))
                for r in range(height)
            ),
            row_totals=tuple(_cell(values, rows[r][0][t], withheld) for r in range(height)),
            column_totals=tuple(_cell(values, (f"k{t}", c), withheld) for c in range(width)),
            total=_cell(values, total[0][t], withheld),
        )
        for t, width in enumerate(widths)
    )


# A total shared by the tables when they agree on it: its entry in each table (the same one,
# or one each), their values, and the tables (all).
_Shared = tuple[list[_Entry], dict[_Entry, int], range]


def _row_total(tables: Sequence[Sequence[Sequence[int]]], r: int) -> _Shared:
    sums = [sum(table[r]) for table in tables]
    return _shared(sums, ("r", r), lambda t: (f"r{t}", r))


def _total(tables: Sequence[Sequence[Sequence[int]]]) -> _Shared:
    sums = [sum(sum(row) for row in table) for table in tables]
    return _shared(sums, ("t",), lambda t: (f"t{t}",))


def _shared(sums: list[int], one: _Entry, apart: Callable[[int], _Entry]) -> _Shared:
    """One entry when every table sums to the same; else one per table."""
    tables = range(len(sums))
    agreed = len(set(sums)) <= 1
    entries = [one if agreed else apart(t) for t in tables]
    return entries, {entries[t]: sums[t] for t in tables}, tables


def _lines(
    values: dict[_Entry, int],
    t: int,
    height: int,
    width: int,
    rows: list[_Shared],
    total: _Shared,
) -> list[_Line]:
    """One table's lines, its column totals added to `values`: each row with its (shared)
    total, each column with its own, the column totals and the row totals each with the
    grand total."""
    lines: list[_Line] = [
        ([(f"c{t}", r, c) for c in range(width)], rows[r][0][t]) for r in range(height)
    ]
    for c in range(width):
        values[(f"k{t}", c)] = sum(values[(f"c{t}", r, c)] for r in range(height))
        lines.append(([(f"c{t}", r, c) for r in range(height)], (f"k{t}", c)))
    lines.append(([(f"k{t}", c) for c in range(width)], total[0][t]))
    lines.append(([rows[r][0][t] for r in range(height)], total[0][t]))
    return lines
