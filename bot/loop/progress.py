"""How far a publication has come, and how long the rest will take at the channels' pace.

Counts come from each shard's publication hash (planning and feeding counters); the ETA divides
what is left per channel by that channel's global rate (the platform limits in settings), plus
the bulk outbox still waiting for the sender. Web chat notices are instant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversation.decisions.values import optional_text
from bot.loop.ledger import StoredDecision
from bot.runtime.outbox import Priority
from bot.storage.keys import KeySchema


@dataclass
class Progress:
    status: str
    planning_done: bool = True
    planned: Counter[str] = field(default_factory=Counter)  # channel -> participants to tell
    sent_now: Counter[str] = field(default_factory=Counter)  # channel -> queued / in the inbox
    delayed: Counter[str] = field(default_factory=Counter)  # channel -> held for quiet hours
    released: Counter[str] = field(default_factory=Counter)  # channel -> sent since, after the wait
    dropped: Counter[str] = field(default_factory=Counter)  # reason -> held, then not told
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> targets not told
    outbox_backlog: int = 0  # bulk entries the sender has not sent yet (every publication)
    waiting: int = 0  # scheduled notices not yet due (every publication)
    next_due_ms: int | None = None
    eta_seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.planned.values())

    @property
    def handled(self) -> int:
        return sum(self.sent_now.values()) + sum(self.delayed.values()) + sum(self.skipped.values())


async def publication_progress(
    redis: Redis, schema: KeySchema, stored: StoredDecision, rates: Mapping[str, float]
) -> Progress:
    status = await redis.hget(schema.publication(stored.ref, stored.version), "status")
    progress = Progress(optional_text(status) or "not published")
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.hgetall(schema.shard_publication(shard, stored.ref, stored.version))
        pipe.xlen(schema.outbox(shard, Priority.BULK))
        pipe.zcard(schema.schedule(shard))
        pipe.zrange(schema.schedule(shard), 0, 0, withscores=True)
    replies: list[Any] = await pipe.execute()
    for shard in range(schema.shards):
        state, backlog, waiting, first = replies[4 * shard : 4 * shard + 4]
        _add_state(progress, {k.decode(): v.decode() for k, v in state.items()})
        progress.outbox_backlog += backlog
        progress.waiting += waiting
        if first:
            due = int(first[0][1])
            progress.next_due_ms = (
                due if progress.next_due_ms is None else min(progress.next_due_ms, due)
            )
    progress.eta_seconds = _eta(progress, rates)
    return progress


def _add_state(progress: Progress, state: dict[str, str]) -> None:
    if state and state.get("scan") != "done":
        progress.planning_done = False
    if not state:
        progress.planning_done = False
    for name, value in state.items():
        kind, _, rest = name.partition("|")
        if kind == "t":
            progress.planned[rest.split("|", 1)[1]] += int(value)
        elif kind == "f":
            progress.sent_now[rest] += int(value)
        elif kind == "s":
            progress.delayed[rest] += int(value)
        elif kind == "sm":
            progress.released[rest] += int(value)
        elif kind == "sx":
            progress.dropped[rest] += int(value)
        elif kind == "fx":
            progress.skipped[rest] += int(value)
        elif name == "dup":
            progress.skipped["already told"] += int(value)


def _eta(progress: Progress, rates: Mapping[str, float]) -> float:
    """Seconds until everything planned has gone out, if nothing waits for quiet hours."""
    longest = 0.0
    for channel, planned in progress.planned.items():
        rate = rates.get(channel)
        if not rate:
            continue  # web chat: written to the inbox at once
        left = max(0, planned - progress.sent_now[channel] - progress.delayed[channel])
        longest = max(longest, left / rate)
    push_rates = sum(rate for rate in rates.values() if rate)
    backlog = progress.outbox_backlog / push_rates if push_rates else 0.0
    return longest + backlog
