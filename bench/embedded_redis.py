"""Benchmark the embedded Redis: start on an empty data directory, stop, and restart with data.

    .venv/bin/python bench/embedded_redis.py          (or: make bench)

Target (issue "embedded Redis"): start well under a second. Run on an idle machine.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis

from bot.storage import EmbeddedRedis

RUNS = 20
RESTART_KEYS = 100_000


def _timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def _start_and_stop(data_dir: Path) -> tuple[float, float]:
    server = EmbeddedRedis(data_dir)
    start_ms = _timed(server.start)
    stop_ms = _timed(server.stop)
    return start_ms, stop_ms


def _fill(data_dir: Path, keys: int) -> None:
    with EmbeddedRedis(data_dir) as server, redis.Redis.from_url(server.url) as client:
        pipe = client.pipeline(transaction=False)
        for number in range(keys):
            pipe.hset(f"answer:{number}", mapping={"q1": "ndiyo", "q2": "3", "q3": "maji safi"})
        pipe.execute()


def _report(name: str, samples: list[float]) -> None:
    print(
        f"{name:<40} median {statistics.median(samples):7.1f} ms   "
        f"min {min(samples):7.1f} ms   max {max(samples):7.1f} ms   ({len(samples)} runs)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-bench-") as scratch:
        root = Path(scratch)
        fresh = [_start_and_stop(root / f"fresh{run}") for run in range(RUNS)]
        _report("start, new data directory", [start for start, _ in fresh])
        _report("stop (SHUTDOWN, AOF fsynced)", [stop for _, stop in fresh])

        _fill(root / "full", RESTART_KEYS)
        aof_mb = (root / "full" / "appendonly.aof").stat().st_size / 1e6
        restarts = [_start_and_stop(root / "full") for _ in range(5)]
        _report(f"start, {RESTART_KEYS:,} hashes ({aof_mb:.0f} MB AOF)", [s for s, _ in restarts])
        _report(f"stop, {RESTART_KEYS:,} hashes", [stop for _, stop in restarts])


if __name__ == "__main__":
    main()
