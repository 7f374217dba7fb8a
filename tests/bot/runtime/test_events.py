"""Inbound events in streams: what a channel hands on comes back whole, and entries an older
Sauti wrote (still in a stream or its dead letters during an upgrade) still read."""

from __future__ import annotations

import json
import os
from typing import Any

from bot.conversation.inbound import Answer, Channel, InboundEvent
from bot.privacy import ParticipantCrypto
from bot.runtime.event_codec import decode, encode
from bot.secret import Secret
from dialogues.inbound import TextReply

CRYPTO = ParticipantCrypto(Secret(os.urandom(32)), Secret(os.urandom(32)))
EVENT = InboundEvent(
    event_id="whatsapp:0123456789abcdef",
    channel=Channel.WHATSAPP,
    participant_id="p" * 32,
    received_at_ms=1_795_000_000_000,
    action=Answer(TextReply("ndiyo")),
    address="255710000031",
    zone_hint="Africa/Dar_es_Salaam",
)


def _as_read(fields: dict[str, str | bytes]) -> dict[bytes, bytes]:
    return {k.encode(): v if isinstance(v, bytes) else v.encode() for k, v in fields.items()}


def test_an_event_with_a_zone_hint_comes_back_whole() -> None:
    assert decode(_as_read(encode(EVENT, CRYPTO)), CRYPTO) == EVENT


def test_the_zone_hint_travels_sealed_like_the_address() -> None:
    fields = encode(EVENT, CRYPTO)
    assert not any(b"Dar_es_Salaam" in _bytes(value) for value in fields.values())


def test_an_entry_written_before_zone_hints_reads_without_one() -> None:
    body = json.dumps({"a": {"text": "ndiyo", "q": None}, "addr": "255710000031"})
    fields: dict[str, Any] = {
        "id": EVENT.event_id,
        "ch": "whatsapp",
        "pid": EVENT.participant_id,
        "t": str(EVENT.received_at_ms),
        "body": CRYPTO.seal_in_transit(body, EVENT.event_id.encode()),
    }
    event = decode(_as_read(fields), CRYPTO)
    assert event.zone_hint is None
    assert event.action == EVENT.action


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()
