"""What a reader can work out of withheld counts from shown ones: every shown number and every
line ("its cells sum to its total") is a linear equation; a withheld count is worked out when
those equations fix it (adding it alone to them does not grow their rank). Exact fractions, an
algorithm of its own (rank), not the one under test."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from fractions import Fraction
from typing import TypeVar

Name = TypeVar("Name", bound=Hashable)


def fixed(lines: Sequence[tuple[Sequence[Name], Name]], unknown: Collection[Name]) -> set[Name]:
    """The entries of `unknown` that `lines` (each `(cells, total)`) fix, every other entry
    being known."""
    names = list(unknown)
    equations = [
        [Fraction(list(cells).count(name) - (name == total)) for name in names]
        for cells, total in lines
    ]
    base = rank(equations)
    return {
        name
        for n, name in enumerate(names)
        if rank([*equations, [Fraction(m == n) for m in range(len(names))]]) == base
    }


def rank(matrix: list[list[Fraction]]) -> int:
    rows = [list(row) for row in matrix if any(row)]
    found = 0
    for col in range(len(rows[0]) if rows else 0):
        pivot = next((n for n in range(found, len(rows)) if rows[n][col] != 0), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for n in range(found + 1, len(rows)):
            factor = rows[n][col] / rows[found][col]
            rows[n] = [a - factor * b for a, b in zip(rows[n], rows[found], strict=True)]
        found += 1
    return found
