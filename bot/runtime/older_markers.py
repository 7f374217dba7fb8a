"""Retiring the one-key markers and claims: the data step of schema 2 (bot.runtime.migrations).

Before markers were kept per participant, each event marker was a string key of its own,
`{sN}:e:<event id>` ("0" stored, "1" committed), and each send claim `{sN}:sent:<idempotency
key>`. The per-participant sorted sets that replaced them share those name patterns and are
told apart by type. Every such string key still alive moves into its participant's set (member
`marker_member` of the id, dated by its remaining TTL: `adopt_older_marker.lua`) and is deleted.

The old names carry no participant id, so it is looked up where the event or message still is:
the shard's inbound stream and its dead letters for an event, its outboxes and their dead
letters for a send (each entry names its `pid`). That finds every marker and claim a worker or
sender can still come to: an event or message in none of those streams was handled and
trimmed away (and a claim matters only while its entry is pending: bot.runtime.claims). Such a
leftover is deleted unmoved and counted (`unplaced`): the one thing it still guarded against is
a platform delivering once more, after this migration, a message it delivered before the
upgrade, which then counts as new.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

from redis.asyncio import Redis

from bot.runtime.markers import MAX_MARKERS, marker_member, marker_time
from bot.runtime.outbox import Priority
from bot.storage import lua
from bot.storage.keys import KeySchema
from bot.storage.scripts import ADOPT_OLDER_MARKER

Kind = Literal["event", "claim"]
PAGE = 1000  # keys per SCAN step, entries per XRANGE page, script calls per pipeline


@dataclass
class OlderMarkers:
    """What the migration found, by kind: moved into a participant's set, or deleted unmoved."""

    moved: dict[str, int]
    unplaced: dict[str, int]

    @classmethod
    def none(cls) -> OlderMarkers:
        return cls({"event": 0, "claim": 0}, {"event": 0, "claim": 0})


@dataclass(frozen=True)
class _Older:
    key: str
    kind: Kind
    shard: int
    ident: str  # the event id or the idempotency key


async def retire_older_markers(
    redis: Redis, schema: KeySchema, *, dedupe_ttl_seconds: int, now_ms: int
) -> OlderMarkers:
    """Move every one-key marker and claim into its participant's set; delete the rest."""
    outcome = OlderMarkers.none()
    found: dict[int, list[_Older]] = {}
    async for older in _older_keys(redis, schema):
        found.setdefault(older.shard, []).append(older)
    for shard, olders in sorted(found.items()):
        events = await _participants_in(redis, _event_streams(schema, shard), b"id")
        sends = await _participants_in(redis, _outbox_streams(schema, shard), b"k")
        steps: list[tuple[lua.BatchStep, dict[str, int], Kind]] = []
        for older in olders:
            pid = events.get(older.ident) if older.kind == "event" else sends.get(older.ident)
            if pid is None:
                steps.append((("DEL", older.key), outcome.unplaced, older.kind))
                continue
            sets = schema.event_markers(pid) if older.kind == "event" else schema.send_claims(pid)
            args: list[str | int] = [
                marker_member(older.ident),
                marker_time(now_ms),
                dedupe_ttl_seconds,
                MAX_MARKERS,
                older.kind,
            ]
            call = lua.ScriptCall(ADOPT_OLDER_MARKER, [older.key, sets], args)
            steps.append((call, outcome.moved, older.kind))
        await _run(redis, steps)
    return outcome


async def _run(redis: Redis, steps: list[tuple[lua.BatchStep, dict[str, int], Kind]]) -> None:
    """The steps, a page per pipeline, each counted where it says when it did something (a
    key another process moved or deleted first counts there)."""
    for start in range(0, len(steps), PAGE):
        page = steps[start : start + PAGE]
        replies = await lua.run_batch(redis, [step for step, _, _ in page])
        for (_, counts, kind), reply in zip(page, replies, strict=True):
            if isinstance(reply, Exception):
                raise reply
            counts[kind] += int(reply)


async def _older_keys(redis: Redis, schema: KeySchema) -> AsyncIterator[_Older]:
    """Every string key of the older formats (on a cluster: on every node)."""
    for kind, pattern in schema.older_marker_patterns().items():
        shape = re.compile(
            re.escape(schema.prefix) + r":\{s(\d+)\}:" + ("e" if kind == "event" else "sent")
        )
        async for raw in redis.scan_iter(match=pattern, count=PAGE, _type="string"):
            key = raw.decode() if isinstance(raw, bytes) else str(raw)
            matched = shape.match(key)
            if matched is None or key[matched.end() : matched.end() + 1] != ":":
                continue
            shard, ident = int(matched.group(1)), key[matched.end() + 1 :]
            if shard < schema.shards and ident:
                yield _Older(key, "event" if kind == "event" else "claim", shard, ident)


def _event_streams(schema: KeySchema, shard: int) -> list[str]:
    return [schema.inbound(shard), schema.dead_letters(shard)]


def _outbox_streams(schema: KeySchema, shard: int) -> list[str]:
    return [
        schema.outbox(shard, Priority.REPLY),
        schema.outbox(shard, Priority.BULK),
        schema.outbox_dead(shard),
    ]


async def _participants_in(redis: Redis, streams: list[str], field: bytes) -> dict[str, str]:
    """Event id (`id`) or idempotency key (`k`) -> participant, of every entry of `streams`."""
    found: dict[str, str] = {}
    for stream in streams:
        start = "-"
        while True:
            page: Any = await redis.xrange(stream, min=start, count=PAGE)
            for entry_id, fields in page:
                ident, pid = fields.get(field), fields.get(b"pid")
                if ident and pid:
                    found[ident.decode()] = pid.decode()
                start = "(" + entry_id.decode()
            if len(page) < PAGE:
                break
    return found
