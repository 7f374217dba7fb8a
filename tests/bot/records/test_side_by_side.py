"""A campaign's results and progress by language and by channel: the same people counted two
ways, on pages a reader can put side by side. Read together with every other page the
campaign offers (its results without a breakdown and by each crossed question, and how far
people got overall), they leave no withheld count to be worked out (random small campaigns,
checked exactly)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from itertools import combinations, product

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.conversation.inbound import Channel
from bot.records import tally
from bot.records.determined import worked_out
from bot.records.progress import CampaignProgress, progress_of
from bot.records.results import BY_CHANNEL, BY_LANGUAGE, NO_ANSWER, results_of
from bot.records.side_by_side import suppress_side_by_side
from bot.records.suppression import Cell, suppress_table
from dialogues import Survey
from dialogues.model import Language
from tests.bot.records.test_crossed import COUNTS, answers, survey_of

LANGUAGES = ("en", "sw")
CHANNELS = tuple(channel.value for channel in Channel)
# One kind of person: their language, their channel, whether they completed, and per question
# the options they chose (none: skipped).
Person = tuple[str, str, bool, tuple[frozenset[str], ...]]
# What a shown number adds up: kinds of people, or those who declined or stopped at a question
# (("declined", n), ("stopped", n): nobody here, but a reader does not know it).
Group = Person | tuple[str, int]


def in_languages(survey: Survey) -> Survey:
    """The generated survey, spoken in two languages (its texts are not read here)."""
    return replace(survey, languages=tuple(Language(code) for code in LANGUAGES))


def counters(survey: Survey, crowd: dict[Person, int]) -> dict[str, int]:
    """The counters the commits would keep for `crowd` (summed over the shards)."""
    counts: defaultdict[str, int] = defaultdict(int)
    ids = [q.id for q in survey.questions]
    for (language, channel, done, chosen_all), people in crowd.items():
        dimensions = ("", tally.language_dimension(language), tally.channel_dimension(channel))
        for dimension in dimensions:
            counts[tally.SESSIONS + dimension] += people
            counts[tally.COMPLETED + dimension] += people if done else 0
            for qid, chosen in zip(ids, chosen_all, strict=True):
                status = tally.ANSWERED if chosen else tally.SKIPPED
                counts[tally.status_field(qid, status, dimension)] += people
                for option in chosen:
                    counts[tally.option_field(qid, option, dimension)] += people
        for (qa, ca), (qb, cb) in combinations(zip(ids, chosen_all, strict=True), 2):
            for oa, ob in product(ca, cb):
                counts[tally.cross_field(qa, oa, qb, ob)] += people
    return counts


def groups(people: Iterable[Group]) -> list[Group]:
    return list(people)


def progress_shown(
    everyone: list[Person], found: CampaignProgress
) -> list[tuple[list[Group], Cell]]:
    shown: list[tuple[list[Group], Cell]] = []

    def figures(people: list[Person], started: Cell, completed: Cell, dropped: Cell) -> None:
        shown.append((groups(people), started))
        shown.append((groups(p for p in people if p[2]), completed))
        shown.append((groups(p for p in people if not p[2]), dropped))

    overall = found.overall
    figures(everyone, overall.started, overall.completed, overall.dropped_off)
    for at, by in ((0, found.by_language), (1, found.by_channel)):
        for value, row in zip(by.values, by.rows, strict=True):
            people = [p for p in everyone if p[at] == value]
            figures(people, row.started, row.completed, row.dropped_off)
    return shown


def published(
    survey: Survey, crowd: dict[Person, int], minimum: int
) -> list[tuple[list[Group], Cell]]:
    """Every number a reader sees on every page the campaign offers, each as the kinds of
    people it adds up (once per count: a multiple choice counts a person once per option)."""
    ids: list[str] = [q.id for q in survey.questions]
    everyone: list[Person] = [
        (language, channel, done, chosen)
        for language, channel, done in product(LANGUAGES, CHANNELS, (True, False))
        for chosen in product(
            *(answers(q.kind.value == "single_choice", len(q.options)) for q in survey.questions)
        )
    ]
    counts = counters(survey, crowd)
    shown = progress_shown(everyone, progress_of(survey, counts, minimum=minimum))

    def chose(n: int, option: str) -> list[Person]:
        return [p for p in everyone if option in p[3][n]]

    def column(people: list[Person], by: str, value: str) -> list[Person]:
        if by == BY_LANGUAGE:
            return [p for p in people if p[0] == value]
        if by == BY_CHANNEL:
            return [p for p in people if p[1] == value]
        at = ids.index(by)
        return [p for p in people if (not p[3][at] if value == NO_ANSWER else value in p[3][at])]

    pages = [results_of(survey, counts, by=by, minimum=minimum) for by in (None, *ids)]
    pages += [
        results_of(survey, counts, by=by, minimum=minimum) for by in (BY_LANGUAGE, BY_CHANNEL)
    ]
    for page in pages:
        shown.append((list(everyone), page.started))
        shown.append(([p for p in everyone if p[2]], page.completed))
        for n, found in enumerate(page.questions):
            for option in found.options:
                shown.append((groups(chose(n, option.option_id)), option.count))
            shown.append(([p for p in everyone if p[3][n]], found.answered))
            shown.append(([p for p in everyone if not p[3][n]], found.skipped))
            shown.append(([("declined", n)], found.declined))
            shown.append(([("stopped", n)], found.stopped_here))
            shown.append(([*everyone, ("declined", n), ("stopped", n)], found.asked))
            if found.breakdown is None:
                continue
            table = found.breakdown.table
            rows: list[list[list[Group]]] = [
                [
                    groups(column(chose(n, mine), found.breakdown.by, value))
                    for value in found.breakdown.columns
                ]
                for mine in found.breakdown.rows
            ]
            for row, cells in zip(rows, table.cells, strict=True):
                shown += zip(row, cells, strict=True)
            for r, total in enumerate(table.row_totals):
                shown.append(([p for line in rows[r] for p in line], total))
            for c, total in enumerate(table.column_totals):
                shown.append(([p for row in rows for p in row[c]], total))
            shown.append(([p for row in rows for line in row for p in line], table.total))
    return shown


campaigns = st.lists(st.tuples(st.booleans(), st.integers(2, 3)), min_size=1, max_size=2).filter(
    lambda kinds: sum(1 if single else 2 for single, _ in kinds) <= 3
)


@st.composite
def crowds(draw: st.DrawFn) -> tuple[tuple[tuple[bool, int], ...], dict[Person, int]]:
    kinds = tuple(draw(campaigns))
    chosen_all = list(product(*(answers(single, width) for single, width in kinds)))
    kinds_of_people = st.tuples(
        st.sampled_from(LANGUAGES),
        st.sampled_from(CHANNELS),
        st.booleans(),
        st.sampled_from(chosen_all),
    )
    people = draw(st.lists(kinds_of_people, min_size=1, max_size=6, unique=True))
    return kinds, {person: draw(st.sampled_from(COUNTS)) for person in people}


def _recoverable(survey: Survey, crowd: dict[Person, int]) -> dict[object, int]:
    """The small withheld counts that follow from every number shown, with their values."""
    shown = published(survey, crowd, minimum=5)
    lines: list[tuple[list[object], object]] = []
    withheld: set[object] = set()
    truth: dict[object, int] = {}
    people: dict[object, int] = dict(crowd.items())  # nobody declined or stopped
    unknown: set[object] = set()
    for n, (members, cell) in enumerate(shown):
        unknown.update(members)
        value = sum(people.get(member, 0) for member in members)
        assert cell.count in (None, value)  # what is shown is the truth
        lines.append((list(members), ("shown", n)))
        truth[("shown", n)] = value
        if cell.withheld:
            withheld.add(("shown", n))
    found = worked_out(lines, withheld | unknown)
    return {entry: truth[entry] for entry in found & withheld if 0 < truth[entry] < 5}


@settings(max_examples=60, deadline=None)
@given(crowds())
@example(  # three Swahili speakers on WhatsApp chose A: a language's column and a channel's
    (
        ((True, 2),),
        {
            ("sw", "whatsapp", True, (frozenset("a"),)): 3,
            ("en", "whatsapp", True, (frozenset("a"),)): 6,
            ("en", "telegram", True, (frozenset("b"),)): 8,
            ("sw", "telegram", False, (frozenset("b"),)): 5,
        },
    )
)
def test_no_withheld_count_can_be_worked_out_from_language_and_channel_pages_together(
    drawn: tuple[tuple[tuple[bool, int], ...], dict[Person, int]],
) -> None:
    """Each shown number is an equation in how many people of each kind there are (language,
    channel, completed or not, answers); no small withheld count may follow from them all."""
    kinds, crowd = drawn
    assert _recoverable(in_languages(survey_of(kinds)), crowd) == {}


def test_results_and_progress_withhold_who_completed_alike() -> None:
    """Two of 16 people did not complete. The campaign page withheld it (completed and not,
    of who started); the results page showed started (16) and completed (14) as two counts,
    and 16 - 14 gave the 2 back."""
    survey = in_languages(survey_of(((True, 2),)))
    crowd: dict[Person, int] = {
        ("en", "whatsapp", True, (frozenset("a"),)): 6,
        ("en", "telegram", False, (frozenset("b"),)): 2,
        ("sw", "telegram", True, (frozenset("b"),)): 8,
    }
    counts = counters(survey, crowd)
    progress = progress_of(survey, counts, minimum=5).overall
    results = results_of(survey, counts, by=None, minimum=5)
    assert progress.dropped_off.withheld
    assert progress.started == results.started
    assert progress.completed == results.completed
    assert results.completed.withheld
    assert _recoverable(survey, crowd) == {}


def test_tables_side_by_side_withhold_their_shared_totals_alike() -> None:
    """Rows whose 1-D result withholds a total: every table withholds it, the tables withhold
    the same shared totals, every shown count is the truth; one table alone is protected
    exactly as `suppress_table` protects it."""
    by_language = [[2, 3], [9, 8]]
    by_channel = [[5, 0, 0], [8, 8, 1]]
    given = {"withheld_row_totals": [0], "known_row_totals": [1]}
    first, second = suppress_side_by_side([by_language, by_channel], 5, **given)  # type: ignore[arg-type]
    assert first.row_totals[0].withheld
    assert [c.withheld for c in first.row_totals] == [c.withheld for c in second.row_totals]
    assert first.total.withheld == second.total.withheld
    for table, counts in ((first, by_language), (second, by_channel)):
        for row, cells in zip(counts, table.cells, strict=True):
            assert all(cell.count in (None, n) for n, cell in zip(row, cells, strict=True))
    alone = suppress_side_by_side([by_channel], 5, **given)  # type: ignore[arg-type]
    assert alone == (suppress_table(by_channel, 5, **given),)  # type: ignore[arg-type]
