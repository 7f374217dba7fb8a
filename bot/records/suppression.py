"""Small-cell suppression: which counts of an aggregate may be shown to an organisation.

Pure (no I/O): the CLI, the JSON API and the console all pass their counts through here, so a
count is withheld the same way wherever it is read.

The rules, with `minimum` the smallest count that may be shown (default 5):

- **Primary suppression.** A count in 1..minimum-1 is withheld: a group that small could be
  a handful of people the reader knows.
- **Zeros.** A 0 is shown (the convention: "nobody chose this" is what a reader expects to
  see), except in a line whose total is itself withheld by primary suppression: there every
  cell is withheld, zeros included. Why: in a group of 1..minimum-1 people, showing which
  options nobody chose tells what the few of them chose (three respondents in a language,
  two options at 0: all three chose the third). In a group of at least `minimum` the same
  fact concerns at least `minimum` people, which is what an aggregate is for.
- **Complementary (secondary) suppression.** A table is read as lines, each "its cells sum to
  its total": a 1-D distribution with its total; in a 2-D table each row with its row total,
  each column with its column total, the row of column totals with the grand total and the
  column of row totals with the grand total. A line with exactly one withheld entry would
  give it away by subtraction, so another entry of that line is withheld (the smallest
  remaining cell, non-zero ones first; the total only when no cell is left), and this repeats
  until no line has exactly one.
- **All lines together.** Lines one at a time are not enough: two row totals minus a column
  total, with shown zeros pinning the rest, can still give a withheld count away. So the
  shown entries are then read as a system of equations (`bot/records/determined.py`, exact),
  and while a withheld entry can be worked out, the smallest shown cell of a line through it
  (non-zero first) is withheld too. What a reader knows from elsewhere counts as shown: the
  people a question reached, and the question's own counts beside its breakdown.

A withheld count is a `Cell` whose `count` is None. Cells withheld to protect another are not
told apart from cells withheld for being small: telling them apart would say which withheld
cell is the small one. So an output says of every withheld cell "fewer than `minimum`, or
withheld so that one that is cannot be worked out" (`Cell.label` prints `<5`).

Tables read beside each other: `suppress_table` takes the row totals and total withheld by
the 1-D result of the same rows (`withheld_row_totals`, `withheld_total`) so that a
question's breakdown agrees with its own distribution. Two choice questions crossed, whose
two breakdowns hold the same cells, are protected as one table (`bot/records/crossed.py`);
the same rows by language and by channel, which share their row totals and total, are
protected together (`bot/records/side_by_side.py`); and who completed and who did not, of
those who started, is one line wherever it is shown (`suppress_completion`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.records.determined import worked_out
from bot.settings.privacy import DEFAULT_MIN_CELL, LOWEST_MIN_CELL

__all__ = [
    "DEFAULT_MIN_CELL",
    "LOWEST_MIN_CELL",
    "Cell",
    "Distribution",
    "SuppressionError",
    "Table",
    "check_minimum",
    "suppress_completion",
    "suppress_count",
    "suppress_counts",
    "suppress_distribution",
    "suppress_question",
    "suppress_table",
]


class SuppressionError(ValueError):
    """Counts or a minimum this module cannot work with (a negative count, a minimum below 2,
    a ragged table)."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One count as it may be shown: `count` is None when it is withheld."""

    count: int | None

    @property
    def withheld(self) -> bool:
        return self.count is None

    def label(self, minimum: int) -> str:
        """The count, or `<minimum` when withheld."""
        return f"<{minimum}" if self.count is None else str(self.count)


@dataclass(frozen=True, slots=True)
class Distribution:
    """A 1-D distribution (options of a question, say) and its total."""

    cells: tuple[Cell, ...]
    total: Cell


@dataclass(frozen=True, slots=True)
class QuestionCells:
    """A question's counts as shown: its options (a distribution whose total is `answered`;
    None for a question without options), how many answered, skipped and declined, how many
    stopped there, and how many it was asked of."""

    options: Distribution | None
    answered: Cell
    skipped: Cell
    declined: Cell
    stopped: Cell  # asked it, never answered, skipped or declined it
    asked: Cell  # the four above together


@dataclass(frozen=True, slots=True)
class Table:
    """A 2-D breakdown: `cells[row][column]`, row totals, column totals and the grand total
    (each total is the sum of its line's cells)."""

    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    total: Cell


def check_minimum(minimum: int) -> int:
    """`minimum`, or SuppressionError when it would not protect anyone (below 2)."""
    if minimum < LOWEST_MIN_CELL:
        raise SuppressionError(f"the minimum cell size must be at least {LOWEST_MIN_CELL}")
    return minimum


def suppress_count(count: int, minimum: int) -> Cell:
    """A count shown on its own (in no line with others): primary suppression only."""
    check_minimum(minimum)
    _check_counts([count])
    return Cell(None if _small(count, minimum) else count)


