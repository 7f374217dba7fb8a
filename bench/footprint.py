"""Redis bytes a Telegram participant leaves behind after the example survey.

    .venv/bin/python bench/footprint.py            # 40 participants
    .venv/bin/python bench/footprint.py --quick    # 10

`bench/ingest.py` measures a web chat participant; a push channel keeps more per person: what
the sender must remember to never send twice, and Telegram's question messages (to edit them
after an answer). Here Sauti runs as `sauti run` does (web, worker, sender and telegram roles
in this process, an embedded Redis in a temporary directory) against the fake Bot API over
HTTP; participants join by deep link and answer the English script of the end-to-end tests
(taps and typed answers, one free text). Once every reply is delivered, every key naming a
participant is sized with `MEMORY USAGE` (SAMPLES 0) and averaged per participant, by kind.
Shared structures (streams, counters, respondent sets) are left out: they do not grow per
person, or are reported by bench/ingest.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake and the survey scripts live with the tests

from bot.storage.embedded_redis import EmbeddedRedis  # noqa: E402
from tests.bot.channels.telegram.test_end_to_end import complete_survey  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.kit.telegram import QUICK_FAKE, TOKEN, Stack, running  # noqa: E402


async def footprint(participants: int) -> dict[str, tuple[float, float, str]]:
    fake = FakeTelegram(TOKEN, QUICK_FAKE)
    await fake.start()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="sauti-bench-") as scratch,
            EmbeddedRedis(Path(scratch) / "redis") as server,
        ):
            async with running(server.url, Path(scratch), fake, webhook=False) as stack:
                users = [fake.user(20_000 + n, "en") for n in range(participants)]
                await asyncio.gather(*(complete_survey(stack, u, "en") for u in users))
                await _outbox_drained(stack)
                return await _sizes(stack, [stack.pid(user) for user in users])
    finally:
        await fake.close()


async def _outbox_drained(stack: Stack) -> None:
    schema = stack.app.schema
    while True:
        backlog = 0
        for shard in range(schema.shards):
            for priority in ("reply", "bulk"):
                groups = await stack.app.redis.xinfo_groups(schema.outbox(shard, priority))
                backlog += sum(int(g["pending"]) + int(g.get("lag") or 0) for g in groups)
        if not backlog:
            return
        await asyncio.sleep(0.1)


async def _sizes(stack: Stack, pids: list[str]) -> dict[str, tuple[float, float, str]]:
    """Per kind of key: mean bytes and keys per participant, and how long it stays."""
    redis = stack.app.redis
    totals: dict[str, list[int]] = {}
    for pid in pids:
        async for raw in redis.scan_iter(match=f"*{pid}*", count=1000):
            key = raw.decode()
            kind = key.replace(pid, "<pid>").split(":", 2)[2]  # past the prefix and shard tag
            used = int(await redis.memory_usage(key, samples=0) or 0)
            ttl = int(await redis.ttl(key))  # -1: no expiry
            counted = totals.setdefault(kind, [0, 0, ttl])
            counted[0] += used
            counted[1] += 1
            counted[2] = -1 if -1 in (ttl, counted[2]) else max(ttl, counted[2])
    return {
        kind: (b / len(pids), n / len(pids), _lasting(ttl))
        for kind, (b, n, ttl) in sorted(totals.items())
    }


def _lasting(ttl: int) -> str:
    if ttl < 0:
        return "kept"
    if ttl < 60:
        return "expires within a minute"
    return f"expires in {ttl / 86400:.0f} days" if ttl >= 86400 else f"expires in {ttl}s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 participants")
    args = parser.parse_args()
    participants = 10 if args.quick else 40
    sizes = asyncio.run(footprint(participants))
    print(f"Redis bytes per Telegram participant after the example survey ({participants})")
    for kind, (used, keys, lasting) in sizes.items():
        print(f"  {kind:<28} {used:>8,.0f} B  {keys:.1f} keys  {lasting}")
    total = sum(used for used, _, lasting in sizes.values() if "minute" not in lasting)
    print(f"  {'total (past the first minute)':<28} {total:>8,.0f} B")
    kept = sum(used for used, _, lasting in sizes.values() if lasting == "kept")
    print(f"  {'once the markers expired':<28} {kept:>8,.0f} B")


if __name__ == "__main__":
    main()
