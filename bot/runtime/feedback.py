"""Feedback cases: what participants tell a company outside the survey (/feedback).

A case is a hash under the participant's shard tag, indexed per shard by creation time. The
text is sealed with the participant's data key, so erasing them makes it unreadable. Writes are
idempotent (the reference derives from the inbound event id), so a replayed event changes
nothing. The company's side (status changes, answers) builds on these schema.
"""

from __future__ import annotations

from bot.conversation.turns import Feedback
from bot.privacy import ParticipantId, encrypt_field, field_aad
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall
from bot.storage.redis_command import RedisArg
from bot.storage.scripts import CREATE_CASE

RECEIVED = "received"


def create_case(key: str, *fields: RedisArg) -> ScriptCall:
    """The script call creating a case hash with `fields` (name, value, ...) unless it exists
    (a replayed event must not reset a case the desk has moved on)."""
    return ScriptCall(CREATE_CASE, [key], fields)


def case_commands(
    schema: KeySchema,
    shard: int,
    *,
    participant_id: str,
    language: str,
    channel: str,
    data_key: bytes,
    feedback: Feedback,
    now_ms: int,
) -> list[BatchStep]:
    """Redis commands that record one case (safe to run twice)."""
    aad = field_aad(ParticipantId(participant_id), f"case:{feedback.reference}")
    sealed = encrypt_field(data_key, feedback.text, aad)
    key = schema.case(shard, feedback.reference)
    return [
        create_case(
            key,
            "pid", participant_id,
            "cid", feedback.campaign_id or "",
            "lang", language,
            "ch", channel,
            "status", RECEIVED,
            "t", now_ms,
            "due", feedback.due_ms,
            "x", sealed,
        ),
        ("ZADD", schema.cases(shard), "NX", now_ms, feedback.reference),
    ]  # fmt: skip
