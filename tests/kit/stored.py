"""What a running Sauti stored, read back from Redis for a test to check."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from bot.storage.keys import KeySchema
from tests.kit.example import CAMPAIGN


async def answers(
    redis: Redis, schema: KeySchema, pid: str, campaign: str = CAMPAIGN
) -> dict[str, dict[str, Any]]:
    """A participant's recorded answers, by question id."""
    raw: Any = await redis.hgetall(schema.answers(pid, campaign))
    return {question.decode(): json.loads(value) for question, value in raw.items()}


async def counters(redis: Redis, schema: KeySchema, campaign: str = CAMPAIGN) -> dict[str, int]:
    """A campaign's counters (started, answers, completed...), summed over the shards."""
    totals: dict[str, int] = {}
    for shard in range(schema.shards):
        raw: Any = await redis.hgetall(schema.counters(shard, campaign))
        for name, value in raw.items():
            totals[name.decode()] = totals.get(name.decode(), 0) + int(value)
    return totals
