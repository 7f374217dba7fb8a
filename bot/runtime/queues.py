"""Queue depths for /metrics and the CLI: backlog and pending entries per stream."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import App


async def queue_depths(app: App) -> dict[str, int]:
    """Inbound entries not yet processed (workers trim processed ones away), and dead letters."""
    keys = app.keys
    pipe = app.redis.pipeline(transaction=False)
    for shard in range(keys.shards):
        pipe.xlen(keys.inbound(shard))
        pipe.xlen(keys.dead_letters(shard))
    replies: list[Any] = await pipe.execute()
    return {"inbound": sum(replies[0::2]), "dead_letters": sum(replies[1::2])}
