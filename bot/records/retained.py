"""The aggregates retention keeps when it erases a campaign's personal-level data, in the
shard's counters hash (`sauti:{sN}:c:<cid>`, docs/keys.md "Result counters"): what the loop
report and theme counts read from data that retention erases. `expire_respondents.lua` writes
them, in the call that erases what they were read from.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from redis.asyncio import Redis

from bot.storage.keys import KeySchema

# Respondents retention erased (they are no longer in the respondents set).
RETAINED_RESPONDENTS = "ret:respondents"
# Their answers tagged with a theme: `ret:theme:<theme>`.
RETAINED_THEME = "ret:theme:"


async def retained_themes(redis: Redis, schema: KeySchema, campaign_id: str) -> Counter[str]:
    """Answers per theme of the respondents retention erased (all shards)."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.hgetall(schema.counters(shard, campaign_id))
    counts: Counter[str] = Counter()
    replies: list[Any] = await pipe.execute()
    for fields in replies:
        for name, value in fields.items():
            label = name.decode()
            if label.startswith(RETAINED_THEME):
                counts[label[len(RETAINED_THEME) :]] += int(value)
    return counts


async def retention_began(redis: Redis, schema: KeySchema, shard: int, campaign_id: str) -> bool:
    """Retention has erased respondents of the campaign in this shard."""
    return bool(await redis.hexists(schema.counters(shard, campaign_id), RETAINED_RESPONDENTS))
