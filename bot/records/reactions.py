"""Reactions to decision notices: recorded in the turn's commit (bot.runtime.commit), read
here for the company's CLI.

"Helpful" and "still concerned" count once per participant and decision (the latest press
wins); "tell me more" counts once per participant. A written concern becomes a case on the
grievance desk (kind `concern`, linked to the decision), its text sealed with the
participant's key like every free text, and is listed with the decision.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.conversation.decisions.reaction import MORE
from bot.storage.keys import KeySchema


@dataclass(frozen=True, slots=True)
class ReactionTotals:
    helpful: int
    concerns: int
    more: int
    concern_cases: list[tuple[int, str]]  # (shard, case reference), oldest first


async def reaction_totals(redis: Redis, schema: KeySchema, ref: str) -> ReactionTotals:
    totals: Counter[str] = Counter()
    cases: list[tuple[float, int, str]] = []
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.hgetall(schema.reactions(shard, ref))
        pipe.zrange(schema.concerns(shard, ref), 0, -1, withscores=True)
    replies: list[Any] = await pipe.execute()
    for shard in range(schema.shards):
        counts, concern_refs = replies[2 * shard], replies[2 * shard + 1]
        for name, value in counts.items():
            totals[name.decode()] += int(value)
        cases += [(score, shard, member.decode()) for member, score in concern_refs]
    return ReactionTotals(
        helpful=totals["helpful"],
        concerns=totals["concerns"],
        more=totals[MORE],
        concern_cases=[(shard, reference) for _, shard, reference in sorted(cases)],
    )
