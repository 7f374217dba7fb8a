"""Reactions to decision notices: recorded in the turn's commit, read by the company's CLI.

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

from bot.conversation.decisions.reaction import CONCERN, MORE, Reaction
from bot.privacy import ParticipantId, encrypt_field, field_aad
from bot.runtime.feedback import create_case
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall
from bot.storage.scripts import RECORD_REACTION


def reaction_commands(
    schema: KeySchema,
    *,
    participant_id: str,
    language: str,
    channel: str,
    data_key: bytes,
    reaction: Reaction,
    now_ms: int,
) -> list[BatchStep]:
    """Redis commands recording one reaction (idempotent: run before the turn's commit)."""
    shard = schema.shard_of(participant_id)
    if reaction.kind != CONCERN:
        return [
            ScriptCall(
                RECORD_REACTION,
                [schema.told(participant_id), schema.reactions(shard, reaction.ref)],
                [reaction.ref, reaction.kind],
            )
        ]
    aad = field_aad(ParticipantId(participant_id), f"case:{reaction.reference}")
    sealed = encrypt_field(data_key, reaction.text, aad)
    return [
        create_case(
            schema.case(shard, reaction.reference),
            "pid", participant_id,
            "cid", reaction.campaign_id,
            "lang", language,
            "ch", channel,
            "status", "received",
            "t", now_ms,
            "due", reaction.due_ms,
            "x", sealed,
            "kind", "concern",
            "dref", reaction.ref,
        ),
        ("ZADD", schema.cases(shard), "NX", now_ms, reaction.reference),
        ("ZADD", schema.concerns(shard, reaction.ref), "NX", now_ms, reaction.reference),
    ]  # fmt: skip


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
