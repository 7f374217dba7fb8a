"""Campaign figures summed over shards (each shard keeps its own counters, see docs/keys.md):
`started`, `completed`, `answers`; the result counters kept in the same hashes are read by
bot.records.results."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.records.tally import is_result_field
from bot.storage.keys import KeySchema


async def campaign_counters(redis: Redis, schema: KeySchema, campaign_id: str) -> dict[str, int]:
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.hgetall(schema.counters(shard, campaign_id))
    totals: dict[str, int] = {}
    replies: list[Any] = await pipe.execute()
    for counters in replies:
        for name, value in counters.items():
            label = name.decode()
            if not is_result_field(label):
                totals[label] = totals.get(label, 0) + int(value)
    return totals
