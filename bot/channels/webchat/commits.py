"""Waiting for events to be committed, for every web chat request of this process at once.

A web chat POST waits (a few seconds at most) until a worker has committed its event, so the
page it redirects to shows the answer. Instead of each request polling Redis on its own, one
loop asks about every awaited event in one pipelined round trip per tick: under load that is
one round trip per tick rather than one per waiting request.
"""

from __future__ import annotations

import asyncio
import contextlib

from redis.asyncio import Redis

from bot.runtime.markers import EventMarker, is_committed
from bot.storage.errors import STORAGE_FAILURE


class CommitWatch:
    def __init__(self, redis: Redis, interval: float = 0.01) -> None:
        self._redis = redis
        self._interval = interval
        self._waiting: dict[EventMarker, list[asyncio.Future[None]]] = {}
        self._task: asyncio.Task[None] | None = None

    # The deadline is part of the answer, not a cancellation: False tells the page to show
    # "still saving" and come back, so a caller's `asyncio.timeout` would lose that answer.
    async def wait(self, marker: EventMarker, timeout: float) -> bool:  # noqa: ASYNC109
        """True once the event of `marker` is committed, False after `timeout` seconds.
        Raises a storage failure (bot.storage.errors) when Redis could not be asked."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(marker, []).append(future)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False
        finally:
            waiting = self._waiting.get(marker, [])
            with contextlib.suppress(ValueError):
                waiting.remove(future)
            if not waiting:
                self._waiting.pop(marker, None)
        return True

    async def _run(self) -> None:
        """Runs while anyone waits; the next waiter starts it again."""
        while self._waiting:
            markers = list(self._waiting)
            try:
                pipe = self._redis.pipeline(transaction=False)
                for marker in markers:
                    pipe.zscore(marker.key, marker.member)
                    # An erasure's own marker moves there once committed (forget_erased.lua).
                    pipe.zscore(marker.erased_key or marker.key, marker.member)
                scores = await pipe.execute()
            except STORAGE_FAILURE as error:
                self._settle(markers, error)
            else:
                pairs = zip(scores[::2], scores[1::2], strict=True)
                committed = [is_committed(a) or is_committed(b) for a, b in pairs]
                self._settle([m for m, done in zip(markers, committed, strict=True) if done])
            await asyncio.sleep(self._interval)

    def _settle(self, markers: list[EventMarker], error: BaseException | None = None) -> None:
        for marker in markers:
            for future in self._waiting.pop(marker, []):
                if future.done():
                    continue
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)
