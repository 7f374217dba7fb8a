"""Queue depths for /metrics: what waits to be handled, per queue.

A stream's length is not its backlog: workers and senders trim acknowledged entries at most
once a second, so after a burst the last entries stay in the stream, acknowledged, until the
next one. What waits is what the consumer group has not read yet (its lag) plus what it read
and has not acknowledged (pending). Redis 6.2 reports neither lag nor entries read, so the
script counts the entries the group has already read past (few: trimmed away within a second
of being handled) and takes them off the length.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.runtime.outbox import Priority
from bot.runtime.sender import GROUP as SENDERS
from bot.runtime.worker import GROUP as WORKERS
from bot.storage.keys import KeySchema
from bot.storage.lua import ScriptCall, run_batch
from bot.storage.scripts import QUEUE_WAITING


async def queue_depths(redis: Redis, schema: KeySchema) -> dict[str, int]:
    """Inbound events and outgoing messages waiting (or in progress), and dead letters."""
    shards = range(schema.shards)
    queues: dict[str, list[ScriptCall | tuple[str, str]]] = {
        "inbound": [ScriptCall(QUEUE_WAITING, [schema.inbound(s)], [WORKERS]) for s in shards],
        "dead_letters": [("XLEN", schema.dead_letters(s)) for s in shards],
        "outbox_dead": [("XLEN", schema.outbox_dead(s)) for s in shards],
    }
    for priority in Priority:
        streams = [schema.outbox(s, priority) for s in shards]
        queues[f"outbox_{priority}"] = [
            ScriptCall(QUEUE_WAITING, [key], [SENDERS]) for key in streams
        ]
    steps = [step for queue in queues.values() for step in queue]
    replies: list[Any] = await run_batch(redis, steps)
    for reply in replies:
        if isinstance(reply, Exception):  # a refusal (not a lost connection): say so
            raise reply
    depths: dict[str, int] = {}
    start = 0
    for queue, queue_steps in queues.items():
        depths[queue] = sum(int(reply) for reply in replies[start : start + len(queue_steps)])
        start += len(queue_steps)
    return depths
