"""Small stream helpers shared by workers and senders."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

# The consumer groups: workers read the inbound streams, senders the outbox streams.
WORKERS = "workers"
SENDERS = "senders"


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


async def claim_all(redis: Redis, stream: str, group: str, consumer: str) -> int:
    """Take over every entry another consumer read but never acknowledged. Only safe for the
    holder of the shard's lease: it is then the stream's only consumer."""
    claimed, cursor = 0, "0-0"
    while True:
        reply: Any = await redis.xautoclaim(stream, group, consumer, 0, cursor, 500)
        cursor, entries = reply[0], reply[1]
        claimed += len(entries)
        if cursor in (b"0-0", "0-0"):
            return claimed


async def trim_acknowledged(
    redis: Redis, stream: str, group: str, last_read: bytes
) -> dict[str, int]:
    """Drop acknowledged entries so the stream holds only its backlog: everything older than
    the oldest pending entry, or up to the last entry read when nothing is pending. Returns
    how many entries each consumer has pending (read, not acknowledged)."""
    summary: Any = await redis.xpending(stream, group)
    if summary["pending"]:
        floor = summary["min"]
    else:
        millis, _, sequence = last_read.partition(b"-")
        floor = b"%s-%d" % (millis, int(sequence) + 1)
    await redis.xtrim(stream, minid=floor, approximate=False)
    return {_text(c["name"]): int(c["pending"]) for c in summary["consumers"] or []}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
