"""Shard leases: which process works on which shard, with fair sharing and fast takeover.

Each process of a role (worker, sender) heartbeats into a members set, aims at
ceil(shards / live members) shards, takes free leases up to that, renews its own, and gives
extras back: two round trips per renewal, whatever the number of shards (on Redis Cluster,
where each shard's lease is in its own hash slot, one per held shard). A dead process's leases
expire after `ttl_ms`; whoever takes the shard then claims its pending entries.

A runner may wait long on Redis (a blocking read that new data ends at once): `Ownership`
tells it the moment its shard goes (`while_owned`), so giving a shard back never waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from redis.asyncio import Redis

from bot.storage import scripts
from bot.storage.cluster import by_slot
from bot.storage.errors import STORAGE_FAILURE
from bot.storage.keys import KeySchema

log = logging.getLogger(__name__)

T = TypeVar("T")


class Ownership(asyncio.Event):
    """Set while this process holds the shard; `released` is set the moment it no longer does,
    so that a runner waiting on Redis can stop waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.set()
        self.released = asyncio.Event()

    def clear(self) -> None:
        super().clear()
        self.released.set()


async def while_owned(owned: Ownership, waiting: Awaitable[T]) -> T | None:
    """What `waiting` returns, or None as soon as the shard is given up (the wait cancelled:
    a blocking read that nothing ended yet)."""
    task = asyncio.ensure_future(waiting)
    # A caller cancelled meanwhile never reads what the wait ended with (Redis gone away, say):
    # taken here, so that it is not reported as an exception nobody retrieved.
    task.add_done_callback(_retrieved)
    released = asyncio.ensure_future(owned.released.wait())
    try:
        await asyncio.wait({task, released}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        released.cancel()
        if not task.done():
            task.cancel()
            await asyncio.wait({task})
    return None if task.cancelled() else task.result()


def _retrieved(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


ShardRunner = Callable[[int, Ownership], Coroutine[Any, Any, None]]


class ShardLeases:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        *,
        role: str,
        owner: str,
        ttl_ms: int = 10_000,
        renew_every: float = 2.0,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._role = role
        self._owner = owner
        self._ttl_ms = ttl_ms
        self._renew_every = renew_every
        self.owned: dict[int, tuple[Ownership, asyncio.Task[None]]] = {}

    async def run(self, stop: asyncio.Event, runner: ShardRunner) -> None:
        try:
            while not stop.is_set():
                try:
                    await self.rebalance(runner)
                except STORAGE_FAILURE as error:
                    # Redis restarting or failing over: keep trying; leases we cannot renew
                    # expire, and the commit script refuses a worker whose lease is gone.
                    log.warning(
                        "%s leases: Redis unavailable (%s)", self._role, type(error).__name__
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._renew_every)
        finally:
            with contextlib.suppress(*STORAGE_FAILURE):
                await self.release_all()

    async def rebalance(self, runner: ShardRunner) -> None:
        now_ms = int(time.time() * 1000)
        live = await scripts.HEARTBEAT(
            self._redis, [self._schema.members(self._role)], [self._owner, now_ms, self._ttl_ms]
        )
        target = math.ceil(self._schema.shards / max(1, int(live)))
        held = await self._renew_and_take(target)
        for shard in sorted(set(self.owned) - held):
            log.warning("lost the %s lease of shard %d", self._role, shard)
            await self._stop(shard, release=False)
        for shard in sorted(held - set(self.owned)):
            self._start(shard, runner)
        extras = sorted(self.owned)[target:]
        await asyncio.gather(*(self._stop(shard, release=True) for shard in extras))
        for shard, (_, task) in list(self.owned.items()):
            if task.done():  # a runner that crashed: give the shard back so it restarts
                error = None if task.cancelled() else task.exception()
                if error is not None:  # the type only: a message could quote participant data
                    log.error("%s shard %d stopped: %s", self._role, shard, type(error).__name__)
                await self._stop(shard, release=True)

    async def _renew_and_take(self, target: int) -> set[int]:
        """Renew the leases held and take free ones up to `target`, in shard order: the shards
        held now. One script call per hash slot, in turn (each takes only what is still
        wanted after the calls before it)."""
        held = sorted(self.owned)
        # The shards it may take, only when it holds fewer than its share.
        free = [s for s in range(self._schema.shards) if s not in self.owned]
        keys = [self._lease_key(s) for s in held + (free if len(held) < target else [])]
        shard_of = {key: shard for shard, key in enumerate(self._lease_keys())}
        holding: set[int] = set()
        for group in by_slot(self._redis, keys):
            wanted = max(0, target - len(holding | set(held)))
            flags = await scripts.TAKE_LEASES(
                self._redis, group, [self._owner, self._ttl_ms, wanted]
            )
            holding |= {shard_of[key] for key, flag in zip(group, flags, strict=True) if flag}
        return holding

    async def release_all(self) -> None:
        # All at once: each runner stops waiting as soon as its shard is released.
        await asyncio.gather(*(self._stop(shard, release=True) for shard in list(self.owned)))
        await self._redis.zrem(self._schema.members(self._role), self._owner)

    def _start(self, shard: int, runner: ShardRunner) -> None:
        owned = Ownership()
        self.owned[shard] = (owned, asyncio.create_task(runner(shard, owned)))

    async def _stop(self, shard: int, *, release: bool) -> None:
        owned, task = self.owned.pop(shard)
        owned.clear()  # the runner finishes its batch and returns
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
            # Let it unwind before the caller closes Redis under it (a command of a runner
            # still cancelling would otherwise use a closed connection), but never wait on a
            # runner deaf to cancellation for long.
            await asyncio.wait({task}, timeout=5)
        except Exception:  # already logged by rebalance when it was a crash
            pass
        if release:
            await scripts.RELEASE_LEASE(self._redis, [self._lease_key(shard)], [self._owner])

    def _lease_key(self, shard: int) -> str:
        return self._schema.lease(self._role, shard)

    def _lease_keys(self) -> list[str]:
        return [self._lease_key(shard) for shard in range(self._schema.shards)]
