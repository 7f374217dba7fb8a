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

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.records import tally
from bot.records.side_by_side import suppress_side_by_side
from bot.records.snapshots import read_snapshot
from bot.records.suppression import (
    Cell,
    Distribution,
    check_minimum,
    suppress_completion,
    suppress_count,
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
    return progress_of(survey, counts, minimum=minimum)


def progress_of(survey: Survey, counts: dict[str, int], *, minimum: int) -> CampaignProgress:
    """The figures from the campaign's counters as the snapshot froze them (pure: what
    `campaign_progress` shows once it has read them)."""
    check_minimum(minimum)
    languages = tuple(survey.languages)
    channels = tuple(channel.value for channel in Channel)
    # Those whose answers are stored, as the rows count them (not the campaign's own
    # `started`, which keeps people who erased their data): every figure of this read agrees.
    started, completed = counts.get(tally.SESSIONS, 0), counts.get(tally.COMPLETED, 0)
    # Completed and not make up those who started: one line, protected as one.
    line = suppress_completion(started, completed, minimum)
    overall = Progress(line.total, line.cells[0], line.cells[1])
    by_language, by_channel = _by(
        counts,
        [
            (languages, tuple(map(tally.language_dimension, languages))),
            (channels, tuple(map(tally.channel_dimension, channels))),
        ],
        minimum,
        overall=(line, [min(completed, started), max(started - completed, 0)]),
    )
    answers = suppress_count(counts.get(ANSWERS, 0), minimum)
    return CampaignProgress(overall, by_language, by_channel, answers)


def _by(
    counts: dict[str, int],
    breakdowns: list[tuple[tuple[str, ...], tuple[str, ...]]],
    minimum: int,
    *,
    overall: tuple[Distribution, list[int]],
) -> list[ProgressBy]:
    """Each breakdown (its values, and their counter suffixes) as a table: a column per
    value, its cells completed and not, its total those who started. Everyone who started has
    one language and one channel, so the tables share their row totals (completed, not) and
    total: protected side by side (bot.records.side_by_side). The overall line counts the same
    people from the same read, so those are its figures (`overall`: as shown, and their
    counts), withheld where it withholds them (unless a counter drifted: then kept apart)."""
    tables = []
    for _, dimensions in breakdowns:
        sessions = [counts.get(tally.SESSIONS + dimension, 0) for dimension in dimensions]
        done = [
            min(counts.get(tally.COMPLETED + dimension, 0), n)
            for dimension, n in zip(dimensions, sessions, strict=True)
        ]
        tables.append([done, [n - d for n, d in zip(sessions, done, strict=True)]])
    shown, figures = overall
    same = all(sum(row) == figure for row, figure in zip(tables[0], figures, strict=True))
    withheld = [n for n, cell in enumerate(shown.cells) if cell.withheld] if same else []
    protected = suppress_side_by_side(
        tables,
        minimum,
        withheld_row_totals=withheld,
        withheld_total=same and shown.total.withheld,
        known_row_totals=[n for n in range(len(figures)) if same and n not in withheld],
        known_total=same and not shown.total.withheld,
    )
    return [
        ProgressBy(
            values,
            tuple(
                Progress(total, completed, dropped)
                for total, completed, dropped in zip(table.column_totals, *table.cells, strict=True)
            ),
        )
        for (values, _), table in zip(breakdowns, protected, strict=True)
    ]
