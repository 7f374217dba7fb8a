"""A message someone sent, as a channel-neutral InboundEvent.

Ids: a wamid encodes the sender's phone number, so neither the event id nor any key holds it:
both use an HMAC of it under the server's id secret (`message_digest`). The number's country
code gives the event a time zone hint (`zones.zone_of_number`), for quiet hours.
"""

from __future__ import annotations

import datetime as dt

from bot.channels.whatsapp import payload_ids
from bot.channels.whatsapp.payload import IncomingMessage
from bot.channels.whatsapp.zones import zone_of_number
from bot.conversation.inbound import Action, Answer, Channel, InboundEvent, Unsupported
from bot.privacy import ParticipantCrypto
from dialogues.inbound import TextReply

MAX_TEXT_CHARS = 4000  # longer answers are cut: the engine caps free text far below this


def message_digest(crypto: ParticipantCrypto, wamid: str) -> str:
    """A short, stable, pseudonymous stand-in for a WhatsApp message id."""
    return crypto.keyed_digest(b"whatsapp-message:" + wamid.encode()).hex()[:32]


def event_for(
    message: IncomingMessage,
    *,
    crypto: ParticipantCrypto,
    now_ms: int,
) -> InboundEvent:
    # The window WhatsApp allows free-form replies in runs from when the person wrote, not from
    # when the (possibly retried) webhook reached us; a clock ahead of ours is not trusted.
    sent_ms = now_ms if message.timestamp_s is None else min(message.timestamp_s * 1000, now_ms)
    return InboundEvent(
        event_id=f"{Channel.WHATSAPP.value}:{message_digest(crypto, message.wamid)}",
        channel=Channel.WHATSAPP,
        participant_id=crypto.participant_id(Channel.WHATSAPP.value, message.wa_id),
        received_at_ms=sent_ms,
        action=action_of(message),
        address=message.wa_id,
        zone_hint=zone_of_number(message.wa_id, dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC)),
    )


def action_of(message: IncomingMessage) -> Action:
    """Typed text goes to the worker as it is (it recognises join codes and keywords); a tap
    on our button means what its id says; anything else is unsupported."""
    if message.kind == "text":
        return Answer(TextReply(message.text[:MAX_TEXT_CHARS]))
    if message.kind in ("button_reply", "list_reply", "button"):
        tapped = payload_ids.action_of(message.reply_id) if message.reply_id else None
        if tapped is not None:
            return tapped
        # Not one of our ids (an edited template, an old message): the visible title is what
        # the person chose, and the engine reads it like typed text.
        if message.text:
            return Answer(TextReply(message.text[:MAX_TEXT_CHARS]))
    return Unsupported(message.kind)