def suppress_counts(counts: Mapping[str, int], minimum: int) -> list[tuple[str, Cell]]:
    """Counts that make no line (themes: an answer may carry several, so they add up to
    nothing shown), each withheld on its own when small. Shown ones first, largest first;
    withheld ones after, by name, so that their order says nothing of their size."""
    cells = [(name, suppress_count(count, minimum)) for name, count in counts.items()]
    return sorted(cells, key=lambda item: (item[1].withheld, -(item[1].count or 0), item[0]))


def suppress_distribution(
    counts: Sequence[int], minimum: int, *, total: int | None = None
) -> Distribution:
    """A 1-D distribution shown with its total (the sum of `counts` unless given: the people
    who answered a multiple-choice question, say, fewer than the choices they made; the line is
    then treated as a sum all the same, which only ever withholds more)."""
    check_minimum(minimum)
    whole = sum(counts) if total is None else total
    _check_counts([*counts, whole])
    entries: list[_Entry] = [("c", n) for n in range(len(counts))]
    values: dict[_Entry, int] = {("c", n): count for n, count in enumerate(counts)}
    values[("t",)] = whole
    withheld = _suppress(values, [(entries, ("t",))], minimum, set())
    return Distribution(
        tuple(_cell(values, entry, withheld) for entry in entries), _cell(values, ("t",), withheld)
    )


def suppress_completion(started: int, completed: int, minimum: int) -> Distribution:
    """Those who completed and those who did not, of those who started: one line, protected
    as one wherever it is shown (results, progress), so that started less completed never
    gives back a count either page withholds."""
    return suppress_distribution(
        [min(completed, started), max(started - completed, 0)], minimum, total=started
    )


def suppress_question(
    options: Sequence[int] | None,
    answered: int,
    skipped: int,
    declined: int,
    minimum: int,
    *,
    stopped: int = 0,
) -> QuestionCells:
    """A question's counts, protected as the two lines they are: its options sum to
    `answered` (as a distribution: see `suppress_distribution`), and answered + skipped +
    declined + stopped (asked, never answered) sum to the people the question was asked of
    (`asked`, shown) — a number a reader could often work out anyway (everyone who completed
    was asked every question), so a lone withheld skip count is never left for subtraction to
    reveal."""
    check_minimum(minimum)
    counts = list(options or ())
    _check_counts([*counts, answered, skipped, declined, stopped])
    option_entries: list[_Entry] = [("c", n) for n in range(len(counts))]
    values: dict[_Entry, int] = {("c", n): count for n, count in enumerate(counts)}
    values |= {("a",): answered, ("s",): skipped, ("d",): declined, ("x",): stopped}
    values[("t",)] = answered + skipped + declined + stopped
    lines: list[_Line] = [([("a",), ("s",), ("d",), ("x",)], ("t",))]
    if options is not None:
        lines.append((option_entries, ("a",)))
    withheld = _suppress(values, lines, minimum, set(), known={("t",)})
    distribution = (
        Distribution(
            tuple(_cell(values, entry, withheld) for entry in option_entries),
            _cell(values, ("a",), withheld),
        )
        if options is not None
        else None
    )
    return QuestionCells(
        distribution,
        _cell(values, ("a",), withheld),
        _cell(values, ("s",), withheld),
        _cell(values, ("d",), withheld),
        _cell(values, ("x",), withheld),
        _cell(values, ("t",), withheld),
    )


def suppress_table(
    counts: Sequence[Sequence[int]],
    minimum: int,
    *,
    withheld_row_totals: Collection[int] = (),
    withheld_total: bool = False,
    known_row_totals: Collection[int] = (),
    known_total: bool = False,
) -> Table:
    """A 2-D table shown with row totals, column totals and the grand total.

    `withheld_row_totals` (row indexes) and `withheld_total` start withheld: what the 1-D
    result of the same rows withholds, when its counts are this table's row totals, so that
    reading both never reveals what either withholds. `known_row_totals` and `known_total`
    are what a reader knows from elsewhere (what that 1-D result shows): they count as shown
    when checking that no withheld count can be worked out, and are never withheld for it."""
    check_minimum(minimum)
    widths = {len(row) for row in counts}
    if len(widths) > 1:
        raise SuppressionError("every row of a table must have as many cells")
    width = widths.pop() if widths else 0
    _check_counts([count for row in counts for count in row])
    values: dict[_Entry, int] = {}
    for r, row in enumerate(counts):
        for c, count in enumerate(row):
            values[("c", r, c)] = count
        values[("r", r)] = sum(row)
    for c in range(width):
        values[("k", c)] = sum(row[c] for row in counts)
    values[("t",)] = sum(values[("r", r)] for r in range(len(counts)))
    rows, columns = range(len(counts)), range(width)
    lines: list[_Line] = [([("c", r, c) for c in columns], ("r", r)) for r in rows]
    lines += [([("c", r, c) for r in rows], ("k", c)) for c in columns]
    lines.append(([("k", c) for c in columns], ("t",)))
    lines.append(([("r", r) for r in rows], ("t",)))
    seeded: set[_Entry] = {("r", r) for r in withheld_row_totals if 0 <= r < len(counts)}
    if withheld_total:
        seeded.add(("t",))
    known: set[_Entry] = {("r", r) for r in known_row_totals if 0 <= r < len(counts)}
    if known_total:
        known.add(("t",))
    withheld = _suppress(values, lines, minimum, seeded, known - seeded)
    return Table(
        cells=tuple(tuple(_cell(values, ("c", r, c), withheld) for c in columns) for r in rows),
        row_totals=tuple(_cell(values, ("r", r), withheld) for r in rows),
        column_totals=tuple(_cell(values, ("k", c), withheld) for c in columns),
        total=_cell(values, ("t",), withheld),
    )


