"""Two choice questions crossed, "this by that" and "that by this": the same cross counts on
two pages. Read together with every other breakdown the campaign offers and the questions'
own counts, they leave no withheld count to be worked out (the real pipeline on a real Redis
for the case that once leaked; then random small campaigns, checked exactly)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations, product

from hypothesis import example, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from bot.conversation.inbound import Answer, Channel, Join
from bot.records import tally
from bot.records.determined import worked_out
from bot.records.results import (
    NO_ANSWER,
    CampaignResults,
    QuestionResults,
    campaign_results,
    results_of,
)
from bot.records.suppression import Cell
from dialogues import Survey, parse
from dialogues.inbound import ChoiceReply, Skip
from dialogues.model import QuestionKind
from tests.kit.runtime import Runtime, make_runtime

TWO = """\
spec_version: 1
id: two-2026
organisation: {en: "Maji Co"}
title: {en: "Two"}
languages: [en]
default_language: en
promise: {en: "We will tell you by March."}
questions:
  - id: q1
    kind: single_choice
    optional: true
    text: {en: "First?"}
    options:
      - {id: a, text: {en: "A"}}
      - {id: b, text: {en: "B"}}
  - id: q2
    kind: single_choice
    optional: true
    text: {en: "Second?"}
    options:
      - {id: x, text: {en: "X"}}
      - {id: y, text: {en: "Y"}}
