"""Redis bytes a Telegram participant leaves behind after the example survey.

    .venv/bin/python bench/footprint.py            # 40 participants, embedded Redis twice
    .venv/bin/python bench/footprint.py --quick    # 10
    REDIS_URL=redis://host:6379 .venv/bin/python bench/footprint.py --quick   # that Redis too

`bench/ingest.py` measures a web chat participant; a push channel keeps more per person: what
the sender must remember to never send twice, and Telegram's question messages (to edit them
after an answer). Here Sauti runs as `sauti run` does (web, worker, sender and telegram roles
in this process) against the fake Bot API over HTTP; participants join by deep link and answer
the English script of the end-to-end tests (taps and typed answers, one free text). Once every
reply is delivered, every key naming a participant is sized with `MEMORY USAGE` (SAMPLES 0)
and averaged per participant, by kind, with its encoding (`OBJECT ENCODING`).

It runs on the embedded Redis twice: as Sauti configures it, and with Redis's default
encoding limits (`CONFIG SET` before the run: a hash or sorted set stays compact up to 128
or 512 entries of at most 64 bytes), as on a Redis service nobody tuned. With REDIS_URL set it
also runs on that Redis as it is configured (its settings are read, never changed), under a
key prefix of its own that is deleted afterwards.

Shared structures (streams, counters, respondent sets) are left out: they do not grow per
person, or are reported by bench/ingest.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake and the survey scripts live with the tests

from redis.asyncio import Redis  # noqa: E402

from bot.storage.embedded_redis import EmbeddedRedis  # noqa: E402
from tests.bot.channels.telegram.test_end_to_end import complete_survey  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.kit.footprint import (  # noqa: E402
    Kind,
    default_encoding_limits,
    lasting_past_a_minute,
    outbox_drained,
    sizes,
)
from tests.kit.telegram import QUICK_FAKE, TOKEN, running  # noqa: E402

_LIMITS_SHOWN = ("hash-max-*-value", "hash-max-*-entries", "zset-max-*-value")


@dataclass(frozen=True, slots=True)
class Footprint:
    where: str
    kinds: dict[str, Kind]

    @property
    def total(self) -> float:
        """Everything past the first minute: with the dedupe window's markers and claims."""
        return lasting_past_a_minute(self.kinds)

    @property
    def kept(self) -> float:
        """Once the markers and claims expired."""
        return sum(k.bytes for k in self.kinds.values() if k.lasting == "kept")


async def footprint(
    participants: int, redis_url: str | None, prepare: Callable[[Redis], Awaitable[str]]
) -> Footprint:
    fake = FakeTelegram(TOKEN, QUICK_FAKE)
    await fake.start()
    try:
        with tempfile.TemporaryDirectory(prefix="sauti-bench-") as scratch:
            if redis_url is not None:
                return await _measure(fake, redis_url, Path(scratch), participants, prepare)
            with EmbeddedRedis(Path(scratch) / "redis") as server:
                return await _measure(fake, server.url, Path(scratch), participants, prepare)
    finally:
        await fake.close()


async def _measure(
    fake: FakeTelegram,
    url: str,
    scratch: Path,
    participants: int,
    prepare: Callable[[Redis], Awaitable[str]],
) -> Footprint:
    # Never anyone else's keys, and as long as Sauti's default prefix (`sauti`): key names count.
    prefix = f"b{secrets.token_hex(2)}"
    async with running(url, scratch, fake, webhook=False, SAUTI_KEY_PREFIX=prefix) as stack:
        try:
            where = await prepare(stack.app.redis)
            users = [fake.user(20_000 + n, "en") for n in range(participants)]
            await asyncio.gather(*(complete_survey(stack, u, "en") for u in users))
            await outbox_drained(stack)
            return Footprint(where, await sizes(stack.app.redis, [stack.pid(u) for u in users]))
        finally:
            if url.startswith("redis"):  # a Redis that outlives the bench: leave it clean
                async for key in stack.app.redis.scan_iter(match=f"{prefix}:*", count=1000):
                    await stack.app.redis.unlink(key)


async def _as_configured(redis: Redis) -> str:
    return await _describe(redis)


async def _default_limits(redis: Redis) -> str:
    await default_encoding_limits(redis)
    return await _describe(redis)


async def _describe(redis: Redis) -> str:
    info: Any = {**await redis.info("server"), **await redis.info("memory")}
    limits: dict[str, str] = {}
    for pattern in _LIMITS_SHOWN:
        found: Any = await redis.config_get(pattern)
        limits.update({str(k): str(v) for k, v in found.items()})
    shown = ", ".join(f"{k} {v}" for k, v in sorted(limits.items()) if "listpack" not in k)
    return f"Redis {info['redis_version']} ({info.get('mem_allocator', '?')}), {shown}"


def _report(result: Footprint, participants: int) -> None:
    print(f"\n{result.where}: bytes per Telegram participant after the example survey")
    print(f"({participants} participants)")
    for kind, k in result.kinds.items():
        print(f"  {kind:<28} {k.bytes:>7,.0f} B  {k.keys:.1f} keys  {k.encoding:<10} {k.lasting}")
    print(f"  {'total (past the first minute)':<28} {result.total:>7,.0f} B")
    print(f"  {'once markers, claims expired':<28} {result.kept:>7,.0f} B")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 participants")
    args = parser.parse_args()
    participants = 10 if args.quick else 40
    runs: list[tuple[str | None, Callable[[Redis], Awaitable[str]]]] = [
        (None, _as_configured),
        (None, _default_limits),
    ]
    if os.environ.get("REDIS_URL"):
        runs.append((os.environ["REDIS_URL"], _as_configured))
    for url, prepare in runs:
        result = asyncio.run(footprint(participants, url, prepare))
        label = "embedded" if url is None else "REDIS_URL"
        _report(Footprint(f"{label}: {result.where}", result.kinds), participants)


if __name__ == "__main__":
    main()
