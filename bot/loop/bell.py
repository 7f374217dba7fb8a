"""The publishers' bell: how an idle publisher learns at once that a publication started.

Most of the time the publisher role has nothing to do. Rather than ask Redis every second
whether a publication started, it waits on a short stream that `sauti decision publish` rings
(one entry per publication started): one blocking read, which a ring ends at once, for as long
as nothing else is due. A ring missed loses nothing (each pass reads the active publications
anew); it only makes the publisher wait for its next look.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

from bot.storage.keys import KeySchema

RINGS_KEPT = 100  # a ring matters only until idle publishers have read it


async def ring(redis: Redis, schema: KeySchema) -> None:
    """Wake every idle publisher."""
    await redis.xadd(schema.publisher_bell, {"rung": 1}, maxlen=RINGS_KEPT, approximate=False)


def _retrieved(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


class Bell:
    """One publisher's ear: rings after `listen` end its `wait`."""

    def __init__(self, redis: Redis, schema: KeySchema) -> None:
        self._redis = redis
        self._key = schema.publisher_bell
        self._seen: bytes | None = None

    async def listen(self) -> None:
        """From now on (once): rings before this wake nobody. Call it before looking at the
        work, so that a publication started while looking rings after it."""
        if self._seen is None:
            latest: Any = await self._redis.xrevrange(self._key, count=1)
            self._seen = latest[0][0] if latest else b"0-0"

    async def wait(self, stop: asyncio.Event, seconds: float) -> None:
        """Until a ring, `stop`, or `seconds` have passed."""
        reading = asyncio.ensure_future(self._read(seconds))
        # Read here whatever it ended with, should the caller be cancelled before it does: not
        # reported as an exception nobody retrieved.
        reading.add_done_callback(_retrieved)
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reading, stopping):
                task.cancel()
            await asyncio.wait({reading, stopping})
        if not reading.cancelled():
            reading.result()  # a failed read raises here, for the caller to pause

    async def _read(self, seconds: float) -> None:
        if self._seen is None:
            raise RuntimeError("Bell.listen was never called")
        block_ms = max(1, round(seconds * 1000))  # 0 would block for ever
        reply: Any = await self._redis.xread({self._key: self._seen}, block=block_ms)
        if reply:
            self._seen = reply[0][1][-1][0]
