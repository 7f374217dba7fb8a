"""Benchmark what results snapshots cost (bot.records.snapshots): the commit's added write, and
how long taking a snapshot and reading the pending people take.

    .venv/bin/python bench/snapshots.py                    # 20,000 commits each way
    .venv/bin/python bench/snapshots.py --commits 5000     # a shorter run

An embedded Redis in a temporary directory (Sauti's own configuration, 16 shards) holds the
example campaign. The commit script (`commit.lua`) is called as the worker calls it
(`commit_call`), for new events of distinct participants each with a session, two answers and
the result counters an answer moves (the fields `bot.records.tally.delta` gives for the
example's first two questions), in pipelined batches of 100 (as a worker's batch), alternating
batches with and without the changed member: the only difference between the two is the SADD
into the campaign's changed set. Reported: commits per second each way, and the added time per
commit. Then: a snapshot taken of the campaign the commits made (16 shards' counters copied),
and the pending-people count a reader makes before each read, each timed over many calls.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.results import CAMPAIGN, _app, _settle  # noqa: E402
from bot.app import App  # noqa: E402
from bot.records.snapshots import pending_people, snapshot_state, take_snapshot  # noqa: E402
from bot.runtime.commit_writes import (  # noqa: E402
    AnswerWrites,
    CommittedEvent,
    Committer,
    CommitWrites,
    commit_call,
)
from bot.storage.lua import ScriptCall, run_batch  # noqa: E402

BATCH = 100
# What an answer to a single choice moves (its option and status, each plain, by language and by
# channel), and the version.
COUNTERS = Counter(
    {
        "uses=calls": 1, "uses=calls@sw": 1, "uses=calls~whatsapp": 1,
        "uses.a": 1, "uses.a@sw": 1, "uses.a~whatsapp": 1, "unsafe.x": 1, "answers": 1,
        ".version": 1,
    }
)  # fmt: skip


def _call(app: App, committer: Committer, n: int, changed: bool) -> ScriptCall:
    pid = f"bench{n:08d}"
    event = CommittedEvent(
        app.schema.shard_of(pid), pid, f"ev{n}", f"{n + 1}-0", "whatsapp", now_ms=1_800_000_000_000
    )
    writes = CommitWrites(
        event,
        campaign_id=CAMPAIGN,
        session=None,
        answers=AnswerWrites(CAMPAIGN, {"uses": b"a5:calls"}, ()),
        counters=COUNTERS.copy(),
    )
    call = commit_call(writes, committer)
    if changed:
        return call
    args = list(call.args)
    at = _changed_at(args)
    assert args[at] == pid
    args[at] = ""
    return ScriptCall(call.script, call.keys, args)


def _changed_at(args: list[Any]) -> int:
    """Where commit.lua reads the changed member (its header): past the fixed arguments and
    the counted groups before it, the respondent and the joiner."""
    i = 7
    for width in (2, 2, 1, 2):  # participant, answer sets, answer deletes, counters
        i += 1 + width * int(args[i])
    return i + 2


async def _commits(app: App, total: int, first: int = 0) -> dict[bool, float]:
    """`total` commits each way from participant number `first` on (new events each)."""
    committer = Committer(app.schema, "workers", "bench", 600, app.crypto)
    spent = {True: 0.0, False: 0.0}
    n = first
    while n < first + 2 * total:
        for changed in (False, True):
            calls = [_call(app, committer, n + k, changed) for k in range(BATCH)]
            began = time.perf_counter()
            replies = await run_batch(app.redis, calls)
            spent[changed] += time.perf_counter() - began
            assert all(reply == 1 for reply in replies), replies[:3]
            n += BATCH
    return spent


async def _timed(calls: int, read: Any) -> list[float]:
    await read()
    samples = []
    for _ in range(calls):
        began = time.perf_counter()
        await read()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def _line(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return f"  {name:<34} p50 {statistics.median(ordered):6.2f} ms   p99 {p99:6.2f} ms"


async def bench(total: int, calls: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-snapshots-bench-") as directory:
        app = await _app(Path(directory))
        try:
            await _commits(app, BATCH * 4, first=10**7)  # warm
            await _settle(app)
            spent = await _commits(app, total)
            for changed in (False, True):
                name = "with the changed member" if changed else "without it"
                print(f"  commits {name:<26} {total / spent[changed]:9,.0f} /s")
            added = (spent[True] - spent[False]) / total * 1e6
            print(f"  added per commit: {added:.1f} µs (pipelined batches of {BATCH})")
            state = await snapshot_state(app.redis, app.schema, CAMPAIGN)
            print(f"  pending people now: {state.pending:,}")
            began = time.perf_counter()
            await take_snapshot(app.redis, app.schema, CAMPAIGN, 1)
            print(
                f"  first snapshot (moves them all): {(time.perf_counter() - began) * 1000:.1f} ms"
            )
            print(
                _line(
                    "a snapshot (16 shards copied)",
                    await _timed(calls, lambda: take_snapshot(app.redis, app.schema, CAMPAIGN, 0)),
                )
            )
            print(
                _line(
                    "pending people (16 shards)",
                    await _timed(calls, lambda: pending_people(app.redis, app.schema, CAMPAIGN, 0)),
                )
            )
        finally:
            await app.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=200)
    args: Any = parser.parse_args(argv)
    asyncio.run(bench(args.commits, args.calls))


if __name__ == "__main__":
    main()
