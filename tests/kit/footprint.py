"""What participants leave in Redis, by kind of key, as `MEMORY USAGE` counts it (for the
footprint test and `bench/footprint.py`), and a Redis put back to the default encoding limits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from tests.kit.telegram import Stack

# Redis 7's defaults (Redis 6.2 knows the same limits as *-ziplist-*): past them a hash, set or
# sorted set leaves its compact encoding.
DEFAULT_ENCODING_LIMITS = {
    "hash-max-listpack-entries": "512",
    "hash-max-listpack-value": "64",
    "zset-max-listpack-entries": "128",
    "zset-max-listpack-value": "64",
    "set-max-intset-entries": "512",
    "list-max-listpack-size": "-2",
}


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of key, per participant."""

    bytes: float
    keys: float
    encoding: str
    lasting: str


async def default_encoding_limits(redis: Redis) -> None:
    """Set Redis's default encoding limits, whatever the server was started with."""
    for name, value in DEFAULT_ENCODING_LIMITS.items():
        for candidate in (name, name.replace("listpack", "ziplist")):
            try:
                await redis.config_set(candidate, value)
                break
            except ResponseError:  # a name this version does not know: try the other
                continue


async def outbox_drained(stack: Stack) -> None:
    """Until every queued reply has gone out and been acknowledged."""
    schema = stack.app.schema
    while True:
        backlog = 0
        for shard in range(schema.shards):
            for priority in ("reply", "bulk"):
                groups = await stack.app.redis.xinfo_groups(schema.outbox(shard, priority))
                backlog += sum(int(g["pending"]) + int(g.get("lag") or 0) for g in groups)
        if not backlog:
            return
        await asyncio.sleep(0.1)


async def sizes(redis: Redis, pids: list[str]) -> dict[str, Kind]:
    """Per kind of key naming a participant: mean bytes and keys per participant, encodings,
    and how long it stays ("kept", or when it expires)."""
    totals: dict[str, list[Any]] = {}
    for pid in pids:
        async for raw in redis.scan_iter(match=f"*{pid}*", count=1000):
            key = raw.decode()
            kind = key.replace(pid, "<pid>").split(":", 2)[2]  # past the prefix and shard tag
            used = int(await redis.memory_usage(key, samples=0) or 0)
            ttl = int(await redis.ttl(key))  # -1: no expiry
            encoding = (await redis.object("encoding", key) or b"").decode()
            counted = totals.setdefault(kind, [0, 0, ttl, set()])
            counted[0] += used
            counted[1] += 1
            counted[2] = -1 if -1 in (ttl, counted[2]) else max(ttl, counted[2])
            counted[3].add(encoding)
    return {
        kind: Kind(b / len(pids), n / len(pids), "/".join(sorted(encodings)), _lasting(ttl))
        for kind, (b, n, ttl, encodings) in sorted(totals.items())
    }


def lasting_past_a_minute(kinds: dict[str, Kind]) -> float:
    """Bytes per participant still there a minute on (the dedupe window's markers and claims
    included; a limiter's clock is not)."""
    return sum(k.bytes for k in kinds.values() if "minute" not in k.lasting)


def _lasting(ttl: int) -> str:
    if ttl < 0:
        return "kept"
    if ttl < 60:
        return "expires within a minute"
    return f"expires in {ttl / 86400:.0f} days" if ttl >= 86400 else f"expires in {ttl}s"
