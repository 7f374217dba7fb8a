"""A channel's global rate, shared by every sender process: GCRA in Redis, on Redis's own clock.

A sender reserves a slot and is told when it begins, then sleeps until then: one round trip per
message however long it waits, where asking "may I go now?" took one per try. A slot is reserved
at most a horizon ahead, so the messages that go first (replies, before bulk notices) still find
one soon after they come. A 429's `retry_after` pauses the whole channel for exactly that long.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.storage.scripts import RESERVE_SLOT

# A reply may reserve a slot this far ahead: replies are few, and each should take the first free
# slot in the order it came.
REPLY_HORIZON_MS = 60_000
# Bulk reserves this many slots ahead at most: enough that a slot is never left unused while the
# next bulk message asks for it (one slot ahead ran at 98.5 % of the rate, three at 99.3 %:
# `bench/telegram_send.py`), few enough that a reply coming meanwhile waits 100 ms at most.
BULK_HORIZON_SLOTS = 3


@dataclass(frozen=True, slots=True)
class Slot:
    reserved: bool  # False: none near enough; ask again in `in_ms`
    in_ms: int  # when the slot begins (or when to ask again)


class GlobalRate:
    """One channel's rate: `rate` messages per second, running ahead by at most `burst`."""

    def __init__(self, redis: Redis, rate: float, burst: int) -> None:
        # Not rounded to whole milliseconds: 1000/30 rounded to 33 would run 1 % over 30/s,
        # which a platform's own limiter notices within a few hundred messages.
        self._interval_ms = 1000 / rate
        self._tolerance_ms = self._interval_ms * max(0, burst - 1)
        self._redis = redis

    async def reserve(self, keys: tuple[str, str], *, bulk: bool = False) -> Slot:
        """A slot for one message. Bulk runs ahead by half a message at most (the burst is kept
        for replies: just enough to make up for a slot woken up late, which would otherwise be
        lost) and reserves only a few slots ahead: a bulk notice never holds many slots a
        reply that comes meanwhile could have had."""
        if bulk:
            tolerance = min(self._tolerance_ms, self._interval_ms / 2)
            horizon = self._interval_ms * BULK_HORIZON_SLOTS
        else:
            tolerance, horizon = self._tolerance_ms, REPLY_HORIZON_MS
        reply = await RESERVE_SLOT(self._redis, keys, [self._interval_ms, tolerance, horizon])
        return Slot(bool(reply[0]), int(reply[1]))


@dataclass(frozen=True, slots=True)
class ChatPace:
    """A recipient's own pace (interval and burst, in ms), checked when their send is claimed
    (bot.runtime.claims)."""

    interval_ms: float
    tolerance_ms: float

    @classmethod
    def of(cls, rate: float, burst: int) -> ChatPace:
        interval = 1000 / rate
        return cls(interval, interval * max(0, burst - 1))
