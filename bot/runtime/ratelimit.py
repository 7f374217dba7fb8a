"""Rate limits shared by every sender process: GCRA in Redis, on Redis's own clock.

A limiter key holds the "theoretical arrival time" of the next message; a request is allowed
when it is no further ahead than the burst tolerance, otherwise the script answers how many
milliseconds to wait. A 429's `retry_after` pauses the whole channel for exactly that long.
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.scripts import RATE_LIMIT


class Limiter:
    """One kind of GCRA limit: `rate` per second, running ahead by at most `burst` messages;
    each (limiter key, pause key) pair is one thing limited (a channel, a recipient)."""

    def __init__(self, redis: Redis, rate: float, burst: int) -> None:
        # Not rounded to whole milliseconds: 1000/30 rounded to 33 would run 1 % over 30/s,
        # which a platform's own limiter notices within a few hundred messages.
        self._interval_ms = 1000 / rate
        self._tolerance_ms = self._interval_ms * max(0, burst - 1)
        self._redis = redis

    async def acquire(self, keys: tuple[str, str], *, burst: bool = True) -> int:
        """0 when a message may go now (and it is counted), else milliseconds to wait.
        `burst=False` runs ahead by half a message at most (bulk keeps the burst for replies):
        just enough to make up for a slot woken up late, which would otherwise be lost."""
        tolerance = self._tolerance_ms if burst else min(self._tolerance_ms, self._interval_ms / 2)
        wait: int = await RATE_LIMIT(self._redis, keys, [self._interval_ms, tolerance])
        return int(wait)
