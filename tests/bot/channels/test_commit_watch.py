"""The web chat's one watcher of commits, shared by every request of a process."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.channels.webchat.commits import CommitWatch
from bot.runtime.markers import EventMarker
from bot.storage import connect


async def test_every_waiting_request_learns_of_its_own_commit(redis_client: Redis) -> None:
    watch = CommitWatch(redis_client)
    # As ingest and commit write them: an even score once stored, odd once committed.
    markers = [EventMarker(f"t:{{s0}}:e:p{n % 7}", f"w{n}") for n in range(50)]
    for marker in markers:
        await redis_client.zadd(marker.key, {marker.member: 40})

    async def commit_half_of_them() -> None:
        await asyncio.sleep(0.05)
        for marker in markers[::2]:
            await redis_client.zadd(marker.key, {marker.member: 41})

    committer = asyncio.create_task(commit_half_of_them())
    began = time.monotonic()
    results = await asyncio.gather(*(watch.wait(marker, timeout=0.5) for marker in markers))
    await committer
    assert results == [n % 2 == 0 for n in range(50)]
    assert time.monotonic() - began < 1.0  # the uncommitted ones gave up after their timeout


async def test_a_redis_outage_reaches_the_waiting_request(tmp_path: Path) -> None:
    unreachable = connect(f"unix://{tmp_path}/nobody.sock", pool_timeout=1)
    try:
        marker = EventMarker("t:{s0}:e:p", "w")
        with pytest.raises(RedisError):
            await CommitWatch(unreachable).wait(marker, timeout=1.0)
    finally:
        await unreachable.aclose()
