"""How far a campaign's participants got: how many started it, completed it and dropped off
(started, not completed: still going, or gone), overall and by language and by channel, small
cells withheld (bot.records.suppression).

Read from counters, like results (bot.records.results): the fields the commits keep beside the
result counters (`.started`, `.completed`, overall and by language and channel:
bot.records.tally), which count the participants whose answers are stored, as the results do.
The overall figures and the breakdowns come from the same fields in the same read, so someone
who erased their data is out of all of them at once (the campaign's own `started` and
`completed` count everyone who ever did, erased or not: they are not shown here). Like
results, as the latest results snapshot froze them (bot.records.snapshots): two pipelined round
trips, whatever the number of respondents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.records import tally
from bot.records.snapshots import read_snapshot
from bot.records.suppression import (
    Cell,
    Distribution,
    Table,
    check_minimum,
    suppress_count,
    suppress_distribution,
    suppress_table,
)
from bot.storage.keys import KeySchema
from dialogues import Survey

ANSWERS = "answers"  # the campaign's own counter: answers recorded, how busy it has been


@dataclass(frozen=True, slots=True)
class Progress:
    """One group's figures; `dropped_off` is started minus completed."""

    started: Cell
    completed: Cell
    dropped_off: Cell

    @property
    def dropped_off_share(self) -> float | None:
        """The share of those who started that did not complete; None when either is withheld
        (or nobody started)."""
        if self.started.count is None or self.dropped_off.count is None:
            return None
        return self.dropped_off.count / self.started.count if self.started.count else None


@dataclass(frozen=True, slots=True)
class ProgressBy:
    """The figures of each value of a breakdown (a language, a channel), in the same order."""

    values: tuple[str, ...]
    rows: tuple[Progress, ...]


@dataclass(frozen=True, slots=True)
class CampaignProgress:
    overall: Progress
    by_language: ProgressBy
    by_channel: ProgressBy
    answers: Cell  # answers recorded (one changed counts again): how busy it has been


async def campaign_progress(
    redis: Redis, schema: KeySchema, survey: Survey, *, minimum: int
) -> CampaignProgress:
    check_minimum(minimum)
    languages = tuple(survey.languages)
    channels = tuple(channel.value for channel in Channel)
    dimensions = [*map(tally.language_dimension, languages)]
    dimensions += map(tally.channel_dimension, channels)
    names = [ANSWERS, tally.SESSIONS, tally.COMPLETED]
    names += [field + d for d in dimensions for field in (tally.SESSIONS, tally.COMPLETED)]
    _, counts = await read_snapshot(redis, schema, survey.id, names, minimum=minimum)
    # Those whose answers are stored, as the rows count them (not the campaign's own
    # `started`, which keeps people who erased their data): every figure of this read agrees.
    started, completed = counts[tally.SESSIONS], counts[tally.COMPLETED]
    # Completed and not make up those who started: one line, protected as one.
    line = suppress_distribution(
        [min(completed, started), max(started - completed, 0)], minimum, total=started
    )
    by_language, language_table = _by(
        counts, languages, map(tally.language_dimension, languages), minimum, line
    )
    by_channel, channel_table = _by(
        counts, channels, map(tally.channel_dimension, channels), minimum, line
    )
    overall = _overall(line, (language_table, channel_table))
    answers = suppress_count(counts[ANSWERS], minimum)
    return CampaignProgress(overall, by_language, by_channel, answers)


def _by(
    counts: dict[str, int],
    values: tuple[str, ...],
    dimensions: Iterable[str],
    minimum: int,
    line: Distribution,
) -> tuple[ProgressBy, Table]:
    """A table: a row per value, its cells completed and not, its total those who started;
    its grand total withheld when the overall line withholds it."""
    cells = []
    for dimension in dimensions:
        sessions = counts[tally.SESSIONS + dimension]
        done = min(counts[tally.COMPLETED + dimension], sessions)
        cells.append([done, sessions - done])
    table = suppress_table(cells, minimum, withheld_total=line.total.withheld)
    rows = tuple(
        Progress(total, row[0], row[1])
        for total, row in zip(table.row_totals, table.cells, strict=True)
    )
    return ProgressBy(values, rows), table


def _overall(line: Distribution, tables: Iterable[Table]) -> Progress:
    """The overall figures are each table's last line (its column totals and grand total, the
    sums of its rows): shown only where the line and every table show them, so that no row a
    table withholds comes out of the overall figure minus the rows it shows. (Each of them
    withholds none or at least two of the three, so together they do too.)"""
    started, completed, dropped = line.total, line.cells[0], line.cells[1]
    for table in tables:
        started = _both(started, table.total)
        completed = _both(completed, table.column_totals[0])
        dropped = _both(dropped, table.column_totals[1])
    return Progress(started, completed, dropped)


def _both(shown: Cell, also: Cell) -> Cell:
    return also if also.withheld else shown
