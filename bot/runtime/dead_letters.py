"""Dead letters: inbound events that kept failing, parked in their shard's `dead` stream, and
outbox messages a platform kept refusing (or that had no channel to go to), in `out:dead`.

A worker moves an event there after `max_attempts` failures so it cannot stall its participant
(docs/keys.md). Once the cause is fixed (a broken campaign reloaded, a bug deployed away), an
operator replays it: the event goes back to its shard's inbound stream and a worker processes
it again. Replaying is safe even for an event that did get committed: the commit finds the
event's marker committed and changes nothing.

Listing shows routing facts only (ids, error type, times), never the sealed body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from redis.asyncio import Redis

from bot.storage.keys import KeySchema
from bot.storage.scripts import REPLAY_DEAD_LETTER

PAGE = 200  # dead letters read per XRANGE

Kind = Literal["inbound", "outbox"]


def _dead_stream(schema: KeySchema, kind: Kind, shard: int) -> str:
    return schema.dead_letters(shard) if kind == "inbound" else schema.outbox_dead(shard)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: str  # the dead letter's own entry id in its shard's `dead` stream
    shard: int
    entry: str  # the event's entry id in the inbound stream when it failed
    error: str  # exception type only: a message could quote participant data
    event_id: str
    channel: str
    received_at: dt.datetime | None


async def dead_letters(
    redis: Redis, schema: KeySchema, shard: int | None = None, kind: Kind = "inbound"
) -> AsyncIterator[DeadLetter]:
    """Every dead letter of one shard, or of all of them, oldest first within a shard."""
    for number in range(schema.shards) if shard is None else (shard,):
        stream = _dead_stream(schema, kind, number)
        start = "-"
        while True:
            page: Any = await redis.xrange(stream, min=start, count=PAGE)
            for entry_id, fields in page:
                yield _letter(number, entry_id, fields)
            if len(page) < PAGE:
                break
            start = "(" + page[-1][0].decode()  # exclusive: continue after the last one


async def replay(
    redis: Redis, schema: KeySchema, shard: int, letter_id: str, kind: Kind = "inbound"
) -> str | None:
    """Put one dead letter back on the stream it came from (the shard's inbound stream, or the
    outbox stream it was read from). Returns the new entry id, or None when there is no such
    dead letter (already replayed, or a wrong id)."""
    dead = _dead_stream(schema, kind, shard)
    target = schema.inbound(shard)
    if kind == "outbox":
        found: Any = await redis.xrange(dead, min=letter_id, max=letter_id)
        if not found:
            return None
        stream = found[0][1].get(b"stream", b"").decode()
        outboxes = {schema.outbox(shard, priority) for priority in ("reply", "bulk")}
        target = stream if stream in outboxes else schema.outbox(shard, "bulk")
    added: Any = await REPLAY_DEAD_LETTER(redis, [dead, target], [letter_id])
    return added.decode() if isinstance(added, bytes) else added


async def replay_all(
    redis: Redis, schema: KeySchema, shard: int | None = None, kind: Kind = "inbound"
) -> int:
    """Replay every dead letter (of one shard, or all); returns how many were put back."""
    found = dead_letters(redis, schema, shard, kind)
    letters = [(letter.shard, letter.id) async for letter in found]
    return await replay_each(redis, schema, letters, kind)


async def replay_each(
    redis: Redis, schema: KeySchema, letters: Iterable[tuple[int, str]], kind: Kind = "inbound"
) -> int:
    replayed = 0
    for shard, letter_id in letters:
        replayed += await replay(redis, schema, shard, letter_id, kind) is not None
    return replayed


async def find(
    redis: Redis,
    schema: KeySchema,
    letter_id: str,
    shard: int | None = None,
    kind: Kind = "inbound",
) -> list[int]:
    """The shards whose dead-letter stream holds `letter_id` (stream ids are per stream, so
    two shards can, rarely, hold the same one)."""
    found = []
    for number in range(schema.shards) if shard is None else (shard,):
        dead = _dead_stream(schema, kind, number)
        if await redis.xrange(dead, min=letter_id, max=letter_id):
            found.append(number)
    return found


def _letter(shard: int, entry_id: bytes, fields: dict[bytes, bytes]) -> DeadLetter:
    received = fields.get(b"t", b"")
    return DeadLetter(
        id=entry_id.decode(),
        shard=shard,
        entry=fields.get(b"entry", b"").decode(),
        error=fields.get(b"error", b"").decode(),
        event_id=(fields.get(b"id") or fields.get(b"k") or b"").decode(),
        channel=fields.get(b"ch", b"").decode(),
        received_at=(
            dt.datetime.fromtimestamp(int(received) / 1000, dt.UTC) if received.isdigit() else None
        ),
    )
