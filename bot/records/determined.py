"""Which withheld counts of a table a reader can still work out from the shown ones.

Pure (no I/O). A table is read as lines, each "its cells sum to its total". A reader who
knows the shown entries holds one linear equation per line in the withheld ones; a withheld
entry is worked out when those equations fix its value, whatever the others are — when some
combination of the lines leaves that entry alone. Looking at lines one by one (a line with
exactly one withheld entry) misses combinations: two row totals minus a column total, say,
in a table whose shown zeros pin the rest. This checks them all at once, exactly.

How: one row per line over the withheld entries (+1 for a cell, -1 for the total), brought
to reduced row echelon form in exact integer arithmetic. A withheld entry is fixed when the unit
vector on it lies in the span of those rows, that is when its pivot row has no other
non-zero coefficient. The tables are small (options × breakdown values), so this is cheap.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from math import gcd
from typing import TypeVar

__all__ = ["worked_out"]

Entry = TypeVar("Entry", bound=Hashable)


def worked_out(
    lines: Sequence[tuple[Sequence[Entry], Entry]], withheld: Collection[Entry]
) -> set[Entry]:
    """The entries of `withheld` whose value follows from the lines (each `(cells, total)`:
    the cells sum to the total) and every entry not withheld."""
    unknowns = sorted(
        {entry for cells, total in lines for entry in (*cells, total)} & set(withheld), key=repr
    )
    if not unknowns:
        return set()
    column = {entry: n for n, entry in enumerate(unknowns)}
    rows: list[list[int]] = []
    for cells, total in lines:
        row = [0] * len(unknowns)
        for entry in cells:
            if entry in column:
                row[column[entry]] += 1
        if total in column:
            row[column[total]] -= 1
        if any(row):
            rows.append(row)
    pivots = _reduce(rows, len(unknowns))
    return {
        unknowns[col]
        for col, row in pivots
        if all(value == 0 for n, value in enumerate(rows[row]) if n != col)
    }


def _reduce(rows: list[list[int]], width: int) -> list[tuple[int, int]]:
    """Bring `rows` to reduced row echelon form in place, in integers (each row scaled, then
    divided by its common factor: exact, and much faster than fractions); the (column, row)
    of each pivot."""
    pivots: list[tuple[int, int]] = []
    top = 0
    for col in range(width):
        found = next((n for n in range(top, len(rows)) if rows[n][col] != 0), None)
        if found is None:
            continue
        rows[top], rows[found] = rows[found], rows[top]
        pivot = rows[top]
        lead = pivot[col]
        for n, row in enumerate(rows):
            if n != top and row[col] != 0:
                factor = row[col]
                rows[n] = _reduced([lead * a - factor * b for a, b in zip(row, pivot, strict=True)])
        pivots.append((col, top))
        top += 1
        if top == len(rows):
            break
    return pivots


def _reduced(row: list[int]) -> list[int]:
    """`row` divided by the common factor of its entries, so that numbers stay small."""
    factor = gcd(*row)
    return row if factor in (0, 1) else [value // factor for value in row]
