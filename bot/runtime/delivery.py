"""The port between the sender and a push platform (Telegram, WhatsApp): one small Protocol and
the failures a platform can answer with. Channel adapters implement it; tests use fakes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing


class DeliveryError(Exception):
    """Root of what a platform answers instead of "sent"."""


class RateLimitedError(DeliveryError):
    """HTTP 429 or the platform's own code: nothing was sent; wait exactly `retry_after`.
    `per_recipient`: only this recipient is paused (WhatsApp's pair rate, error 131056), not
    the whole channel."""

    def __init__(self, retry_after: float, *, per_recipient: bool = False) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after
        self.per_recipient = per_recipient


class TemporaryDeliveryError(DeliveryError):
    """5xx or a connection that failed before the request went out: nothing was sent, retry."""


class UncertainDeliveryError(DeliveryError):
    """The request went out but no answer came back (timeout): it may have been delivered.
    Never retried, so nobody receives a message twice."""


class UndeliverableError(DeliveryError):
    """Nothing was sent and retrying will not help until an operator acts (WhatsApp: the
    24-hour window is closed and no approved template fits; the platform rejects the message
    or the access token). The entry is dead-lettered at once, to be replayed after the fix."""


class RecipientRefusedError(DeliveryError):
    """The recipient cannot be reached (blocked the bot, no such number): stop sending."""


@dataclass(frozen=True, slots=True)
class SendLimits:
    """Per-channel pacing, from the platform limits in settings."""

    global_rate: float  # messages per second over all recipients
    global_burst: int  # messages the global rate may run ahead by
    per_chat_interval: float  # seconds between two messages to one recipient
    per_chat_burst: int  # messages one recipient may get in a burst


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who an outbox entry goes to, as the sender found them in the participant record."""

    participant_id: str
    address: str  # the platform address (chat id, phone number), decrypted just for this send
    language: str
    last_inbound_ms: int | None  # when they last wrote to Sauti (WhatsApp's 24-hour window)


class ChannelClient(Protocol):
    @property
    def channel(self) -> Channel: ...

    @property
    def limits(self) -> SendLimits: ...

    async def deliver(self, recipient: Recipient, message: Outgoing, key: str) -> str | None:
        """Send one message; raises a DeliveryError subclass instead of returning on failure.
        `message` is the outbox entry's message; `key` is the entry's idempotency key, for
        platforms that accept one. Returns the platform's message id when it gives one."""
        ...
