"""Small-cell suppression: what an organisation may see of a count, a distribution and a
breakdown table, shown by examples and held by properties over any table."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.records.suppression import (
    Cell,
    SuppressionError,
    Table,
    suppress_count,
    suppress_counts,
    suppress_distribution,
    suppress_question,
    suppress_table,
)
from tests.kit.equations import fixed


def shown(cells: Sequence[Cell]) -> list[int | None]:
    return [cell.count for cell in cells]


def test_a_count_below_the_minimum_is_withheld_and_says_so() -> None:
    assert suppress_count(3, 5) == Cell(None)
    assert suppress_count(3, 5).label(5) == "<5"
    assert suppress_count(5, 5).label(5) == "5"
    assert suppress_count(0, 5).label(5) == "0"  # nobody: nothing to protect


def test_a_withheld_option_takes_the_next_smallest_with_it_so_the_total_gives_nothing_away() -> (
    None
):
    result = suppress_distribution([40, 3, 12, 9], 5)
    # 3 alone withheld would be 64 - 40 - 12 - 9: 9 goes too (the smallest other).
    assert shown(result.cells) == [40, None, 12, None]
    assert result.total == Cell(64)


def test_zeros_are_shown_and_withheld_last() -> None:
    result = suppress_distribution([0, 3, 20, 0], 5)
    assert shown(result.cells) == [0, None, None, 0]


def test_a_group_smaller_than_the_minimum_shows_nothing_not_even_its_zeros() -> None:
    # Three people, two options at 0: showing the zeros would say what all three chose.
    result = suppress_distribution([3, 0, 0], 5)
    assert shown(result.cells) == [None, None, None]
    assert result.total.withheld


def test_the_total_goes_only_when_no_cell_is_left_to_withhold() -> None:
    result = suppress_distribution([2], 5, total=9)
    assert shown(result.cells) == [None]
    assert result.total.withheld


def test_a_table_protects_every_row_column_and_margin() -> None:
    table = suppress_table([[20, 2, 30], [15, 25, 10], [8, 6, 40]], 5)
    assert table.cells[0][1].withheld
    assert no_line_with_one_withheld(table)
    assert table.total == Cell(156)


def test_row_totals_withheld_elsewhere_stay_withheld_and_are_protected() -> None:
    table = suppress_table([[10, 12], [20, 30]], 5, withheld_row_totals=[0])
    assert table.row_totals[0].withheld
    assert no_line_with_one_withheld(table)


@pytest.mark.parametrize("minimum", [1, 0, -5])
def test_a_minimum_that_protects_nobody_is_refused(minimum: int) -> None:
    with pytest.raises(SuppressionError):
        suppress_count(3, minimum)


def test_negative_counts_and_ragged_tables_are_refused() -> None:
    with pytest.raises(SuppressionError):
        suppress_distribution([3, -1], 5)
    with pytest.raises(SuppressionError):
        suppress_table([[1, 2], [3]], 5)


# -- properties ------------------------------------------------------------------------------

counts = st.integers(0, 30) | st.sampled_from([0, 1, 2, 3, 4])
minimums = st.integers(2, 10)


def lines(table: Table) -> list[list[Cell]]:
    """Every "cells sum to total" line of a shown table, total last."""
    rows = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    columns = [
        [*(row[c] for row in table.cells), total] for c, total in enumerate(table.column_totals)
    ]
    return [
        *rows,
        *columns,
        [*table.column_totals, table.total],
        [*table.row_totals, table.total],
    ]


def no_line_with_one_withheld(table: Table) -> bool:
    return all(sum(cell.withheld for cell in line) != 1 for line in lines(table))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda width: st.lists(st.lists(counts, min_size=width, max_size=width), max_size=6)
    ),
    minimums,
)
def test_no_withheld_count_of_a_table_can_be_worked_out_from_one_line(
    rows: list[list[int]], minimum: int
) -> None:
    table = suppress_table(rows, minimum)
    assert no_line_with_one_withheld(table)
    everything = [cell for line in lines(table) for cell in line]
    assert not [c.count for c in everything if c.count is not None and 0 < c.count < minimum]
    # What is shown is the truth.
    for r, row in enumerate(rows):
        for c, count in enumerate(row):
            assert table.cells[r][c].count in (None, count)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(st.sampled_from([0, 0, 1, 2, 3, 5, 8, 12]), min_size=width, max_size=width),
            min_size=1,
            max_size=4,
        )
    ),
    st.sampled_from([3, 5]),
)
# Tables where looking at one line at a time left a small count to be worked out:
@example([[0, 5, 12, 0], [5, 2, 2, 0], [3, 1, 0, 3], [3, 0, 0, 2]], 5)
@example([[8, 12, 2, 3], [12, 1, 5, 3], [0, 1, 0, 12], [3, 8, 2, 5]], 5)
@example([[1, 12, 5, 1], [12, 5, 0, 0], [0, 12, 3, 8], [1, 2, 0, 12]], 5)
def test_no_small_withheld_count_of_a_table_can_be_worked_out_from_all_its_lines_together(
    rows: list[list[int]], minimum: int
) -> None:
    table = suppress_table(rows, minimum)
    width = range(len(rows[0]))
    truth: dict[str, int] = {f"x{r}{c}": n for r, row in enumerate(rows) for c, n in enumerate(row)}
    truth |= {f"r{r}": sum(row) for r, row in enumerate(rows)}
    truth |= {f"k{c}": sum(row[c] for row in rows) for c in width}
    truth["t"] = sum(map(sum, rows))
    shown = {f"x{r}{c}": cell for r, row in enumerate(table.cells) for c, cell in enumerate(row)}
    shown |= {f"r{r}": cell for r, cell in enumerate(table.row_totals)}
    shown |= {f"k{c}": cell for c, cell in enumerate(table.column_totals)}
    shown["t"] = table.total
    sums = [([f"x{r}{c}" for c in width], f"r{r}") for r in range(len(rows))]
    sums += [([f"x{r}{c}" for r in range(len(rows))], f"k{c}") for c in width]
    sums += [([f"r{r}" for r in range(len(rows))], "t"), ([f"k{c}" for c in width], "t")]
    withheld = [name for name, cell in shown.items() if cell.withheld]
    found = {name: truth[name] for name in fixed(sums, withheld)}
    assert {name: n for name, n in found.items() if 0 < n < minimum} == {}


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, max_size=10), minimums)
def test_no_withheld_count_of_a_distribution_can_be_worked_out_from_its_total(
    values: list[int], minimum: int
) -> None:
    result = suppress_distribution(values, minimum)
    line = [*result.cells, result.total]
    assert sum(cell.withheld for cell in line) != 1
    assert not [c.count for c in line if c.count is not None and 0 < c.count < minimum]
    assert [cell.count for cell in result.cells] == [
        None if cell.withheld else value for cell, value in zip(result.cells, values, strict=True)
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda width: st.lists(st.lists(counts, min_size=width, max_size=width), max_size=5)
    ),
    minimums,
)
def test_a_breakdown_withholds_at_least_what_its_own_distribution_withholds(
    rows: list[list[int]], minimum: int
) -> None:
    margin = suppress_distribution([sum(row) for row in rows], minimum)
    table = suppress_table(
        rows,
        minimum,
        withheld_row_totals=[n for n, cell in enumerate(margin.cells) if cell.withheld],
        withheld_total=margin.total.withheld,
    )
    for mine, theirs in zip(table.row_totals, margin.cells, strict=True):
        assert mine.withheld or not theirs.withheld
    assert table.total.withheld or not margin.total.withheld
    assert no_line_with_one_withheld(table)


def test_a_lone_skip_cannot_be_worked_out_from_those_who_reached_the_question() -> None:
    """Six people completed the survey, so all six reached the question: five answered, none
    declined, and one skipped. Withholding only the skip would leave 6 - 5 - 0 = 1."""
    cells = suppress_question([3, 2], answered=5, skipped=1, declined=0, minimum=5)
    line = [cells.answered, cells.skipped, cells.declined]
    assert cells.skipped.withheld
    assert sum(cell.withheld for cell in line) >= 2
    assert cells.options is not None
    # `answered` is also the total of its options: withholding it took an option with it.
    assert sum(cell.withheld for cell in (*cells.options.cells, cells.options.total)) != 1


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), st.lists(counts, min_size=1, max_size=6)),
    counts,
    counts,
    minimums,
)
def test_no_count_of_a_question_can_be_worked_out_from_either_of_its_lines(
    options: list[int] | None, skipped: int, declined: int, minimum: int
) -> None:
    answered = sum(options) if options is not None else skipped + declined + 1
    cells = suppress_question(options, answered, skipped, declined, minimum)
    reached = [cells.answered, cells.skipped, cells.declined]
    assert sum(cell.withheld for cell in reached) != 1
    if cells.options is not None:
        assert sum(c.withheld for c in (*cells.options.cells, cells.options.total)) != 1
    everything = [*reached, *(cells.options.cells if cells.options else ())]
    assert not [c.count for c in everything if c.count is not None and 0 < c.count < minimum]


def test_counts_that_make_no_line_are_withheld_alone_and_listed_without_telling_their_size() -> (
    None
):
    shown = suppress_counts({"water": 3, "fees": 12, "agents": 1, "roads": 7, "noise": 0}, 5)
    assert [(name, cell.label(5)) for name, cell in shown] == [
        ("fees", "12"),
        ("roads", "7"),
        ("noise", "0"),
        ("agents", "<5"),  # withheld ones by name: 1 and 3 in no telling order
        ("water", "<5"),
    ]
