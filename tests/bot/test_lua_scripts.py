"""The Lua scripts as files: every file is a script Sauti runs, compiles on a real Redis, says
what it takes and returns, and still runs after the server forgot it (alone and in a batch, on
a single Redis and on a cluster)."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.runtime.erasure_traces import forget_erased
from bot.storage import connect, scripts
from bot.storage.errors import ScriptSourceError
from bot.storage.keys import KeySchema
from bot.storage.lua import Script, ScriptCall, run_batch
from bot.storage.lua.script import read_source

FOLDER = resources.files("bot.storage.lua")
INCLUDE = re.compile(r'^--- @include "([^"]+)"$', re.MULTILINE)


def _registered() -> dict[str, Script]:
    return {s.name: s for s in vars(scripts).values() if isinstance(s, Script)}


def _lua_files(folder: str = "") -> set[str]:
    where = FOLDER.joinpath(folder) if folder else FOLDER
    return {f.name for f in where.iterdir() if f.name.endswith(".lua")}


def _header(text: str) -> str:
    """The comment block a file starts with."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line)
    return "\n".join(lines)


def test_every_lua_file_is_a_registered_script() -> None:
    registered = _registered()
    assert {f"{name}.lua" for name in registered} == _lua_files()
    assert set(scripts.ALL) == set(registered.values())
    assert len(scripts.ALL) == len(registered)  # none listed twice


def test_every_shared_fragment_is_included_by_a_script() -> None:
    included = {
        path
        for name in _lua_files()
        for path in INCLUDE.findall(FOLDER.joinpath(name).read_text(encoding="utf-8"))
    }
    assert included == {f"includes/{name}" for name in _lua_files("includes")}
    for script in scripts.ALL:
        assert "@include" not in script.source  # resolved when loaded


ALL_FILES = sorted(_lua_files()) + sorted(f"includes/{name}" for name in _lua_files("includes"))


@pytest.mark.parametrize("path", ALL_FILES)
def test_every_file_header_names_keys_argv_and_what_it_returns(path: str) -> None:
    header = _header(FOLDER.joinpath(*path.split("/")).read_text(encoding="utf-8"))
    for section in ("-- KEYS", "-- ARGV", "-- Returns"):
        assert re.search(f"^{section}", header, re.MULTILINE), f"{path}: no {section} in header"


async def test_every_script_compiles_on_redis(redis_client: Redis) -> None:
    for script in scripts.ALL:
        assert (await redis_client.script_load(script.source)) == script.sha, script.name


def test_a_missing_include_is_named() -> None:
    with pytest.raises(ScriptSourceError, match=r"no Lua file includes/nothing\.lua"):
        read_source("includes/nothing.lua")


async def _lease_calls_after_a_flush(redis: Redis) -> None:
    lease = "sauti:{s0}:lease:test"
    await redis.script_flush()
    assert await redis.script_exists(scripts.TAKE_LEASES.sha) == [False]
    assert await scripts.TAKE_LEASES(redis, [lease], ["me", 10_000, 1]) == [1]
    await redis.script_flush()
    assert await redis.script_exists(scripts.TAKE_LEASES.sha) == [False]
    replies = await run_batch(
        redis,
        [
            ScriptCall(scripts.TAKE_LEASES, [lease], ["you", 10_000, 1]),
            ("GET", lease),
            ScriptCall(scripts.RELEASE_LEASE, [lease], ["me"]),
        ],
    )
    assert replies == [[0], b"me", 1]


async def test_a_script_runs_after_redis_forgot_it(redis_client: Redis) -> None:
    await _lease_calls_after_a_flush(redis_client)


async def test_a_script_runs_after_a_cluster_forgot_it(cluster_url: str) -> None:
    client = connect(cluster_url, max_connections=8)
    try:
        await _lease_calls_after_a_flush(client)
    finally:
        await client.aclose()


async def test_forget_erased_moves_every_marker_keeping_the_later_score(
    redis_client: Redis,
) -> None:
    """An erased person's markers (more than one chunk of them) all land in the shard's
    erased events, so a late redelivery of any of their messages is still a duplicate; one
    already there keeps the later of its two scores, and those a window older than the newest
    are trimmed."""
    schema = KeySchema(prefix="lua-forget")
    pid = "p-erased"
    ttl = 1_000  # the window: 2 × 1,000 in these scores
    shard_set = schema.erased_events(schema.shard_of(pid))
    mine = {f"m{n:05d}": 10_000 + n for n in range(1_501)}
    await redis_client.zadd(schema.event_markers(pid), mine)
    await redis_client.zadd(
        shard_set,
        {"m00000": 11_600, "m00001": 1, "someone-else": 11_000, "too-old": 9_599},
    )
    [forgotten] = await run_batch(redis_client, [forget_erased(schema, pid, ttl)])
    assert forgotten == 1
    scored: Any = await redis_client.zrange(shard_set, 0, -1, withscores=True)
    held: dict[bytes, float] = dict(scored)
    assert held[b"m00000"] == 11_600  # the later score kept
    assert held[b"m00001"] == 10_001
    assert held[b"m01500"] == 11_500  # the last chunk's last marker
    assert b"someone-else" in held
    assert b"too-old" not in held  # a window older than the newest (11,600 - 2,000): trimmed
    assert len(held) == 1_501 + 1  # theirs and someone else's
    assert not await redis_client.exists(schema.event_markers(pid))
