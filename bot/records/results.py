"""A campaign's results as an organisation may see them: per question, how many chose each
option, answered, skipped or declined; optionally broken down by another question, the
participants' language or their channel; small cells withheld (bot.records.suppression).

Read from the result counters the commits keep up to date (bot.records.tally), as the latest
results snapshot froze them (bot.records.snapshots: the figures move only once enough people
have changed them, so that no one answer shows by difference): two pipelined round trips over
the shards, whatever the number of respondents. Nothing here reads an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.records import tally
from bot.records.crossed import Margin, suppress_crossed
from bot.records.side_by_side import suppress_side_by_side
from bot.records.snapshots import NO_SNAPSHOT, SnapshotState, read_snapshot
from bot.records.suppression import (
    Cell,
    Distribution,
    QuestionCells,
    Table,
    check_minimum,
    suppress_completion,
    suppress_question,
)
from bot.storage.keys import KeySchema
from dialogues import Survey
from dialogues.model import Question, QuestionKind

BY_LANGUAGE = "language"
BY_CHANNEL = "channel"
# The column of a breakdown by a single-choice question for those who did not answer it (an
# option id cannot hold a space or a bracket).
NO_ANSWER = "(no answer)"
STATUSES = (("answered", tally.ANSWERED), ("skipped", tally.SKIPPED), ("declined", tally.DECLINED))


class ResultsError(Exception):
    """Results that cannot be given as asked; the message says why, for the person asking."""


class UnknownBreakdownError(ResultsError):
    """`by` names no breakdown this campaign keeps."""


@dataclass(frozen=True, slots=True)
class OptionCount:
    option_id: str
    count: Cell


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A question's answers by `by`: `rows` are its options (or "answered", "skipped",
    "declined" for a question without options), `columns` the values of `by`."""

    by: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    table: Table


@dataclass(frozen=True, slots=True)
class QuestionResults:
    question_id: str
    kind: QuestionKind
    options: tuple[OptionCount, ...]  # none for numbers and free text: only how many answered
    answered: Cell
    skipped: Cell
    declined: Cell
    # Drop-off: those asked it (answered, skipped, declined or stopped), and those whose
    # session waits on it, not completed (never answered it; still going, or gone).
    asked: Cell
    stopped_here: Cell
    breakdown: Breakdown | None  # None without `by`, or when `by` cannot break this one down


@dataclass(frozen=True, slots=True)
class CampaignResults:
    campaign_id: str
    minimum: int  # withheld cells are fewer than this, or withheld to protect one that is
    by: str | None
    started: Cell
    completed: Cell
    questions: tuple[QuestionResults, ...]
    # The snapshot these figures are of (bot.records.snapshots), and how many more people must
    # change the results before the next: not figures, so not compared.
    version: int = field(default=0, compare=False)
    needed: int = field(default=0, compare=False)


async def campaign_results(
    redis: Redis, schema: KeySchema, survey: Survey, *, by: str | None, minimum: int
) -> CampaignResults:
    """The campaign's results, small cells withheld; UnknownBreakdownError for a `by` that is not
    "language", "channel" or a choice or scale question whose cross-tabs the campaign keeps."""
    check_minimum(minimum)
    breakdown = _Breakdown.of(survey, by) if by is not None else None
    fields = _fields(survey, breakdown)
    state, counts = await read_snapshot(redis, schema, survey.id, fields, minimum=minimum)
    return results_of(survey, counts, by=by, minimum=minimum, state=state)


def results_of(
    survey: Survey,
    counts: dict[str, int],
    *,
    by: str | None,
    minimum: int,
    state: SnapshotState = NO_SNAPSHOT,
) -> CampaignResults:
    """The results from the campaign's counters summed over the shards, those of snapshot
    `state` (pure: what `campaign_results` shows once it has read them)."""
    check_minimum(minimum)
    breakdown = _Breakdown.of(survey, by) if by is not None else None
    # Those whose answers are stored (bot.records.tally), as the questions' counts: someone who
    # erased their data is out of both (the campaign's own `started` keeps them). Completed and
    # not are one line, protected as the campaign's page protects it (bot.records.progress).
    line = suppress_completion(
        counts.get(tally.SESSIONS, 0), counts.get(tally.COMPLETED, 0), minimum
    )
    return CampaignResults(
        campaign_id=survey.id,
        minimum=minimum,
        by=by,
        started=line.total,
        completed=line.cells[0],
        questions=tuple(
            _question(question, counts, breakdown, minimum)
            for question in survey.questions
            if question.answerable
        ),
        version=state.number,
        needed=state.needed(minimum),
    )


