"""Campaign figures summed over shards (each shard keeps its own counters, see docs/keys.md):
`started`, `completed`, `answers` and the sessions stored (`.started`, `.completed`), as the
latest results snapshot froze them (bot.records.snapshots); the result counters kept in the
same hashes are read by bot.records.results."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.records.snapshots import read_snapshot
from bot.records.tally import COMPLETED, SESSIONS
from bot.storage.keys import KeySchema

# The campaign's own counts (everyone who ever did, erased or not), and those of the sessions
# stored (bot.records.tally), as the results count them.
FIGURES = ("started", "completed", "answers", SESSIONS, COMPLETED)


async def campaign_counters(
    redis: Redis, schema: KeySchema, campaign_id: str, *, minimum: int
) -> dict[str, int]:
    """The campaign's own figures (a new snapshot taken first when `minimum` people wait)."""
    _, counts = await read_snapshot(redis, schema, campaign_id, list(FIGURES), minimum=minimum)
    return counts
