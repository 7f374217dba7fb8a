"""Erasures noted, for the rewrite that takes them off the disk.

Deleting a participant's keys removes them from Redis's memory, not from its files: the
append-only file keeps every command until it is rewritten. Whatever erases someone (a
confirmed /delete, a retention run) adds `erasure_noted(...)`'s commands to its own writes; the
embedded Redis's owner (bot.runtime.disk_erasure) sees the count move, waits out the window that
lets a burst share one rewrite, rewrites, and records what the rewrite covered.

The hash names nobody: a count and two times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.storage.keys import KeySchema
from bot.storage.redis_command import RedisCommand
from bot.storage.scripts import ERASURE_REWRITTEN


def erasure_noted(schema: KeySchema, now_ms: int) -> list[RedisCommand]:
    """The commands that note one erasure at `now_ms`: add them to the writes that erase.

    Plain commands on one deployment-wide key, so they can run in any batch (on Redis Cluster
    too). Run twice (a replayed event), they cost at most one more rewrite, never one less."""
    key = schema.erasures
    return [
        ("HINCRBY", key, "noted", 1),
        ("HSETNX", key, "first", now_ms),
        ("HSET", key, "last", now_ms),
    ]


async def note_erasure(redis: Redis, schema: KeySchema, now_ms: int) -> None:
    """Note one erasure now, outside any other writes."""
    pipe = redis.pipeline(transaction=True)
    for command in erasure_noted(schema, now_ms):
        pipe.execute_command(*command)
    await pipe.execute()


@dataclass(frozen=True)
class ErasureMarks:
    noted: int
    rewritten: int
    first_ms: int | None  # the oldest erasure not yet rewritten off the disk
    last_ms: int | None
    rewritten_at_ms: int | None

    @property
    def waiting(self) -> int:
        return max(0, self.noted - self.rewritten)


async def read_marks(redis: Redis, schema: KeySchema) -> ErasureMarks:
    raw: Any = await redis.hgetall(schema.erasures)

    def number(name: bytes) -> int | None:
        value = raw.get(name)
        return int(value) if value is not None else None

    return ErasureMarks(
        noted=number(b"noted") or 0,
        rewritten=number(b"rewritten") or 0,
        first_ms=number(b"first"),
        last_ms=number(b"last"),
        rewritten_at_ms=number(b"rewritten_at"),
    )


async def mark_rewritten(
    redis: Redis, schema: KeySchema, covered: int, started_ms: int, verified_ms: int
) -> int:
    """Record that a verified rewrite covered the first `covered` erasures; returns how many
    still wait (noted while it ran)."""
    waiting: Any = await ERASURE_REWRITTEN(
        redis, [schema.erasures], [covered, started_ms, verified_ms]
    )
    return int(waiting)
