"""What staff mark on a triage item — urgent, safety, the decision it is linked to — and the
safety alerts a safety flag raises for the organisation.

Marks sit next to the queue, under the item's shard tag (`KeySchema.triage_marks`), so the
commit that withdraws an answer, an erasure and retention take them with the item. A safety
flag opens an alert (`KeySchema.safety_alerts`) until a staff member acknowledges it; the flag
itself stays. Each change is one script call (`mark_triage.lua`), which refuses an item no
longer in the queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

from redis.asyncio import Redis

from bot.records.triage_items import CONCERN_FIELD
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall, run_batch
from bot.storage.replies import text
from bot.storage.scripts import MARK_TRIAGE


class Mark(StrEnum):
    URGENT = "u"
    SAFETY = "s"
    DECISION = "d"
    DISMISSED = "t"  # suggested themes staff dismissed (bot.loop.theme_suggestions)


class Marked(IntEnum):
    """What setting or clearing a mark did."""

    GONE = -1  # the item is not in the queue (never, withdrawn or erased)
    UNCHANGED = 0
    CHANGED = 1
    ALERT_RAISED = 2  # a safety flag set: the organisation has one more open alert


async def mark_item(
    redis: Redis,
    schema: KeySchema,
    campaign_id: str,
    shard: int,
    item: str,
    mark: Mark,
    value: str,
) -> Marked:
    """Set (`value`: the time in ms for a flag, the decision id for a link) or clear (`''`)
    one mark of an item (`bot.records.triage_items`) of the shard."""
    keys = (
        schema.triage(shard, campaign_id),
        schema.triage_marks(shard, campaign_id),
        schema.safety_alerts(shard, campaign_id),
    )
    call = ScriptCall(MARK_TRIAGE, keys, (item, mark.value, value))
    [reply] = await run_batch(redis, [call])
    if isinstance(reply, Exception):
        raise reply
    return Marked(int(reply))


def safety_alert_steps(
    schema: KeySchema, participant_id: str, campaign_id: str, reference: str, flagged_ms: int
) -> list[BatchStep]:
    """A case flagged for someone's safety when it was written (bot.conversation.safety), in
    its campaign's triage queue with the safety mark and an open alert, as if staff had flagged
    it; what they were told (`q:<reference>`) lets their erasure find it. Run with the case,
    before the commit: a replay neither moves the times nor adds a second alert."""
    shard = schema.shard_of(participant_id)
    return [
        ("ZADD", schema.triage(shard, campaign_id), "NX", flagged_ms, reference),
        ("HSET", schema.told(participant_id), CONCERN_FIELD + reference, campaign_id),
        ("HSETNX", schema.triage_marks(shard, campaign_id), f"{Mark.SAFETY.value}:{reference}",
         flagged_ms),
        ("ZADD", schema.safety_alerts(shard, campaign_id), "NX", flagged_ms, reference),
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class SafetyAlert:
    """An open alert: a triage item flagged safety, not yet acknowledged."""

    campaign_id: str
    shard: int
    item: str  # `<participant id>/<question id>`: stays on the server
    raised_ms: int


async def open_alerts(
    redis: Redis, schema: KeySchema, campaign_ids: Iterable[str]
) -> list[SafetyAlert]:
    """The open safety alerts of these campaigns, oldest first (one round trip)."""
    wanted = [(cid, shard) for cid in campaign_ids for shard in range(schema.shards)]
    if not wanted:
        return []
    pipe = redis.pipeline(transaction=False)
    for campaign_id, shard in wanted:
        pipe.zrange(schema.safety_alerts(shard, campaign_id), 0, -1, withscores=True)
    replies: list[Any] = await pipe.execute()
    alerts = [
        SafetyAlert(campaign_id, shard, text(member), int(score))
        for (campaign_id, shard), reply in zip(wanted, replies, strict=True)
        for member, score in reply
    ]
    return sorted(alerts, key=lambda alert: (alert.raised_ms, alert.campaign_id, alert.item))


async def acknowledge(redis: Redis, schema: KeySchema, alert: SafetyAlert) -> bool:
    """Close an alert (its item keeps the safety flag); False when it was closed already."""
    key = schema.safety_alerts(alert.shard, alert.campaign_id)
    return bool(await redis.zrem(key, alert.item))


async def linked_answers(
    redis: Redis, schema: KeySchema, campaign_id: str, decision_id: str
) -> int:
    """How many of the campaign's triage items are linked to the decision (marks are few: one
    round trip over the shards)."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.hgetall(schema.triage_marks(shard, campaign_id))
    replies: list[Any] = await pipe.execute()
    return sum(
        1
        for fields in replies
        for field, value in fields.items()
        if text(field).startswith("d:") and text(value) == decision_id
    )
