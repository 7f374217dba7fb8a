"""Shard leases: shared fairly, renewed for every shard at once, and a dead process's shards
move to a live one within the lease's lifetime."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.runtime.leases import Ownership, ShardLeases, while_owned
from bot.storage.keys import KeySchema
from tests.kit.waiting import until

TTL_MS = 1000
RENEW = 0.1


class Shards:
    """A runner that notes which shards it holds."""

    def __init__(self) -> None:
        self.held: set[int] = set()

    async def run(self, shard: int, owned: Ownership) -> None:
        self.held.add(shard)
        try:
            await owned.released.wait()
        finally:
            self.held.discard(shard)


def _leases(redis: Redis, schema: KeySchema, owner: str) -> ShardLeases:
    return ShardLeases(redis, schema, role="worker", owner=owner, ttl_ms=TTL_MS, renew_every=RENEW)


async def test_a_dead_processs_shards_move_to_a_live_one_within_the_lease_lifetime(
    redis_client: Redis,
) -> None:
    schema = KeySchema(prefix="t", shards=8)
    stop = asyncio.Event()
    alive, alive_shards = _leases(redis_client, schema, "alive"), Shards()
    doomed, doomed_shards = _leases(redis_client, schema, "doomed"), Shards()
    running = asyncio.create_task(alive.run(stop, alive_shards.run))
    try:
        await until(lambda: len(alive_shards.held) == 8)
        while len(doomed_shards.held) < 4:  # a second process: the shards are shared
            await doomed.rebalance(doomed_shards.run)
            await asyncio.sleep(RENEW)
        await until(lambda: len(alive_shards.held) == 4)
        assert alive_shards.held.isdisjoint(doomed_shards.held)

        died = time.monotonic()  # it stops renewing, without giving anything back
        await until(lambda: len(alive_shards.held) == 8, seconds=5)
        taken_over = time.monotonic() - died
        assert taken_over <= TTL_MS / 1000 + 2 * RENEW + 0.5
    finally:
        stop.set()
        await running
        for shard in list(doomed.owned):
            doomed.owned.pop(shard)[1].cancel()


async def test_a_process_that_stops_gives_its_shards_back_at_once(redis_client: Redis) -> None:
    schema = KeySchema(prefix="t", shards=4)
    stop = asyncio.Event()
    leaving, shards = _leases(redis_client, schema, "leaving"), Shards()
    running = asyncio.create_task(leaving.run(stop, shards.run))
    await until(lambda: len(shards.held) == 4)
    stop.set()
    await asyncio.wait_for(running, timeout=2)  # runners waiting on Redis stop waiting
    leases = [schema.lease("worker", shard) for shard in range(4)]
    assert await redis_client.exists(*leases) == 0  # free for the next process now


async def _read_that_fails_once_cancelled() -> None:
    """A blocking read whose connection, torn down by the cancellation, then fails."""
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        await asyncio.sleep(0.05)
        raise RedisConnectionError("Connection closed by server.") from None


async def test_a_wait_abandoned_by_its_cancelled_caller_reports_no_unretrieved_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    waiter = asyncio.create_task(while_owned(Ownership(), _read_that_fails_once_cancelled()))
    await asyncio.sleep(0.01)
    waiter.cancel()
    await asyncio.sleep(0)
    waiter.cancel()  # cancelled again while it waits for the read to unwind: it leaves it
    with contextlib.suppress(asyncio.CancelledError):
        await waiter
    await asyncio.sleep(0.1)  # the read fails, with nobody left to ask how
    del waiter
    gc.collect()
    assert "never retrieved" not in caplog.text
