"""The Redis client factory, against the suite's real Redis (embedded or REDIS_URL)."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis
import redis.asyncio
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.utils import HIREDIS_AVAILABLE

from bot.storage import StorageError, connect, ping_until_ready, require_server_version
from bot.storage.redis_client import describe
from tests.redis_cluster import TestCluster


async def _connections_received(client: Redis) -> int:
    return int((await client.info("stats"))["total_connections_received"])


async def test_pool_queues_200_concurrent_commands_on_8_connections(redis_url: str) -> None:
    client = connect(redis_url, max_connections=8)
    try:
        before = await _connections_received(client)
        replies = await asyncio.gather(*(client.ping() for _ in range(200)))
        opened = await _connections_received(client) - before
    finally:
        await client.aclose()
    assert replies == [True] * 200
    assert opened <= 8


async def test_blocking_commands_wait_for_a_free_connection_instead_of_failing(
    redis_url: str,
) -> None:
    client = connect(redis_url, max_connections=8)
    began = time.perf_counter()
    try:
        replies = await asyncio.gather(*(client.blpop([f"empty:{n}"], 0.1) for n in range(40)))
    finally:
        await client.aclose()
    assert replies == [None] * 40
    # 40 blocking pops of 0.1 s on 8 connections take at least 5 rounds.
    assert time.perf_counter() - began >= 0.45


async def test_redis_pys_default_pool_fails_under_the_same_load(redis_url: str) -> None:
    # Why connect() exists: the default pool raises instead of queueing.
    client = redis.asyncio.Redis.from_url(redis_url, max_connections=8)
    try:
        with pytest.raises(RedisConnectionError, match="Too many connections"):
            await asyncio.gather(*(client.blpop([f"empty:{n}"], 0.1) for n in range(40)))
    finally:
        await client.aclose()


async def test_replies_are_bytes_and_parsed_by_hiredis(redis_client: Redis) -> None:
    assert HIREDIS_AVAILABLE
    await redis_client.set("answer", "ndiyo ✓")
    assert await redis_client.get("answer") == "ndiyo ✓".encode()


@pytest.mark.parametrize("run", [1, 2])
async def test_each_test_starts_with_an_empty_database(redis_client: Redis, run: int) -> None:
    assert await redis_client.dbsize() == 0
    await redis_client.set("left-behind", run)  # the second run's flush must remove it


async def test_ping_until_ready_names_the_server_it_waited_for() -> None:
    client = connect("unix:///nonexistent/sauti/redis.sock")
    try:
        with pytest.raises(StorageError, match=r"unix:///nonexistent/sauti/redis\.sock"):
            await ping_until_ready(client, timeout=0.2)
    finally:
        await client.aclose()


async def test_ping_until_ready_returns_once_the_server_answers(redis_client: Redis) -> None:
    await ping_until_ready(redis_client, timeout=1.0)


async def test_server_version_check_accepts_this_server_and_refuses_an_older_one(
    redis_client: Redis,
) -> None:
    assert await require_server_version(redis_client) >= (6, 2)
    with pytest.raises(StorageError, match=r"Sauti needs 99\.0 or newer"):
        await require_server_version(redis_client, minimum=(99, 0))


async def test_on_a_cluster_blocking_commands_wait_for_their_turn_instead_of_failing(
    cluster_url: str,
) -> None:
    client = connect(cluster_url, max_connections=4)
    began = time.perf_counter()
    try:
        pops = [client.blpop([f"empty:{n}"], 0.05) for n in range(60)]
        replies = await asyncio.gather(*pops, *(_pipelined(client, n) for n in range(20)))
    finally:
        await client.aclose()
    assert replies == [None] * 60 + [[True, b"x"]] * 20
    assert time.perf_counter() - began >= 0.7  # 60 pops of 0.05 s, 4 at a time


async def _pipelined(client: Redis, n: int) -> list[object]:
    pipe = client.pipeline(transaction=False)
    pipe.set(f"k:{n}", "x")
    pipe.get(f"k:{n}")
    return await pipe.execute()


async def test_a_cluster_client_checks_the_version_and_names_its_nodes(cluster_url: str) -> None:
    client = connect(cluster_url)
    try:
        assert await require_server_version(client) >= (6, 2)
        await ping_until_ready(client, timeout=1.0)
    finally:
        await client.aclose()
    assert describe(client).startswith("cluster 127.0.0.1:")


async def test_on_a_cluster_a_stream_read_costs_no_key_lookup(
    cluster_url: str, redis_cluster: TestCluster
) -> None:
    """Workers and senders read streams all the time: redis-py would ask a node which
    arguments are keys (COMMAND GETKEYS) before each read."""
    client = connect(cluster_url)
    try:
        await client.xgroup_create("t:{s1}:in", "workers", id="0", mkstream=True)
        for port in redis_cluster.ports:
            with redis.Redis(port=port) as node:
                node.config_resetstat()
        for _ in range(5):
            await client.xreadgroup("workers", "w1", {"t:{s1}:in": ">"}, count=10)
    finally:
        await client.aclose()
    calls: dict[str, int] = {}
    for port in redis_cluster.ports:
        with redis.Redis(port=port) as node:
            for name, stats in node.info("commandstats").items():
                calls[name] = calls.get(name, 0) + int(stats["calls"])
    assert calls.get("cmdstat_xreadgroup") == 5
    assert "cmdstat_command" not in calls
