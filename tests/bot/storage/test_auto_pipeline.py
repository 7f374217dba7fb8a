"""Automatic pipelining against the suite's real Redis: the commands of one event-loop turn share
one round trip, and every caller still gets its own reply, error, and order."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from redis.exceptions import ResponseError

from bot.storage import connect
from bot.storage.lua import Script


async def test_two_hundred_concurrent_commands_go_as_one_write(redis_url: str) -> None:
    client = connect(redis_url, max_connections=8)
    watcher = connect(redis_url)
    try:
        await client.ping()  # connected
        before = int((await watcher.info("stats"))["total_reads_processed"])
        replies = await asyncio.gather(*(client.incr("counted") for _ in range(200)))
        reads = int((await watcher.info("stats"))["total_reads_processed"]) - before
    finally:
        await client.aclose()
        await watcher.aclose()
    assert sorted(replies) == list(range(1, 201))
    # One pipelined write (Redis may read a large write in a few pieces) plus the watcher's INFO,
    # instead of 200 reads of one command each.
    assert reads <= 6


async def test_each_caller_gets_its_own_reply_and_only_its_own_error(redis_url: str) -> None:
    client = connect(redis_url)
    try:
        await client.set("text", "habari")
        results = await asyncio.gather(
            client.get("text"),
            client.lpush("text", "x"),  # WRONGTYPE: this caller's error alone
            client.hset("h", "k", "v"),
            return_exceptions=True,
        )
    finally:
        await client.aclose()
    assert results[0] == b"habari"
    assert isinstance(results[1], ResponseError)
    assert "WRONGTYPE" in str(results[1])
    assert results[2] == 1


async def test_a_tasks_commands_keep_their_order(redis_url: str) -> None:
    client = connect(redis_url)

    async def writer(name: str) -> list[int]:
        return [await client.rpush(name, n) for n in range(20)]

    try:
        lengths = await asyncio.gather(*(writer(f"list:{n}") for n in range(10)))
        stored = [await client.lrange(f"list:{n}", 0, -1) for n in range(10)]
    finally:
        await client.aclose()
    assert lengths == [list(range(1, 21))] * 10
    assert stored == [[str(n).encode() for n in range(20)]] * 10


async def test_a_blocking_read_does_not_hold_up_other_commands(redis_url: str) -> None:
    client = connect(redis_url)
    try:
        await client.xgroup_create("stream", "group", id="0", mkstream=True)

        async def read() -> Any:
            return await client.xreadgroup("group", "me", {"stream": ">"}, count=1, block=3000)

        blocked = asyncio.create_task(read())
        await asyncio.sleep(0.05)
        began = time.perf_counter()
        assert await client.set("quick", 1)
        took = time.perf_counter() - began
        await client.xadd("stream", {"n": 1})
        entries = await asyncio.wait_for(blocked, 2)
    finally:
        await client.aclose()
    assert took < 1.0
    assert entries
    assert entries[0][1][0][1] == {b"n": b"1"}


async def test_a_script_unknown_to_the_server_still_runs(redis_url: str) -> None:
    client = connect(redis_url)
    script = Script("count_join")
    try:
        await client.script_flush()  # as after a restart: the server knows no script
        results = await asyncio.gather(
            script(client, ["joins:a"], [60, 5]),
            script(client, ["joins:b"], [60, 5]),
            client.get("x"),
        )
        again = await script(client, ["joins:a"], [60, 5])
        count = await client.get("joins:a")
    finally:
        await client.aclose()
    assert list(results) == [0, 0, None]
    assert again == 0
    assert count == b"2"


async def test_a_cancelled_caller_does_not_break_the_others(redis_url: str) -> None:
    client = connect(redis_url)
    try:

        async def write() -> Any:
            return await client.set("maybe", 1)

        async def count() -> int:
            return await client.incr("sure")

        doomed = asyncio.create_task(write())
        others = [asyncio.create_task(count()) for _ in range(5)]
        doomed.cancel()
        with pytest.raises(asyncio.CancelledError):
            await doomed
        assert sorted(await asyncio.gather(*others)) == [1, 2, 3, 4, 5]
    finally:
        await client.aclose()
