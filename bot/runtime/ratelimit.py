"""Rate limits shared by every sender process: GCRA in Redis, on Redis's own clock.

A limiter key holds the "theoretical arrival time" of the next message; a request is allowed
when it is no further ahead than the burst tolerance, otherwise the script answers how many
milliseconds to wait. A 429's `retry_after` pauses the whole channel for exactly that long.
"""

from __future__ import annotations

from redis.asyncio import Redis

# KEYS: 1 theoretical arrival time, 2 pause (optional: '' key name not allowed, so always given)
# ARGV: interval ms, tolerance ms.  Returns 0 (go) or the ms to wait.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - now > tolerance then return math.ceil(tat - now - tolerance) end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now + tolerance + 1000))
return 0
"""


class Limiter:
    """One kind of GCRA limit: `rate` per second, running ahead by at most `burst` messages;
    each (limiter key, pause key) pair is one thing limited (a channel, a recipient)."""

    def __init__(self, redis: Redis, rate: float, burst: int) -> None:
        # Not rounded to whole milliseconds: 1000/30 rounded to 33 would run 1 % over 30/s,
        # which a platform's own limiter notices within a few hundred messages.
        self._interval_ms = 1000 / rate
        self._tolerance_ms = self._interval_ms * max(0, burst - 1)
        self._script = redis.register_script(_GCRA)

    async def acquire(self, keys: tuple[str, str], *, burst: bool = True) -> int:
        """0 when a message may go now (and it is counted), else milliseconds to wait.
        `burst=False` runs ahead by half a message at most (bulk keeps the burst for replies):
        just enough to make up for a slot woken up late, which would otherwise be lost."""
        tolerance = self._tolerance_ms if burst else min(self._tolerance_ms, self._interval_ms / 2)
        wait: int = await self._script(keys=list(keys), args=[self._interval_ms, tolerance])
        return int(wait)
