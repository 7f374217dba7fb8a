"""A question's results as getResults and exportResults show them (its 1-D counts and its
breakdown, side by side in one file): no withheld count can be worked out from the shown ones
by adding and subtracting any of its lines together, not just one line at a time."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.records import tally
from bot.records.results import QuestionResults, _Breakdown, _question
from bot.records.suppression import Cell
from dialogues.model import Option, OptionId, Question, QuestionId, QuestionKind
from tests.kit.equations import fixed

LANGUAGES = ("en", "fr", "sw", "ar")


def results(cells: Sequence[Sequence[int]], skipped: int, declined: int) -> QuestionResults:
    """A single-choice question (one row of `cells` per option, one column per language) as
    the results read it, broken down by language, minimum 5."""
    languages = LANGUAGES[: len(cells[0])]
    question = Question(
        QuestionId("q"),
        QuestionKind.SINGLE_CHOICE,
        {"en": "Q"},
        options=tuple(Option(OptionId(f"o{n}"), {"en": f"o{n}"}) for n in range(len(cells))),
    )
    dimension = tuple(tally.language_dimension(language) for language in languages)
    counts: dict[str, int] = {}
    for n, row in enumerate(cells):
        counts[tally.option_field("q", f"o{n}")] = sum(row)
        for suffix, count in zip(dimension, row, strict=True):
            counts[tally.option_field("q", f"o{n}", suffix)] = count
    counts[tally.status_field("q", tally.ANSWERED)] = sum(map(sum, cells))
    counts[tally.status_field("q", tally.SKIPPED)] = skipped
    counts[tally.status_field("q", tally.DECLINED)] = declined
    counts[tally.status_field("q", tally.STOPPED)] = 0
    for suffix in dimension:
        for code in (tally.ANSWERED, tally.SKIPPED, tally.DECLINED):
            counts[tally.status_field("q", code, suffix)] = 0
    return _question(question, counts, _Breakdown("language", languages, dimension), 5)


def worked_out(cells: Sequence[Sequence[int]], skipped: int, declined: int) -> dict[str, int]:
    """What a reader can work out of the withheld counts, by name, with their true values:
    every line is an equation, every shown number known, and so is the number of people the
    question reached (a reader can often know it)."""
    shown = results(cells, skipped, declined)
    table = shown.breakdown.table if shown.breakdown else None
    assert table is not None
    rows, width = range(len(cells)), range(len(cells[0]))
    truth: dict[str, int] = {f"x{r}{c}": cells[r][c] for r in rows for c in width}
    truth |= {f"o{r}": sum(cells[r]) for r in rows}
    truth |= {f"k{c}": sum(cells[r][c] for r in rows) for c in width}
    answered = sum(map(sum, cells))
    truth |= {"a": answered, "s": skipped, "d": declined, "reached": answered + skipped + declined}
    published: list[tuple[str, Cell]] = [("a", shown.answered), ("s", shown.skipped)]
    published += [("d", shown.declined), ("a", table.total)]
    published += [(f"o{r}", option.count) for r, option in enumerate(shown.options)]
    published += [(f"o{r}", cell) for r, cell in enumerate(table.row_totals)]
    published += [(f"k{c}", cell) for c, cell in enumerate(table.column_totals)]
    published += [(f"x{r}{c}", table.cells[r][c]) for r in rows for c in width]
    known = {name for name, cell in published if not cell.withheld} | {"reached"}
    for name, cell in published:
        assert cell.count in (None, truth[name])  # what is shown is the truth
    sums: list[tuple[list[str], str]] = [([f"x{r}{c}" for c in width], f"o{r}") for r in rows]
    sums += [([f"x{r}{c}" for r in rows], f"k{c}") for c in width]
    sums += [([f"o{r}" for r in rows], "a"), ([f"k{c}" for c in width], "a")]
    sums += [(["a", "s", "d"], "reached")]
    unknown = [name for name in truth if name not in known]
    return {name: truth[name] for name in fixed(sums, unknown)}


def small(found: dict[str, int]) -> dict[str, int]:
    return {name: value for name, value in found.items() if 0 < value < 5}


def test_a_withheld_count_cannot_be_worked_out_from_several_shown_totals_together() -> None:
    """Two people in French chose o1. Before, column fr's 22 minus (13 + 15 - 8), read from
    two row totals, a column total and the shown zeros, gave that 2 back."""
    cells = [[5, 8, 0], [5, 2, 5], [3, 12, 0]]
    table = results(cells, skipped=2, declined=0).breakdown
    assert table is not None
    assert table.table.cells[1][1].withheld
    assert small(worked_out(cells, skipped=2, declined=0)) == {}


def test_counts_large_enough_are_all_shown() -> None:
    cells = [[5, 8, 6], [7, 9, 5], [6, 12, 10]]
    table = results(cells, skipped=6, declined=0).breakdown
    assert table is not None
    assert [[cell.count for cell in row] for row in table.table.cells] == cells


tables = st.integers(1, 3).flatmap(
    lambda width: st.lists(
        st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8, 12]), min_size=width, max_size=width),
        min_size=2,
        max_size=4,
    )
)


@settings(max_examples=400, deadline=None)
@given(tables, st.sampled_from([0, 1, 2, 6]), st.sampled_from([0, 1, 3, 7]))
# Tables where looking at one line at a time left a small count to be worked out:
@example([[0, 5, 2], [3, 3, 3], [3, 5, 0]], 0, 3)
@example([[3, 2, 12], [0, 0, 0], [3, 0, 12], [0, 8, 12]], 0, 3)
@example([[0, 5, 0], [8, 0, 12], [5, 2, 5], [12, 0, 12]], 2, 0)
@example([[3, 5, 3], [12, 5, 0], [0, 0, 5], [5, 0, 0]], 0, 3)
def test_no_small_withheld_count_can_be_worked_out_from_everything_shown(
    cells: list[list[int]], skipped: int, declined: int
) -> None:
    assert small(worked_out(cells, skipped, declined)) == {}
