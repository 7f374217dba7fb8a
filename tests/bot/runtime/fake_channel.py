"""A fake push platform behind the sender's ChannelClient port: records what arrives and when,
enforces its own rate limit (answering 429 like Telegram when a sender goes too fast), and can
be told to fail in the ways real platforms do."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing
from bot.runtime.delivery import (
    RateLimitedError,
    Recipient,
    RecipientRefusedError,
    SendLimits,
    TemporaryDeliveryError,
    UncertainDeliveryError,
)
from bot.runtime.message_codec import message_to_plain


@dataclass
class Delivery:
    address: str
    message: dict[str, Any]
    key: str
    at: float


@dataclass
class FakePlatform:
    limits: SendLimits
    channel: Channel = Channel.TELEGRAM
    delivered: list[Delivery] = field(default_factory=list)
    rate_limited_by_us: int = 0  # 429s the fake had to give because the sender was too fast
    script: deque[str] = field(default_factory=deque)  # next answers: "429:<s>", "5xx", ...
    blocked: set[str] = field(default_factory=set)  # addresses that blocked the bot
    failing: dict[str, int] = field(default_factory=dict)  # address -> 5xx answers still to give
    calls: list[float] = field(default_factory=list)
    _window: deque[float] = field(default_factory=deque)

    async def deliver(self, recipient: Recipient, message: Outgoing, key: str) -> str | None:
        address, plain = recipient.address, message_to_plain(message)  # kept as queued
        now = time.monotonic()
        self.calls.append(now)
        if self.script:
            answer = self.script.popleft()
            if answer.startswith("429:"):
                raise RateLimitedError(float(answer[4:]))
            if answer == "5xx":
                raise TemporaryDeliveryError("502 Bad Gateway")
            if answer == "timeout":
                self.delivered.append(Delivery(address, plain, key, now))  # it did arrive
                raise UncertainDeliveryError("read timeout")
        if self.failing.get(address, 0) > 0:
            self.failing[address] -= 1
            raise TemporaryDeliveryError("502 Bad Gateway")
        if address in self.blocked:
            raise RecipientRefusedError("Forbidden: bot was blocked by the user")
        self._check_rate(now)
        self.delivered.append(Delivery(address, plain, key, now))
        return f"m{len(self.delivered)}"

    def _check_rate(self, now: float) -> None:
        """Over any one-second window, allow rate + burst (the platform's tolerance)."""
        window = self._window
        while window and now - window[0] > 1.0:
            window.popleft()
        if len(window) >= self.limits.global_rate + self.limits.global_burst:
            self.rate_limited_by_us += 1
            raise RateLimitedError(1.0)
        window.append(now)