"""
# (answer to q1, answer to q2) -> how many people; None: skipped
CROWD = {
    ("a", "x"): 3,
    ("a", None): 6,
    ("b", "x"): 6,
    ("b", "y"): 6,
    ("b", None): 5,
    (None, "x"): 2,
}


async def fill(runtime: Runtime, survey: Survey) -> None:
    n = 0
    for (first, second), count in CROWD.items():
        for _ in range(count):
            n += 1
            pid = runtime.participant(f"user{n}", Channel.WHATSAPP)
            for action in (
                Join(survey.id, "en", updates=False),
                Answer(ChoiceReply("q1", (first,)) if first else Skip("q1")),
                Answer(ChoiceReply("q2", (second,)) if second else Skip("q2")),
            ):
                await runtime.ingestor.ingest(
                    runtime.event(pid, action, f"addr-{n}", Channel.WHATSAPP)
                )
                await runtime.drain()


def question(found: CampaignResults, qid: str) -> QuestionResults:
    return next(q for q in found.questions if q.question_id == qid)


async def test_two_breakdowns_of_the_same_cross_counts_give_no_withheld_count_back(
    redis_client: Redis,
) -> None:
    """Three people chose A then X. Page ?by=q2 showed column X's total (9), page ?by=q1
    showed (X, B) = 6: 9 - 6 gave back the 3 both pages withheld."""
    survey = parse(TWO)
    runtime = make_runtime(redis_client, shards=3)
    await runtime.campaigns.load(TWO, open_now=True)
    await fill(runtime, survey)
    by_q2 = await campaign_results(runtime.redis, runtime.schema, survey, by="q2", minimum=5)
    by_q1 = await campaign_results(runtime.redis, runtime.schema, survey, by="q1", minimum=5)
    q1_by_q2 = question(by_q2, "q1").breakdown
    q2_by_q1 = question(by_q1, "q2").breakdown
    assert q1_by_q2 is not None
    assert q2_by_q1 is not None
    t1, t2 = (
        q1_by_q2.table,
        q2_by_q1.table,
    )  # t1: rows a, b by x, y, (no answer); t2: x, y by a, b, (no answer)
    assert t1.cells[0][0].count is None  # (a, x) on the page ?by=q2
    assert t2.cells[0][0].count is None  # (x, a) on the page ?by=q1
    # Both pages withhold the same cells of the cross counts they share.
    for i, j in product(range(2), range(2)):
        assert t1.cells[i][j].withheld == t2.cells[j][i].withheld
    assert t1.column_totals[0].count is None or t2.cells[0][1].count is None
    # What is shown is still the truth.
    assert t1.row_totals[1].count == 17  # everyone who chose B
    assert t2.row_totals[1].count == 6  # everyone who chose Y


# A random small campaign: its questions (single or multiple choice, their options), and how
# many people gave each combination of answers (a profile: per question, the options chosen;
# none chosen is a skip).
Profile = tuple[frozenset[str], ...]
# What a shown number adds up: people by their answers, or those who declined or stopped at a
# question ("declined", n), ("stopped", n).
Group = Profile | tuple[str, int]
OPTIONS = ("a", "b", "c")
COUNTS = (1, 2, 3, 4, 5, 6, 8, 12)


def survey_of(kinds: tuple[tuple[bool, int], ...]) -> Survey:
    """Questions q0, q1, ... each `(single, options)`: optional, so a skip is an answer."""
    lines = [
        "spec_version: 1",
        "id: crossed-2026",
        'organisation: {en: "Maji Co"}',
        'title: {en: "Crossed"}',
        "languages: [en]",
        "default_language: en",
        'promise: {en: "We will tell you by March."}',
        "questions:",
    ]
    for n, (single, width) in enumerate(kinds):
        lines += [
            f"  - id: q{n}",
            f"    kind: {'single_choice' if single else 'multiple_choice'}",
            "    optional: true",
            f'    text: {{en: "Q{n}?"}}',
            *([] if single else ["    min: 1", f"    max: {width}"]),
            "    options:",
            *(f'      - {{id: {o}, text: {{en: "{o}"}}}}' for o in OPTIONS[:width]),
        ]
    return parse("\n".join(lines) + "\n")


def answers(single: bool, width: int) -> list[frozenset[str]]:
    """Every answer a question takes: none (skipped), one option, or (multiple) several."""
    sizes = range(2) if single else range(width + 1)
    return [frozenset(c) for size in sizes for c in combinations(OPTIONS[:width], size)]


def counters(survey: Survey, crowd: dict[Profile, int]) -> dict[str, int]:
    """The counters the commits would keep for `crowd` (summed over the shards)."""
    counts: defaultdict[str, int] = defaultdict(int)
    ids = [q.id for q in survey.questions]
    for profile, people in crowd.items():
        for qid, chosen in zip(ids, profile, strict=True):
            status = tally.ANSWERED if chosen else tally.SKIPPED
            counts[tally.status_field(qid, status)] += people
            for option in chosen:
                counts[tally.option_field(qid, option)] += people
        for (qa, ca), (qb, cb) in combinations(zip(ids, profile, strict=True), 2):
            for oa, ob in product(ca, cb):
                counts[tally.cross_field(qa, oa, qb, ob)] += people
    return counts


def published(
    survey: Survey, crowd: dict[Profile, int], minimum: int
) -> list[tuple[Sequence[Group], Cell]]:
    """Every number a reader sees on every page the campaign offers (its results without a
    breakdown and by each crossed question), each as the profiles it adds up (one a time per
    count it adds: a multiple choice counts a person once per option chosen)."""
    ids: list[str] = [q.id for q in survey.questions]
    single = [q.kind is QuestionKind.SINGLE_CHOICE for q in survey.questions]
    everyone = list(
        product(
            *(answers(s, len(q.options)) for s, q in zip(single, survey.questions, strict=True))
        )
    )
    counts = counters(survey, crowd)
    shown: list[tuple[Sequence[Group], Cell]] = []

    def chose(n: int, option: str) -> list[Profile]:
        return [p for p in everyone if option in p[n]]

    pages = [results_of(survey, counts, by=None, minimum=minimum)]
    pages += [results_of(survey, counts, by=by, minimum=minimum) for by in ids]
    for page in pages:
        for n, found in enumerate(page.questions):
            for option in found.options:
                shown.append((chose(n, option.option_id), option.count))
            shown.append(([p for p in everyone if p[n]], found.answered))
            shown.append(([p for p in everyone if not p[n]], found.skipped))
            # Nobody declined or stopped here, but a reader does not know it when withheld.
            shown.append(([("declined", n)], found.declined))
            shown.append(([("stopped", n)], found.stopped_here))
            shown.append(([*everyone, ("declined", n), ("stopped", n)], found.asked))
            if found.breakdown is None:
                continue
            by = ids.index(found.breakdown.by)
            table = found.breakdown.table
            rows: list[list[list[Profile]]] = []
            for mine, cells in zip(found.breakdown.rows, table.cells, strict=True):
                row = [
                    [p for p in chose(n, mine) if not p[by]]
                    if column == NO_ANSWER
                    else [p for p in chose(n, mine) if column in p[by]]
                    for column in found.breakdown.columns
                ]
                rows.append(row)
                shown += zip(row, cells, strict=True)
            for r, total in enumerate(table.row_totals):
                shown.append(([p for line in rows[r] for p in line], total))
            for c, total in enumerate(table.column_totals):
                shown.append(([p for row in rows for p in row[c]], total))
            shown.append(([p for row in rows for line in row for p in line], table.total))
    return shown


campaigns = st.lists(st.tuples(st.booleans(), st.integers(2, 3)), min_size=2, max_size=3).filter(
    lambda kinds: sum(1 if single else 2 for single, _ in kinds) <= 4
)


@st.composite
def crowds(draw: st.DrawFn) -> tuple[tuple[tuple[bool, int], ...], dict[Profile, int]]:
    kinds = tuple(draw(campaigns))
    everyone = list(product(*(answers(single, width) for single, width in kinds)))
    chosen = draw(st.lists(st.sampled_from(everyone), min_size=1, max_size=10, unique=True))
    return kinds, {profile: draw(st.sampled_from(COUNTS)) for profile in chosen}


@settings(max_examples=150, deadline=None)
@given(crowds())
@example(  # the review's case: 3 chose A and X, both pages withheld it, 9 - 6 gave it back
    (
        ((True, 2), (True, 2)),
        {
            (frozenset("a"), frozenset("a")): 3,
            (frozenset("a"), frozenset()): 6,
            (frozenset("b"), frozenset("a")): 6,
            (frozenset("b"), frozenset("b")): 6,
            (frozenset("b"), frozenset()): 5,
            (frozenset(), frozenset("a")): 2,
        },
    )
)
def test_no_withheld_count_can_be_worked_out_from_every_breakdown_together(
    drawn: tuple[tuple[tuple[bool, int], ...], dict[Profile, int]],
) -> None:
    """Every page the campaign offers, read together with the questions' own counts: each
    shown number is an equation in how many people gave each combination of answers (and
    declined or stopped at each question); no small withheld count may follow from them all."""
    kinds, crowd = drawn
    survey = survey_of(kinds)
    shown = published(survey, crowd, minimum=5)
    lines: list[tuple[list[object], object]] = []
    withheld: set[object] = set()
    truth: dict[object, int] = {}
    unknown: set[object] = set()
    for n, (profiles, cell) in enumerate(shown):
        unknown.update(profiles)
        value = sum(crowd.get(p, 0) for p in profiles if not isinstance(p[0], str))
        assert cell.count in (None, value)  # what is shown is the truth
        lines.append((list(profiles), ("shown", n)))
        truth[("shown", n)] = value
        if cell.withheld:
            withheld.add(("shown", n))
    found = worked_out(lines, withheld | unknown)
    assert {entry: truth[entry] for entry in found & withheld if 0 < truth[entry] < 5} == {}
