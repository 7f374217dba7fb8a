"""Results snapshots: the frozen copy of a campaign's counters that every aggregate is read from,
so that no one answer can be learnt by comparing the figures before and after it.

Live figures would give a person's answer away to a reader who knows that person just answered:
the difference between two readings is their answer, however large both totals are (small-cell
suppression cannot see it). So the readers (results, campaign figures, exports of aggregates,
the live stream) read a snapshot, and a new snapshot is taken only once at least the minimum
cell size of people have changed the results since the last one (or when the campaign closes):
the difference between two snapshots is then the sum of at least that many people's changes.

- Each commit that moves a campaign's counters adds the participant to the campaign's changed
  set in their shard, in the same script call (`commit.lua`); an erasure adds a random mark
  that names nobody in their place (`uncount_results.lua`). So the set survives any crash
  between a commit and the next snapshot.
- A reader that finds enough people pending takes the next snapshot (under a lease, one process
  at a time): shard by shard a script copies the counters into snapshot k and moves the changed
  set into the set of those k takes in (`snapshot_shard.lua`); then k is published (one key);
  then each shard forgets who k took in and lets snapshot k - 1 expire after a grace time
  (`settle_snapshot.lua`). A process that stops before the publication leaves nothing lost:
  those moved still count as pending, and the next try copies again under the same number.
- Every script touches one shard's keys (one hash slot), and the number is one key of its own:
  the same code runs on Redis Cluster.

Pending people are counted once each: ids hash to one shard, and an erasure's mark replaces the
id it stands for.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.storage.keys import KeySchema
from bot.storage.lua import ScriptCall, run_batch
from bot.storage.scripts import (
    PENDING_CHANGES,
    PUBLISH_SNAPSHOT,
    READ_RESULTS,
    RELEASE_LEASE,
    SETTLE_SNAPSHOT,
    SNAPSHOT_SHARD,
)

LEASE_MS = 30_000  # one process takes a campaign's snapshot at a time; a stopped one lets go
TAKEN_KEEP_SECONDS = 86_400  # who an unpublished snapshot took in, until a try publishes it
GRACE_SECONDS = 60  # a superseded snapshot stays readable this long, for readers mid-read
FINAL_WAIT_SECONDS = 5.0  # closing waits this long at most for another process's snapshot


@dataclass(frozen=True, slots=True)
class SnapshotState:
    """The published snapshot (0: none yet) and how many people changed the results since."""

    number: int
    pending: int

    def needed(self, minimum: int) -> int:
        """How many more people must change the results before the figures move (0 when
        nobody is pending)."""
        return max(minimum - self.pending, 0) if self.pending else 0


NO_SNAPSHOT = SnapshotState(0, 0)


async def read_snapshot(
    redis: Redis, schema: KeySchema, campaign_id: str, names: list[str], *, minimum: int
) -> tuple[SnapshotState, dict[str, int]]:
    """The fields `names` of the campaign's latest snapshot, summed over the shards, and its
    state; a new snapshot is taken first when at least `minimum` people are pending. Two round
    trips (the number, then the counts and the pending people together)."""
    state, counts = await _read(redis, schema, campaign_id, names)
    if state.pending >= minimum and await take_snapshot(redis, schema, campaign_id, minimum):
        state, counts = await _read(redis, schema, campaign_id, names)
    return state, counts


async def take_snapshot(
    redis: Redis, schema: KeySchema, campaign_id: str, at_least: int, *, wait: bool = False
) -> int | None:
    """Take and publish the campaign's next snapshot when at least `at_least` people are
    pending; its number, or None when there were fewer or another process holds the lease
    (`wait`: wait for that one to finish, then look again, as closing a campaign does)."""
    lease, owner = schema.results_snapshot_lease(campaign_id), secrets.token_hex(8)
    until = time.monotonic() + FINAL_WAIT_SECONDS
    while not await redis.set(lease, owner, nx=True, px=LEASE_MS):
        if not wait or time.monotonic() > until:
            return None
        await asyncio.sleep(0.05)
    try:
        number = await _published(redis, schema, campaign_id)
        if await pending_people(redis, schema, campaign_id, number) < at_least:
            return None
        await copy_shards(redis, schema, campaign_id, number + 1)
        await PUBLISH_SNAPSHOT(redis, [schema.results_snapshot(campaign_id)], [number + 1])
        await _settle(redis, schema, campaign_id, number + 1)
        return number + 1
    finally:
        await RELEASE_LEASE(redis, [lease], [owner])


async def copy_shards(redis: Redis, schema: KeySchema, campaign_id: str, number: int) -> None:
    """Copy every shard's counters into snapshot `number`, unpublished (`snapshot_shard.lua`)."""
    calls = [
        ScriptCall(
            SNAPSHOT_SHARD,
            [
                schema.counters(shard, campaign_id),
                schema.changed(shard, campaign_id),
                schema.snapshot_taken(shard, campaign_id, number),
                schema.snapshot(shard, campaign_id, number),
                schema.snapshot(shard, campaign_id, number - 2),
            ],
            [TAKEN_KEEP_SECONDS],
        )
        for shard in range(schema.shards)
    ]
    _raise_any(await run_batch(redis, calls))


async def pending_people(redis: Redis, schema: KeySchema, campaign_id: str, number: int) -> int:
    """People who changed the results since snapshot `number` was published."""
    replies = await run_batch(redis, _pending_calls(schema, campaign_id, number))
    _raise_any(replies)
    return sum(int(reply) for reply in replies)


async def snapshot_state(redis: Redis, schema: KeySchema, campaign_id: str) -> SnapshotState:
    """The published snapshot's number and the people pending since, without taking one."""
    state, _ = await _read(redis, schema, campaign_id, [])
    return state


async def _read(
    redis: Redis, schema: KeySchema, campaign_id: str, names: list[str]
) -> tuple[SnapshotState, dict[str, int]]:
    number = await _published(redis, schema, campaign_id)
    joined = " ".join(names)
    calls = _pending_calls(schema, campaign_id, number)
    if names:  # the names as one argument (read_results.lua says why)
        calls += [
            ScriptCall(READ_RESULTS, [schema.snapshot(shard, campaign_id, number)], [joined])
            for shard in range(schema.shards)
        ]
    replies = await run_batch(redis, calls)
    _raise_any(replies)
    pending = sum(int(reply) for reply in replies[: schema.shards])
    totals = dict.fromkeys(names, 0)
    for reply in replies[schema.shards :]:
        for name, value in zip(names, reply, strict=False):
            if value is not None:
                totals[name] += int(value)
    return SnapshotState(number, pending), totals


def _pending_calls(schema: KeySchema, campaign_id: str, number: int) -> list[ScriptCall]:
    return [
        ScriptCall(
            PENDING_CHANGES,
            [
                schema.changed(shard, campaign_id),
                schema.snapshot_taken(shard, campaign_id, number + 1),
            ],
            [],
        )
        for shard in range(schema.shards)
    ]


async def _settle(redis: Redis, schema: KeySchema, campaign_id: str, number: int) -> None:
    calls = [
        ScriptCall(
            SETTLE_SNAPSHOT,
            [
                schema.snapshot_taken(shard, campaign_id, number),
                schema.snapshot(shard, campaign_id, number - 1),
            ],
            [GRACE_SECONDS],
        )
        for shard in range(schema.shards)
    ]
    _raise_any(await run_batch(redis, calls))


async def _published(redis: Redis, schema: KeySchema, campaign_id: str) -> int:
    raw = await redis.get(schema.results_snapshot(campaign_id))
    return int(raw) if raw is not None else 0


def _raise_any(replies: list[Any]) -> None:
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
