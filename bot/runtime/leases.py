"""Shard leases: which process works on which shard, with fair sharing and fast takeover.

Each process of a role (worker, sender) heartbeats into a members set, aims at
ceil(shards / live members) shards, takes free leases up to that, renews its own, and gives
extras back. A dead process's leases expire after `ttl_ms`; whoever takes the shard then claims
its pending entries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis

from bot.storage import scripts
from bot.storage.errors import STORAGE_FAILURE
from bot.storage.keys import KeySchema

log = logging.getLogger(__name__)

ShardRunner = Callable[[int, asyncio.Event], Coroutine[Any, Any, None]]


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
        self.owned: dict[int, tuple[asyncio.Event, asyncio.Task[None]]] = {}

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
        members_key = self._schema.members(self._role)
        now_ms = int(time.time() * 1000)
        pipe = self._redis.pipeline(transaction=False)
        pipe.zadd(members_key, {self._owner: now_ms})
        pipe.zremrangebyscore(members_key, 0, now_ms - self._ttl_ms)
        pipe.zcard(members_key)
        live = max(1, (await pipe.execute())[2])
        target = math.ceil(self._schema.shards / live)
        for shard in range(self._schema.shards):
            held = shard in self.owned
            if not held and len(self.owned) >= target:
                continue
            lease = [self._lease_key(shard)]
            if await scripts.TAKE_LEASE(self._redis, lease, [self._owner, self._ttl_ms]):
                if not held:
                    self._start(shard, runner)
            elif held:
                log.warning("lost the %s lease of shard %d", self._role, shard)
                await self._stop(shard, release=False)
        extras = sorted(self.owned)[target:]
        await asyncio.gather(*(self._stop(shard, release=True) for shard in extras))
        for shard, (_, task) in list(self.owned.items()):
            if task.done():  # a runner that crashed: give the shard back so it restarts
                error = None if task.cancelled() else task.exception()
                if error is not None:  # the type only: a message could quote participant data
                    log.error("%s shard %d stopped: %s", self._role, shard, type(error).__name__)
                await self._stop(shard, release=True)

    async def release_all(self) -> None:
        # All at once: each runner may be blocked in a read for up to a second.
        await asyncio.gather(*(self._stop(shard, release=True) for shard in list(self.owned)))
        await self._redis.zrem(self._schema.members(self._role), self._owner)

    def _start(self, shard: int, runner: ShardRunner) -> None:
        owned = asyncio.Event()
        owned.set()
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
