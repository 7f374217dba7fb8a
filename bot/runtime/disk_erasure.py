"""Erasure on disk: the embedded Redis's files rewritten without what erasures deleted.

Every erasure notes itself (bot.storage.erasure_marks). The one process that owns the embedded
Redis runs `DiskEraser`: once the oldest erasure not yet rewritten away is `window` old (so a
burst of erasures shares one rewrite), it reads how many erasures are noted, rewrites the AOF
(bot.storage.disk_rewrite), checks the result, and only then records that the rewrite covered
that many. An erasure noted while the rewrite ran is left for the next one. A crash anywhere
before the record leaves the erasures waiting: the next start rewrites again, never forgets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from redis.asyncio import Redis

from bot.storage.disk_rewrite import RewriteError, RewriteReport, rewrite_data_files
from bot.storage.erasure_marks import ErasureMarks, mark_rewritten, read_marks
from bot.storage.errors import is_storage_unavailable
from bot.storage.keys import KeySchema
from bot.storage.scripts import RELEASE_LEASE

log = logging.getLogger(__name__)

# Grace after the latest erasure before a rewrite starts: the erasing event's own inbound
# entry is deleted just after its commit, a few milliseconds after the erasure is noted. A
# steady trickle of erasures cannot put the rewrite off by more than SETTLE_CAP_MS.
SETTLE_MS = 1000
SETTLE_CAP_MS = 30_000
_LOCK_MS = 15 * 60 * 1000  # longer than any rewrite; a crashed holder's lock expires
_MAX_BACKOFF_SECONDS = 60.0  # the longest pause between failed rewrites


class DiskErasureMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.on_disk = Histogram(
            "sauti_erasure_on_disk_seconds",
            "From the oldest erasure a rewrite covered to the rewrite verified",
            buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400),
            registry=registry,
        )
        self.rewrite = Histogram(
            "sauti_erasure_rewrite_seconds",
            "One rewrite of the data files, from start to verified",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=registry,
        )
        self.failed = Counter(
            "sauti_erasure_rewrite_failures",
            "Rewrites that failed or could not be verified (retried)",
            registry=registry,
        )
        self.waiting = Gauge(
            "sauti_erasures_waiting",
            "Erasures not yet rewritten off the disk",
            registry=registry,
        )


@dataclass(frozen=True)
class Rewritten:
    """One rewrite done: what it covered, and what it cost."""

    covered: int  # erasures it covered (the `noted` count read before it)
    oldest_ms: int  # the oldest erasure it covered
    report: RewriteReport


class DiskEraser:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        data_dir: Path | None,
        *,
        window_seconds: float,
        name: str,
        metrics: DiskErasureMetrics,
        poll_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._data_dir = data_dir  # None: an external Redis, whose files are not ours to check
        self._name = name
        self._window_ms = int(window_seconds * 1000)
        self._metrics = metrics
        self._poll = poll_seconds
        self._clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        """Rewrite whenever erasures are due, until `stop`. A failure is logged and retried
        after a pause that doubles with each failure in a row (up to `_MAX_BACKOFF_SECONDS`):
        the erasures stay noted until a rewrite succeeds."""
        if self._data_dir is not None:
            # The embedded Redis has one owner, this process: a lock left there is a crashed
            # run's, and must not hold erasures back until it expires.
            await self._redis.delete(self._schema.erasure_rewriter)
        failures = 0
        while not stop.is_set():
            try:
                await self.rewrite_if_due()
                failures = 0
            except Exception as error:
                if not (isinstance(error, RewriteError) or is_storage_unavailable(error)):
                    raise
                failures += 1
                self._metrics.failed.inc()
                log.warning("rewrite of the data files after erasures failed: %s", error)
            pause = min(self._poll * 2**failures, max(self._poll, _MAX_BACKOFF_SECONDS))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)

    def due(self, marks: ErasureMarks, now_ms: int) -> bool:
        """Erasures wait, the oldest has waited out the window, and none is a moment old."""
        if marks.waiting == 0 or marks.first_ms is None:
            return False
        waited = now_ms - marks.first_ms - self._window_ms
        settled = marks.last_ms is None or now_ms - marks.last_ms >= SETTLE_MS
        return waited >= 0 and (settled or waited >= SETTLE_CAP_MS)

    async def rewrite_if_due(self) -> Rewritten | None:
        marks = await read_marks(self._redis, self._schema)
        self._metrics.waiting.set(marks.waiting)
        if not self.due(marks, self._now_ms()):
            return None
        return await self.rewrite(marks)

    async def rewrite(self, marks: ErasureMarks) -> Rewritten | None:
        """Rewrite now, covering the erasures `marks` counted (read before starting). None:
        another process is rewriting (not a failure: its rewrite may cover them, and what it
        does not stays noted for the next)."""
        started_ms = self._now_ms()
        lock = self._schema.erasure_rewriter
        # One rewriter at a time: the embedded Redis has one owner anyway; processes sharing
        # an external Redis take turns.
        if not await self._redis.set(lock, self._name, nx=True, px=_LOCK_MS):
            log.debug("another process is rewriting the data files")
            return None
        try:
            report = await rewrite_data_files(self._redis, self._data_dir)
        finally:  # only our own lock: one that expired may be another process's by now
            await RELEASE_LEASE(self._redis, [lock], [self._name])
        verified_ms = self._now_ms()
        waiting = await mark_rewritten(
            self._redis, self._schema, marks.noted, started_ms, verified_ms
        )
        oldest = marks.first_ms if marks.first_ms is not None else started_ms
        self._metrics.rewrite.observe(report.seconds)
        self._metrics.on_disk.observe(max(0, verified_ms - oldest) / 1000)
        self._metrics.waiting.set(waiting)
        log.info(
            "data files rewritten after %d erasures in %.2f s (AOF %d -> %d bytes)",
            marks.waiting,
            report.seconds,
            report.bytes_before,
            report.bytes_after,
        )
        return Rewritten(marks.noted, oldest, report)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)