@dataclass(frozen=True)
class _Breakdown:
    """What `by` names: its columns, and each column's counter field of a question's row."""

    name: str
    columns: tuple[str, ...]
    dimension: tuple[str, ...] = ()  # a field suffix per column (language, channel)
    # By language or channel: both's suffixes, protected side by side, and which is this one.
    sides: tuple[tuple[str, ...], ...] = ()
    side: int = 0
    question: Question | None = None  # by another question: its options are the columns
    crossed: frozenset[str] = frozenset()  # questions cross-tabulated with it

    @classmethod
    def of(cls, survey: Survey, by: str) -> _Breakdown:
        if by in (BY_LANGUAGE, BY_CHANNEL):
            languages = tuple(survey.languages)
            channels = tuple(channel.value for channel in Channel)
            sides = (
                tuple(map(tally.language_dimension, languages)),
                tuple(map(tally.channel_dimension, channels)),
            )
            side = 0 if by == BY_LANGUAGE else 1
            values = languages if by == BY_LANGUAGE else channels
            return cls(by, values, sides[side], sides=sides, side=side)
        question = survey.question(by)
        if question is None or question.kind not in tally.TALLIED_KINDS:
            choices = [q.id for q in survey.questions if q.kind in tally.TALLIED_KINDS]
            raise UnknownBreakdownError(
                f"cannot break results down by '{by}': choose {BY_LANGUAGE}, {BY_CHANNEL} or a "
                f"choice or scale question ({', '.join(choices) or 'this survey has none'})"
            )
        if question.id not in tally.tallied(survey).crossed:
            raise UnknownBreakdownError(
                f"breakdowns by '{by}' are not kept: a campaign keeps them between its first "
                f"{tally.MAX_CROSSED_QUESTIONS} choice and scale questions, with at most "
                f"{tally.MAX_CROSSED_SELECTIONS} options chosen in them all at once"
            )
        columns: tuple[str, ...] = tuple(option.id for option in question.options)
        if question.kind is not QuestionKind.MULTIPLE_CHOICE:
            columns += (NO_ANSWER,)
        return cls(by, columns, question=question, crossed=tally.tallied(survey).crossed)

    @property
    def protected_with(self) -> tuple[tuple[str, ...], ...]:
        """The field suffixes of the breakdowns protected together (by default, this one)."""
        return self.sides or (self.dimension,)

    def applies_to(self, question: Question) -> bool:
        if self.question is None:
            return True
        return question.id != self.question.id and question.id in self.crossed


def _fields(survey: Survey, breakdown: _Breakdown | None) -> list[str]:
    """Every counter field the results need."""
    names = [tally.SESSIONS, tally.COMPLETED]
    for question in survey.questions:
        if not question.answerable:
            continue
        suffixes: tuple[str, ...] = ("",)
        if breakdown is not None and breakdown.question is None:
            suffixes += tuple(suffix for side in breakdown.protected_with for suffix in side)
        for suffix in suffixes:
            names += [tally.status_field(question.id, code, suffix) for _, code in STATUSES]
            names += [tally.option_field(question.id, o.id, suffix) for o in question.options]
        names.append(tally.status_field(question.id, tally.STOPPED))
        by = breakdown.question if breakdown is not None else None
        if by is not None and breakdown is not None and breakdown.applies_to(question):
            names += [
                tally.cross_field(question.id, mine.id, by.id, theirs.id)
                for mine in question.options
                for theirs in by.options
            ]
    return names


def _question(
    question: Question, counts: dict[str, int], breakdown: _Breakdown | None, minimum: int
) -> QuestionResults:
    cells = _cells(question, counts, minimum)
    answered, skipped, declined = cells.answered, cells.skipped, cells.declined
    distribution: Distribution | None = cells.options
    shown = (
        tuple(
            OptionCount(option.id, cell)
            for option, cell in zip(question.options, distribution.cells, strict=True)
        )
        if distribution is not None
        else ()
    )
    table = None
    if breakdown is not None:
        lone = (answered, skipped, declined)
        table = _breakdown(question, counts, breakdown, distribution, lone, minimum)
    return QuestionResults(
        question.id,
        question.kind,
        shown,
        answered,
        skipped,
        declined,
        cells.asked,
        cells.stopped,
        table,
    )


def _cells(question: Question, counts: dict[str, int], minimum: int) -> QuestionCells:
    """The question's own counts (its 1-D result), protected."""
    qid = question.id
    status = {name: counts[tally.status_field(qid, code)] for name, code in STATUSES}
    options = [counts[tally.option_field(qid, option.id)] for option in question.options]
    return suppress_question(
        options if options else None,
        status["answered"],
        status["skipped"],
        status["declined"],
        minimum,
        stopped=counts[tally.status_field(qid, tally.STOPPED)],
    )