# An entry of a table: ("c", row, column) a cell, ("r", row) / ("k", column) a row or column
# total, ("t",) the grand total; in a distribution ("c", n) and ("t",).
_Entry = tuple[str, ...] | tuple[str, int] | tuple[str, int, int]
_Line = tuple[list[_Entry], _Entry]  # the cells of a line, and its total


def _suppress(
    values: dict[_Entry, int],
    lines: list[_Line],
    minimum: int,
    seeded: set[_Entry],
    known: Collection[_Entry] = (),
) -> set[_Entry]:
    """The entries to withhold: small ones, every cell of a line whose total is small, what
    was `seeded`, then complements until no line has exactly one withheld entry, then more
    until no withheld entry can be worked out from the shown ones and `known` (what a reader
    knows from elsewhere) with all the lines together."""
    withheld = {entry for entry, value in values.items() if _small(value, minimum)} | seeded
    for cells, total in lines:
        if _small(values[total], minimum):
            withheld.update(cells)
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            if sum(entry in withheld for entry in (*cells, total)) != 1:
                continue
            withheld.add(_complement(values, cells, total, withheld))
            changed = True
    while found := _worked_out(values, lines, withheld, known):
        more = _further(values, lines, found, withheld, known)
        if more is None:
            break
        withheld.add(more)
    return withheld


def _worked_out(
    values: dict[_Entry, int],
    lines: list[_Line],
    withheld: set[_Entry],
    known: Collection[_Entry],
) -> set[_Entry]:
    """The withheld entries a reader can work out from the shown ones, the lines taken all
    together. What a reader knows from elsewhere (`known`) counts as shown; so do the cells of
    a line whose shown total is 0 (nobody there: the total says each cell is 0)."""
    pinned = {
        entry
        for cells, total in lines
        if values[total] == 0 and (total not in withheld or total in known)
        for entry in cells
    }
    return worked_out(lines, withheld - set(known) - pinned)


def _further(
    values: dict[_Entry, int],
    lines: list[_Line],
    found: set[_Entry],
    withheld: set[_Entry],
    known: Collection[_Entry],
) -> _Entry | None:
    """The next entry to withhold so that `found` can no longer be worked out: the smallest
    shown cell of a line through one of them (non-zero first, a line's total last); any
    shown entry of the lines next to those when they have none left (and so on outwards: in
    two tables of the same cells, the line that gives a cell away may only meet it through
    lines already withheld); None when nothing is left to withhold."""
    near: set[_Entry] = set(found)
    candidates: set[tuple[_Entry, bool]] = set()
    while not candidates:
        through = [line for line in lines if near & {*line[0], line[1]}]
        reached = {entry for cells, total in through for entry in (*cells, total)}
        candidates = {
            (entry, entry == total)
            for cells, total in through
            for entry in (*cells, total)
            if entry not in withheld and entry not in known
        }
        if reached <= near:
            break
        near |= reached
    if not candidates:
        return None
    entry, _ = min(
        candidates, key=lambda item: (item[1], values[item[0]] == 0, values[item[0]], repr(item[0]))
    )
    return entry


def _complement(
    values: dict[_Entry, int], cells: list[_Entry], total: _Entry, withheld: set[_Entry]
) -> _Entry:
    """The entry of a line to withhold beside its one withheld entry: the smallest shown cell,
    a non-zero one if any (withholding a 0 protects little: a reader may guess it is 0); the
    total only when every cell is withheld."""
    shown = [entry for entry in cells if entry not in withheld]
    if not shown:
        return total
    return min(shown, key=lambda entry: (values[entry] == 0, values[entry]))


def _small(count: int, minimum: int) -> bool:
    return 0 < count < minimum


def _cell(values: dict[_Entry, int], entry: _Entry, withheld: set[_Entry]) -> Cell:
    return Cell(None if entry in withheld else values[entry])


def _check_counts(counts: Sequence[int]) -> None:
    if any(count < 0 for count in counts):
        raise SuppressionError("a count cannot be negative")
