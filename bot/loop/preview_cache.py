"""Decision previews kept in Redis, so that a page shows the last count at once.

Counting who a decision would tell walks every respondent (bot.loop.planner: seconds at
100,000). Its result only changes when the decision gets a new version, when the campaign's
results do (`.version` of the result counters, moved on by every answer and erasure:
bot.records.results.results_version), or with what the counters do not follow (a stop, a
consent, a theme tagged, a weekly budget spent): so a count is kept per decision with the two
versions it was made at, and is current while both still hold and it is younger than
`fresh_seconds`.

A page takes the kept count whatever its age, says when it was made, and when it is not
current (or there is none yet: the page then says it is counting) starts ONE new count in the
background: a lease in Redis (SET NX with a TTL) makes every other viewer, in this process or
another, wait for that one instead of starting their own. Only when the caller must have a
current count (the publish confirmation) does it wait: it counts under the lease, or waits for
the count running. Publishing itself never reads this: it plans its audience afresh.

The kept count holds counts only, never a participant's id: a page draws its few sample
answers as it is shown (bot.loop.preview).

Keys (docs/keys.md): the kept count expires `keep_seconds` after it was made, the lease after
`lease_seconds`, so a decision nobody looks at leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.loop.ledger import StoredDecision
from bot.loop.planner import LinkCounts, PlanLimits
from bot.records.results import results_version
from bot.storage.keys import KeySchema
from bot.storage.scripts import RELEASE_LEASE

log = logging.getLogger(__name__)

Count = Callable[[StoredDecision, PlanLimits], Awaitable[LinkCounts]]
POLL_SECONDS = 0.05  # how often a waiting caller looks whether the running count is done


@dataclass(frozen=True)
class PreviewTimes:
    fresh_seconds: int  # a count younger than this, at the same versions, is current
    keep_seconds: int  # a count is kept this long after it was made
    lease_seconds: int  # a count that takes longer may be started again by someone else


@dataclass(frozen=True)
class KeptCount:
    """A decision's count as kept: what it found, when it began (epoch ms), and the decision's
    version and the results' version it was made at. Counts only: no participant's id (the
    page draws its few sample answers as it is shown: bot.loop.preview)."""

    counts: LinkCounts
    counted_ms: int
    decision_version: int
    results_version: int

    def encode(self) -> str:
        return json.dumps(
            {
                "v": self.decision_version,
                "r": self.results_version,
                "at": self.counted_ms,
                "c": self.counts.flat(),
            },
            separators=(",", ":"),
        )

    @staticmethod
    def decode(raw: bytes | str) -> KeptCount | None:
        try:
            kept = json.loads(raw)
            counts = LinkCounts()
            counts.add(kept["c"])
            return KeptCount(counts, int(kept["at"]), int(kept["v"]), int(kept["r"]))
        except (ValueError, KeyError, TypeError):  # written by another version of Sauti
            return None


@dataclass(frozen=True)
class CountedPreview:
    """The count a preview shows: `current` when made at the decision's and the results'
    present versions not long ago; `updating` while a new count runs (here or elsewhere)."""

    counts: LinkCounts
    counted_ms: int | None  # None: nothing counted yet (the counts are empty), `updating`
    current: bool
    updating: bool


class PreviewCache:
    """One per process: it holds the background counts it started, ended by `close`."""

    def __init__(self, redis: Redis, schema: KeySchema, count: Count, times: PreviewTimes) -> None:
        self._redis = redis
        self._schema = schema
        self._count = count
        self._times = times
        self._owner = f"{os.getpid()}:{os.urandom(6).hex()}"
        self._background: set[asyncio.Task[None]] = set()

    async def counted(
        self, stored: StoredDecision, limits: PlanLimits, *, current: bool = False
    ) -> CountedPreview:
        """The kept count at once, a new one started in the background when it is not
        current; when none is kept yet, at once too, with nothing counted (`counted_ms` None)
        while the first count runs. Only when `current` is asked does the caller wait for a
        current count: counted now, or awaited from whoever is counting it."""
        kept, results = await self._read(stored)
        if kept is not None and self._is_current(kept, stored, results, limits.now_ms):
            return CountedPreview(kept.counts, kept.counted_ms, current=True, updating=False)
        if current:
            return await self._count_once(stored, limits)
        if await self._take_lease(stored):
            self._start(stored, limits)
        if kept is None:
            return CountedPreview(LinkCounts(), None, current=False, updating=True)
        return CountedPreview(kept.counts, kept.counted_ms, current=False, updating=True)

    async def first_view(self, stored: StoredDecision, viewer: str, shown: list[str]) -> str | None:
        """Whether `viewer` is shown these sample answers (their response ids) of this version
        of the decision for the first time lately: then the key that says so (delete it when
        their read could not be recorded), else None, and their read is not recorded again
        each time the page is fetched (a script fetches it every few seconds while it counts).
        Kept as a digest, which names nobody, as long as a count is kept."""
        seen = "\n".join([viewer, str(stored.version), *sorted(shown)])
        key = self._schema.preview_viewed(stored.ref, hashlib.sha256(seen.encode()).hexdigest())
        first: Any = await self._redis.set(key, 1, nx=True, ex=self._times.keep_seconds)
        return key if first else None

    async def close(self) -> None:
        """End the counts this process runs in the background (their leases expire)."""
        for task in list(self._background):
            task.cancel()
        for task in list(self._background):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def counting(self) -> bool:
        """Whether this process runs a count in the background now."""
        return bool(self._background)

    async def settled(self) -> None:
        """Wait for this process's background counts to finish (tests, benchmarks)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    def _is_current(
        self, kept: KeptCount, stored: StoredDecision, results: int, now_ms: int
    ) -> bool:
        return (
            kept.decision_version == stored.version
            and kept.results_version == results
            and now_ms - kept.counted_ms < self._times.fresh_seconds * 1000
        )

    async def _read(self, stored: StoredDecision) -> tuple[KeptCount | None, int]:
        raw, results = await asyncio.gather(
            self._redis.get(self._schema.preview(stored.ref)),
            results_version(self._redis, self._schema, stored.campaign_id),
        )
        return (KeptCount.decode(raw) if raw is not None else None), results

    async def _count_once(self, stored: StoredDecision, limits: PlanLimits) -> CountedPreview:
        """Count now under the lease, or wait for the count that holds it; a count that
        overran its lease (or a holder that died) is taken over."""
        while True:
            if await self._take_lease(stored):
                made = await self._count_and_keep(stored, limits)
                return CountedPreview(made.counts, made.counted_ms, current=True, updating=False)
            await self._lease_ended(stored)
            kept, results = await self._read(stored)
            if kept is not None and self._is_current(kept, stored, results, limits.now_ms):
                return CountedPreview(kept.counts, kept.counted_ms, current=True, updating=False)

    async def _lease_ended(self, stored: StoredDecision) -> None:
        """Wait for the count running elsewhere (its lease gone: done, failed or expired)."""
        lease = self._schema.preview_lease(stored.ref)
        while True:
            if not await self._redis.exists(lease):
                return
            await asyncio.sleep(POLL_SECONDS)

    def _start(self, stored: StoredDecision, limits: PlanLimits) -> None:
        task = asyncio.create_task(self._count_in_background(stored, limits))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _count_in_background(self, stored: StoredDecision, limits: PlanLimits) -> None:
        try:
            await self._count_and_keep(stored, limits)
        except Exception:  # the page keeps showing the last count; the next view tries again
            log.exception("a decision preview's count failed (decision %s)", stored.ref)

    async def _count_and_keep(self, stored: StoredDecision, limits: PlanLimits) -> KeptCount:
        """Count under the lease just taken, unless a count that ended between the caller's
        look and its lease made one current already."""
        try:
            # The results' version is read before counting: answers that come in meanwhile
            # make the kept count stale, never a count that lacks them look current.
            kept, results = await self._read(stored)
            if kept is not None and self._is_current(kept, stored, results, limits.now_ms):
                return kept
            counts = await self._count(stored, limits)
            kept = KeptCount(counts, limits.now_ms, stored.version, results)
            await self._redis.set(
                self._schema.preview(stored.ref), kept.encode(), px=self._times.keep_seconds * 1000
            )
            return kept
        finally:
            await RELEASE_LEASE(
                self._redis, [self._schema.preview_lease(stored.ref)], [self._owner]
            )

    async def _take_lease(self, stored: StoredDecision) -> bool:
        taken: Any = await self._redis.set(
            self._schema.preview_lease(stored.ref),
            self._owner,
            nx=True,
            px=self._times.lease_seconds * 1000,
        )
        return bool(taken)
