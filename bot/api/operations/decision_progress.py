"""A publication's progress as the API shows it (bot.loop.progress), its counts of people
through the one suppression function: per channel, those queued, delayed and still to handle
make up those planned, in a table whose total is everyone to tell; the reasons people were not
told make a line of their own. A withheld count is null."""

from __future__ import annotations

from bot.api.operations.common import moment
from bot.api.operations.decision_models import ChannelProgressOut, ProgressOut
from bot.loop.ledger import StoredDecision
from bot.loop.progress import Progress
from bot.records.suppression import (
    Cell,
    Table,
    suppress_count,
    suppress_distribution,
    suppress_table,
)


def progress_out(
    stored: StoredDecision, progress: Progress, minimum: int, now: float
) -> ProgressOut:
    channels = sorted({*progress.planned, *progress.sent_now, *progress.delayed})
    table = suppress_table(
        [
            [
                progress.sent_now[channel],
                progress.delayed[channel],
                max(
                    progress.planned[channel]
                    - progress.sent_now[channel]
                    - progress.delayed[channel],
                    0,
                ),
            ]
            for channel in channels
        ],
        minimum,
    )
    not_told = progress.skipped + progress.dropped
    reasons = sorted(not_told)
    by_reason = suppress_distribution([not_told[reason] for reason in reasons], minimum)
    return ProgressOut(
        campaign_id=stored.campaign_id,
        decision_id=stored.id,
        version=stored.version,
        status=progress.status,
        planning_done=progress.planning_done,
        to_tell=table.total.count,
        channels=[
            ChannelProgressOut(
                channel=channel,
                planned=table.row_totals[row].count,
                queued=table.cells[row][0].count,
                delayed=table.cells[row][1].count,
                released=_within(progress.released[channel], table.cells[row][1], minimum),
            )
            for row, channel in enumerate(channels)
        ],
        not_told={
            reason: cell.count for reason, cell in zip(reasons, by_reason.cells, strict=True)
        },
        outbox_backlog=suppress_count(progress.outbox_backlog, minimum).count,
        waiting=suppress_count(progress.waiting, minimum).count,
        next_due_at=moment(progress.next_due_ms / 1000) if progress.next_due_ms else None,
        sent=_sent(progress, channels, table, minimum),
        eta_seconds=progress.eta_seconds,
        eta_at=moment(now + progress.eta_seconds) if progress.eta_seconds > 0 else None,
    )


def _sent(progress: Progress, channels: list[str], table: Table, minimum: int) -> int | None:
    """Those queued and those released after waiting: withheld with any queued or delayed
    cell it is made of."""
    if any(row[0].withheld or row[1].withheld for row in table.cells):
        return None
    count = sum(progress.sent_now[channel] + progress.released[channel] for channel in channels)
    return suppress_count(count, minimum).count


def _within(count: int, whole: Cell, minimum: int) -> int | None:
    """A count of some of `whole`'s people: withheld when small, or when `whole` is."""
    return None if whole.withheld else suppress_count(count, minimum).count
