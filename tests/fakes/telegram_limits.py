"""The fake Bot API's own flood control: GCRA ("a rate, with short bursts tolerated") on the
fake's clock, and the penalty a 429 imposes until its `retry_after` has passed.

Telegram publishes ~30 messages/s overall and ~1/s per chat with "short bursts" and no exact
tolerance; the fake makes the tolerance explicit so a test can say how far a sender may go."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FakeLimits:
    global_rate: float = 30.0
    global_burst: int = 10
    per_chat_rate: float = 1.0
    per_chat_burst: int = 4


@dataclass
class Gcra:
    """`rate` per second; up to `burst` at once. `take` counts a message or says how long to
    wait."""

    rate: float
    burst: int
    _tat: dict[object, float] = field(default_factory=dict)

    def take(self, key: object, now: float) -> float:
        """0.0 when allowed (and counted), else seconds until it would be."""
        interval = 1.0 / self.rate
        tolerance = interval * (self.burst - 1)
        tat = max(self._tat.get(key, now), now)
        if tat - now > tolerance + 1e-9:
            return tat - now - tolerance
        self._tat[key] = tat + interval
        return 0.0


@dataclass
class Penalties:
    """After a 429 nothing may be sent until `retry_after` has passed: globally, or to one
    chat when only that chat was flooded."""

    until_global: float = 0.0
    until_chat: dict[int, float] = field(default_factory=dict)

    def remaining(self, chat_id: int | None, now: float) -> float:
        chat_until = self.until_chat.get(chat_id, 0.0) if chat_id is not None else 0.0
        return max(self.until_global, chat_until) - now

    def impose(self, chat_id: int | None, seconds: float, now: float) -> None:
        if chat_id is None:
            self.until_global = max(self.until_global, now + seconds)
        else:
            self.until_chat[chat_id] = max(self.until_chat.get(chat_id, 0.0), now + seconds)


def retry_after_seconds(wait: float) -> int:
    """Telegram answers whole seconds, rounded up: waiting exactly that is always enough."""
    return max(1, math.ceil(wait))
