"""Outbox entries: messages for push channels (Telegram, WhatsApp), waiting for a sender.

Each shard has two streams, `reply` (answers to someone in a conversation) and `bulk` (notices
to many), so senders serve replies first. An entry carries an idempotency key; the message
body (bot.runtime.message_codec) is sealed in transit and bound to that key. The recipient's
address is not in the entry: the sender reads it from the participant record, so an erased or
unreachable participant is never sent to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis

from bot.conversation.outgoing import Outgoing
from bot.privacy import ParticipantCrypto
from bot.runtime.message_codec import message_from_plain, message_to_plain
from bot.storage.keys import KeySchema


class Priority(StrEnum):
    REPLY = "reply"
    BULK = "bulk"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    key: str  # idempotency key: unique per message, forever
    participant_id: str
    channel: str
    message: Outgoing
    enqueued_ms: int


def seal(entry: OutboxEntry, crypto: ParticipantCrypto) -> dict[str, str | bytes]:
    """The stream fields of an entry, its message body sealed and bound to its key."""
    body = json.dumps(message_to_plain(entry.message), ensure_ascii=False, separators=(",", ":"))
    return {
        "k": entry.key,
        "pid": entry.participant_id,
        "ch": entry.channel,
        "t": str(entry.enqueued_ms),
        "body": crypto.seal_in_transit(body, entry.key.encode()),
    }


def unseal(fields: dict[bytes, bytes], crypto: ParticipantCrypto) -> OutboxEntry:
    """An entry read back from its stream fields, its message typed again."""
    key = fields[b"k"].decode()
    return OutboxEntry(
        key=key,
        participant_id=fields[b"pid"].decode(),
        channel=fields[b"ch"].decode(),
        message=message_from_plain(
            json.loads(crypto.open_in_transit(fields[b"body"], key.encode()))
        ),
        enqueued_ms=int(fields[b"t"]),
    )


async def enqueue(
    redis: Redis,
    schema: KeySchema,
    crypto: ParticipantCrypto,
    entry: OutboxEntry,
    priority: Priority,
) -> None:
    """Queue one message outside an inbound event's commit (bulk notices, for instance)."""
    shard = schema.shard_of(entry.participant_id)
    fields: Any = seal(entry, crypto)
    await redis.xadd(schema.outbox(shard, priority), fields)