def _breakdown(
    question: Question,
    counts: dict[str, int],
    breakdown: _Breakdown,
    distribution: Distribution | None,
    lone: tuple[Cell, Cell, Cell],
    minimum: int,
) -> Breakdown | None:
    """The question's 2-D table, its row totals agreeing with (and withheld like) its 1-D
    results wherever they are the same counts."""
    qid, by = question.id, breakdown.question
    if by is not None:
        if distribution is None or not breakdown.applies_to(question):
            return None
        return _by_question(question, by, counts, distribution, minimum)
    if distribution is None:  # numbers, free text: how many answered, skipped, declined
        rows = tuple(name for name, _ in STATUSES)
        sides = [
            [
                [counts[tally.status_field(qid, code, suffix)] for suffix in side]
                for _, code in STATUSES
            ]
            for side in breakdown.protected_with
        ]
        withheld = [n for n, cell in enumerate(lone) if cell.withheld]
        tables = suppress_side_by_side(
            sides,
            minimum,
            withheld_row_totals=withheld,
            known_row_totals=[n for n, cell in enumerate(lone) if not cell.withheld],
            # those the question was asked of, less those who stopped there: a reader can
            # often work it out
            known_total=True,
        )
        return Breakdown(breakdown.name, rows, breakdown.columns, tables[breakdown.side])
    # Every respondent has one language and one channel: the rows sum to the question's own
    # option counts, and (one option each) the grand total is its answered count. The
    # breakdowns by language and by channel share those totals: protected side by side.
    sides = [
        [
            [counts[tally.option_field(qid, option.id, suffix)] for suffix in side]
            for option in question.options
        ]
        for side in breakdown.protected_with
    ]
    tables = suppress_side_by_side(
        sides,
        minimum,
        withheld_row_totals=[n for n, cell in enumerate(distribution.cells) if cell.withheld],
        withheld_total=_total_withheld(question, distribution),
        known_row_totals=_shown(distribution),
        known_total=not _total_withheld(question, distribution),
    )
    table = tables[breakdown.side]
    return Breakdown(breakdown.name, _option_ids(question), breakdown.columns, table)


def _by_question(
    question: Question,
    by: Question,
    counts: dict[str, int],
    distribution: Distribution,
    minimum: int,
) -> Breakdown:
    """Option by option of two choice questions. By a single choice, a last column holds those
    who did not answer it, so each row sums to the question's own count of the option.

    "This by that" and "that by this" are cut from one protected table (bot.records.crossed),
    built in one orientation whichever page is asked (the question whose id sorts first gives
    the rows), so that the two pages withhold the same cells."""
    theirs = _cells(by, counts, minimum).options
    if theirs is None:  # a choice or scale question always has options
        raise ResultsError(f"'{by.id}' has no options to break results down by")
    cross = [
        [
            counts.get(tally.cross_field(question.id, mine.id, by.id, other.id), 0)
            for other in by.options
        ]
        for mine in question.options
    ]
    mine = _margin(question, counts, distribution)
    other = _margin(by, counts, theirs)
    if by.id < question.id:
        _, table = suppress_crossed(
            [list(column) for column in zip(*cross, strict=True)], other, mine, minimum
        )
    else:
        table, _ = suppress_crossed(cross, mine, other, minimum)
    columns = _option_ids(by) + ((NO_ANSWER,) if _single(by) else ())
    return Breakdown(by.id, _option_ids(question), columns, table)


def _margin(question: Question, counts: dict[str, int], shown: Distribution) -> Margin:
    """A question's side of a crossed table: its option counts, as its 1-D result shows them."""
    options = tuple(counts[tally.option_field(question.id, o.id)] for o in question.options)
    return Margin(options, shown, _single(question))


def _shown(distribution: Distribution) -> list[int]:
    """The rows whose totals the question's own 1-D result shows."""
    return [n for n, cell in enumerate(distribution.cells) if not cell.withheld]


def _total_withheld(question: Question, distribution: Distribution) -> bool:
    """Whether the sum of the question's option counts is withheld: how many answered (a
    single choice), or how many options were chosen in all (a multiple choice, withheld when
    any of its counts is), the same on every page that shows it (bot.records.crossed)."""
    if _single(question):
        return distribution.total.withheld
    return any(cell.withheld for cell in distribution.cells)


def _single(question: Question) -> bool:
    return question.kind is not QuestionKind.MULTIPLE_CHOICE


def _option_ids(question: Question) -> tuple[str, ...]:
    return tuple(option.id for option in question.options)


async def results_version(redis: Redis, schema: KeySchema, campaign_id: str) -> int:
    """A number that changes whenever the campaign's live counters do (`tally.VERSION`, summed
    over the shards): one pipelined HGET per shard, for a cache of what the counters follow
    (a decision's preview). Never shown: readers see snapshots (bot.records.snapshots)."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.hget(schema.counters(shard, campaign_id), tally.VERSION)
    replies: list[Any] = await pipe.execute()
    return sum(int(reply) for reply in replies if reply is not None)
