"""Feedback cases: what participants tell a company outside the survey (/feedback).

A case is a hash under the participant's shard tag, indexed per shard by creation time. The
text is sealed with the participant's data key, so erasing them makes it unreadable. Writes are
idempotent (the reference derives from the inbound event id), so a replayed event changes
nothing. The company's side (status changes, answers) builds on these keys.
"""

from __future__ import annotations

from bot.conversation.turns import Feedback
from bot.privacy import ParticipantId, encrypt_field, field_aad
from bot.runtime.keys import Keys

RECEIVED = "received"

# KEYS: the case.  ARGV: field/value pairs.  Creates the case only if it does not exist: the
# commands run before an event's commit, and again if the event is replayed (a dead letter
# replayed twice), when the desk may have moved the case on; a replay must not reset it.
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return redis.call('HSET', KEYS[1], unpack(ARGV))
"""

Command = tuple[str | bytes | int, ...]


def create_case(key: str, *fields: str | bytes | int) -> Command:
    """The command creating a case hash with `fields` (name, value, ...) unless it exists."""
    return ("EVAL", _CREATE, 1, key, *fields)


def case_key(keys: Keys, shard: int, reference: str) -> str:
    return f"{keys.tag(shard)}:case:{reference}"


def cases_key(keys: Keys, shard: int) -> str:
    return f"{keys.tag(shard)}:cases"


def case_commands(
    keys: Keys,
    shard: int,
    *,
    participant_id: str,
    language: str,
    channel: str,
    data_key: bytes,
    feedback: Feedback,
    now_ms: int,
) -> list[Command]:
    """Redis commands that record one case (safe to run twice)."""
    aad = field_aad(ParticipantId(participant_id), f"case:{feedback.reference}")
    sealed = encrypt_field(data_key, feedback.text, aad)
    key = case_key(keys, shard, feedback.reference)
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
        ("ZADD", cases_key(keys, shard), "NX", now_ms, feedback.reference),
    ]  # fmt: skip
