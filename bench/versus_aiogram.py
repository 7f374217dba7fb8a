"""Sauti against a hand-rolled aiogram 3 bot: the same survey, the same Redis, the same load.

    .venv/bin/python bench/versus_aiogram.py             # 3 rounds, 120 participants (~5 min)
    .venv/bin/python bench/versus_aiogram.py --quick     # 1 round, 20 participants
    .venv/bin/python bench/versus_aiogram.py --profile   # one Sauti run under cProfile
    .venv/bin/python bench/versus_aiogram.py --trace     # Redis commands of one answer

One embedded Redis for the whole sitting, a round-trip counting proxy in front of it
(`bench/redis_proxy.py`), and per run a fresh loopback fake Bot API. Each round runs the
aiogram bot (`bench/aiogram_survey_bot.py`) and then Sauti (`sauti run`, webhook mode), each a
process of its own on a flushed Redis, under the same load (`bench/survey_driver.py`):

1. idle: the bot up, nothing arriving, for 10 s: Redis commands, reads and round trips per s;
2. closed loop: N participants at once, each answering the whole survey one update after the
   other: updates/s, the bot process's CPU per update (/proc, with its children), Redis
   commands per update (INFO commandstats, commands inside scripts included), round trips per
   update (the proxy), Redis CPU per update; then correctness (every answer stored as given,
   every question and the thanks sent exactly once, every tap answered exactly once) and the
   Redis bytes per participant (MEMORY USAGE of the keys the run created, divided by N; once as
   the embedded Redis is configured, once with every hash, set and sorted set rewritten under
   Redis 7's default encoding thresholds);
3. fixed rate: updates offered at `--rate` per second for 10 s whatever the bot's pace (the
   next update of a participant whose last one was answered, else a new participant): ack
   (webhook answer) and end-to-end (update posted → the bot's next message at the fake)
   latency, p50 and p99; and round trips and commands per update less the idle rate (few
   updates at a time: nearer to what one costs alone than the closed loop's figure, where
   Redis commands of many updates may share one burst).

The bench's own INFO calls are taken out of the counts; the bench reads Redis directly, never
through the proxy. Medians and ranges over the rounds are printed, and Sauti/aiogram ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake Bot API and the test kit live with the tests

from redis.asyncio import Redis  # noqa: E402

from bench.bots_under_test import TOKEN, AiogramBot, BotUnderTest, SautiBot, registered  # noqa: E402
from bench.redis_proxy import Counts, RoundTripProxy  # noqa: E402
from bench.survey_driver import (  # noqa: E402
    Participant,
    SurveyKnowledge,
    Timings,
    WatchedTelegram,
    Webhook,
    closed_loop,
    open_loop,
    percentile,
)
from bot.storage.embedded_redis import EmbeddedRedis  # noqa: E402
from dialogues import parse  # noqa: E402
from tests.fakes.telegram_limits import FakeLimits  # noqa: E402
from tests.kit.example import example_survey  # noqa: E402

# The fake lets through whatever comes: both bots are measured at their own pace.
NO_LIMITS = FakeLimits(global_rate=1e6, global_burst=1_000_000, per_chat_rate=1e5,
                       per_chat_burst=100_000)  # fmt: skip
# Redis 7's defaults (the embedded 6.2 takes the old names): a hash past 128 fields or with a
# value past 64 bytes, a sorted set past 128 members or 64-byte members, leaves its compact
# encoding. The embedded Redis raises hash-max-ziplist-value to 256.
DEFAULT_THRESHOLDS = {
    "hash-max-ziplist-entries": "128",
    "hash-max-ziplist-value": "64",
    "zset-max-ziplist-entries": "128",
    "zset-max-ziplist-value": "64",
    "set-max-intset-entries": "512",
}
SETTLE_SECONDS = 0.5


# -- what is measured -----------------------------------------------------------------------------


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime of a process and every process under it, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / ticks


class Meter:
    """Before/after readings of everything a phase is charged with."""

    def __init__(self, redis: Redis, proxy: RoundTripProxy, pid: int) -> None:
        self.redis, self.proxy, self.pid = redis, proxy, pid

    async def read(self) -> dict[str, Any]:
        info: dict[str, Any] = await self.redis.info("all")
        commands = sum(
            int(v["calls"])
            for k, v in info.items()
            if k.startswith("cmdstat_") and k != "cmdstat_info"
        )
        return {
            "at": time.perf_counter(),
            "bot_cpu": tree_cpu_seconds(self.pid),
            "bench_cpu": time.process_time(),
            "redis_cpu": float(info["used_cpu_user"]) + float(info["used_cpu_sys"]),
            "commands": commands,  # inside scripts included
            "reads": int(info["total_reads_processed"]),
            "proxy": self.proxy.counts.snapshot(),
        }

    @staticmethod
    def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        proxied: Counts = after["proxy"].since(before["proxy"])
        return {
            "seconds": after["at"] - before["at"],
            "bot_cpu": after["bot_cpu"] - before["bot_cpu"],
            "bench_cpu": after["bench_cpu"] - before["bench_cpu"],
            "redis_cpu": after["redis_cpu"] - before["redis_cpu"],
            "commands": after["commands"] - before["commands"],
            "client_commands": proxied.commands,
            # less the bench's own INFO: one between two readings
            "reads": after["reads"] - before["reads"] - 1,
            "round_trips": proxied.round_trips,
        }


async def settled(fake: WatchedTelegram) -> None:
    """Once the bot made no Bot API call for SETTLE_SECONDS (trailing edits included)."""
    seen = -1
    while seen != len(fake.calls):
        seen = len(fake.calls)
        await asyncio.sleep(SETTLE_SECONDS)


async def keys_bytes(redis: Redis, only: set[bytes] | None = None) -> dict[bytes, int]:
    keys = [k async for k in redis.scan_iter(count=1000) if only is None or k not in only]
    pipe = redis.pipeline(transaction=False)
    for key in keys:
        pipe.memory_usage(key, samples=0)
    sizes = await pipe.execute()
    return {key: int(size or 0) for key, size in zip(keys, sizes, strict=True)}


async def rewritten_under_defaults(redis: Redis, keys: list[bytes]) -> None:
    """Rewrite each hash, set and sorted set under Redis 7's default thresholds, as if it had
    been written there (the embedded thresholds are restored afterwards)."""
    saved: dict[Any, Any] = {}
    for name in DEFAULT_THRESHOLDS:
        saved |= await redis.config_get(name)
    for name, value in DEFAULT_THRESHOLDS.items():
        await redis.config_set(name, value)
    try:
        for key in keys:
            kind: Any = await redis.type(key)
            kind = kind.decode()
            if kind not in ("hash", "set", "zset"):
                continue
            ttl = int(await redis.pttl(key))
            pipe: Any = redis.pipeline(transaction=True)
            pipe.delete(key)
            if kind == "hash":
                pipe.hset(key, mapping=await redis.hgetall(key))
            elif kind == "set":
                pipe.sadd(key, *await redis.smembers(key))
            else:
                members: Any = await redis.zrange(key, 0, -1, withscores=True)
                pipe.zadd(key, dict(members))
            if ttl > 0:
                pipe.pexpire(key, ttl)
            await pipe.execute()
    finally:
        for name, value in saved.items():
            await redis.config_set(name, value)


# -- one run --------------------------------------------------------------------------------------


async def one_run(
    bot: BotUnderTest, redis: Redis, proxy: RoundTripProxy, options: argparse.Namespace, first: int
) -> dict[str, float]:
    await redis.flushall()
    load = os.getloadavg()[0]  # of the whole machine: others may be using it
    fake = WatchedTelegram(TOKEN, NO_LIMITS)
    await fake.start()
    knowledge = SurveyKnowledge.of(parse(example_survey()))
    try:
        await bot.start(fake.base_url, proxy.url())
        await registered(fake)
        assert bot.process is not None
        meter = Meter(redis, proxy, bot.process.pid)
        await asyncio.sleep(1.0)  # past start-up
        before = await meter.read()
        await asyncio.sleep(options.idle)
        idle = Meter.delta(before, await meter.read())
        result = {
            f"idle_{k}_per_s": idle[k] / idle["seconds"]
            for k in ("commands", "reads", "round_trips")
        }

        existing = set(await keys_bytes(redis))
        async with Webhook(fake) as webhook:
            people = [
                Participant(first + n, fake, knowledge, webhook)
                for n in range(options.participants)
            ]
            timings = Timings()
            before, calls = await meter.read(), len(fake.calls)
            bot.profiling(on=True)
            await closed_loop(people, timings)
            finished = time.perf_counter()
            await settled(fake)
            bot.profiling(on=False)
            loop = Meter.delta(before, await meter.read())
            result |= _closed_loop_figures(loop, timings, finished - before["at"], len(people))
            result["bot_api_calls_per_update"] = (len(fake.calls) - calls) / timings.updates
            result |= await _correctness(bot, redis, fake, knowledge, people, timings)
            result |= await _footprint(redis, existing, len(people))

            fixed = Timings()
            newcomers = iter(range(first + 100_000, first + 200_000))
            before = await meter.read()
            await open_loop(
                lambda: Participant(next(newcomers), fake, knowledge, webhook),
                options.rate, options.latency_seconds, fixed,
            )  # fmt: skip
            await settled(fake)
            result |= _fixed_rate_trips(Meter.delta(before, await meter.read()), idle, fixed)
        result |= {
            "load_average": load,
            "offered_rate": options.rate,
            "ack_p50_ms": percentile(fixed.ack, 0.5) * 1000,
            "ack_p99_ms": percentile(fixed.ack, 0.99) * 1000,
            "e2e_p50_ms": percentile(fixed.reply, 0.5) * 1000,
            "e2e_p99_ms": percentile(fixed.reply, 0.99) * 1000,
            "fixed_rate_no_reply": fixed.no_reply + fixed.failed_posts,
        }
    finally:
        await bot.stop()
        await fake.close()
    return result


def _closed_loop_figures(
    loop: dict[str, float], timings: Timings, seconds: float, participants: int
) -> dict[str, float]:
    updates = timings.updates
    return {
        "participants": participants,
        "updates": updates,
        "updates_per_participant": updates / participants,
        "updates_per_s": updates / seconds,
        "bot_cpu_s": loop["bot_cpu"],
        "cpu_ms_per_update": loop["bot_cpu"] / updates * 1000,
        "updates_per_cpu_s": updates / loop["bot_cpu"],
        "cpu_ms_per_participant": loop["bot_cpu"] / participants * 1000,
        "redis_cpu_ms_per_update": loop["redis_cpu"] / updates * 1000,
        "commands_per_update": loop["commands"] / updates,
        "client_commands_per_update": loop["client_commands"] / updates,
        "round_trips_per_update": loop["round_trips"] / updates,
        "reads_per_update": loop["reads"] / updates,
        "bench_cpu_ms_per_update": loop["bench_cpu"] / updates * 1000,
        "loop_e2e_p50_ms": percentile(timings.reply, 0.5) * 1000,
        "loop_e2e_p99_ms": percentile(timings.reply, 0.99) * 1000,
    }


def _fixed_rate_trips(
    phase: dict[str, float], idle: dict[str, float], timings: Timings
) -> dict[str, float]:
    """Round trips and commands per update at the fixed rate, less what the bot does idle in
    as long: few updates at a time share few bursts, so this is nearer to what one update
    costs alone than the closed loop's figure, where automatic pipelining lets many updates
    share one burst."""
    per_second = {k: idle[k] / idle["seconds"] for k in ("round_trips", "commands")}
    return {
        f"fixed_{k}_per_update": (phase[k] - per_second[k] * phase["seconds"]) / timings.updates
        for k in ("round_trips", "commands")
    }


async def _correctness(
    bot: BotUnderTest,
    redis: Redis,
    fake: WatchedTelegram,
    knowledge: SurveyKnowledge,
    people: list[Participant],
    timings: Timings,
) -> dict[str, float]:
    thanked = {p.user_id: p.expected for p in people if p.thanked}
    stored = await bot.answers_stored(redis, thanked)
    missing = twice = 0
    for person in people:
        asked = Counter(
            str(question.id)
            for message in fake.bot_messages(person.user_id)
            if (question := knowledge.asked(message.text)) is not None
        )
        thanks = sum(knowledge.is_thanks(m.text) for m in fake.bot_messages(person.user_id))
        for question_id in [*person.expected, "thanks"]:
            count = thanks if question_id == "thanks" else asked[question_id]
            missing += count == 0
            twice += count > 1
    answered = Counter(
        str(call.params.get("callback_query_id"))
        for call in [*fake.calls, *fake.webhook_replies]  # a reply to the webhook may answer
        if call.method == "answerCallbackQuery" and call.status == 200
    )
    return {
        "answers_stored_as_given": stored,
        "participants_wrong": len(people) - stored,
        "replies_missing": missing,
        "replies_twice": twice,
        "taps_unanswered": sum(1 for q in fake.callbacks_pushed if q not in answered),
        "taps_answered_twice": sum(1 for n in answered.values() if n > 1),
        "posts_failed": timings.failed_posts,
        "no_reply": timings.no_reply,
    }


async def _footprint(redis: Redis, existing: set[bytes], participants: int) -> dict[str, float]:
    configured = await keys_bytes(redis)
    created = [key for key in configured if key not in existing]
    await rewritten_under_defaults(redis, list(configured))
    defaults = await keys_bytes(redis)
    return {
        "bytes_per_participant": sum(configured[k] for k in created) / participants,
        "bytes_per_participant_defaults": sum(defaults.get(k, 0) for k in created) / participants,
        "all_keys_bytes_per_participant": sum(configured.values()) / participants,
        "keys_per_participant": len(created) / participants,
    }


# -- the sitting ----------------------------------------------------------------------------------

ROWS = (  # (key, label, format)
    ("updates_per_s", "closed loop: updates/s", "{:,.0f}"),
    ("cpu_ms_per_update", "bot CPU per update (ms)", "{:.2f}"),
    ("updates_per_cpu_s", "updates per bot CPU-second", "{:,.0f}"),
    ("cpu_ms_per_participant", "bot CPU per participant (ms)", "{:.1f}"),
    ("updates_per_participant", "updates per participant", "{:.1f}"),
    ("bot_api_calls_per_update", "Bot API requests per update", "{:.2f}"),
    ("redis_cpu_ms_per_update", "Redis CPU per update (ms)", "{:.3f}"),
    ("commands_per_update", "Redis commands per update (incl. scripts)", "{:.1f}"),
    ("client_commands_per_update", "… sent by the bot (proxy)", "{:.1f}"),
    ("round_trips_per_update", "Redis round trips per update (proxy)", "{:.2f}"),
    ("reads_per_update", "… read events seen by Redis", "{:.2f}"),
    ("bytes_per_participant", "Redis bytes per participant (embedded config)", "{:,.0f}"),
    ("bytes_per_participant_defaults", "… with Redis 7 default thresholds", "{:,.0f}"),
    ("all_keys_bytes_per_participant", "… every key / participants (embedded)", "{:,.0f}"),
    ("bench_cpu_ms_per_update", "bench (driver, fake API, proxy) CPU per update (ms)", "{:.2f}"),
    ("loop_e2e_p50_ms", "closed loop: update → reply p50 (ms)", "{:.1f}"),
    ("loop_e2e_p99_ms", "closed loop: update → reply p99 (ms)", "{:.1f}"),
    ("fixed_round_trips_per_update", "fixed rate: round trips per update, less idle", "{:.2f}"),
    ("fixed_commands_per_update", "fixed rate: commands per update, less idle", "{:.1f}"),
    ("ack_p50_ms", "fixed rate: ack p50 (ms)", "{:.1f}"),
    ("ack_p99_ms", "fixed rate: ack p99 (ms)", "{:.1f}"),
    ("e2e_p50_ms", "fixed rate: update → reply p50 (ms)", "{:.1f}"),
    ("e2e_p99_ms", "fixed rate: update → reply p99 (ms)", "{:.1f}"),
    ("idle_commands_per_s", "idle: Redis commands/s", "{:.1f}"),
    ("idle_reads_per_s", "idle: Redis read events/s", "{:.1f}"),
    ("idle_round_trips_per_s", "idle: round trips/s", "{:.1f}"),
    ("load_average", "machine load average before the run (2 cores)", "{:.2f}"),
)
CORRECTNESS = (
    "answers_stored_as_given", "participants_wrong", "replies_missing", "replies_twice",
    "taps_unanswered", "taps_answered_twice", "posts_failed", "no_reply", "fixed_rate_no_reply",
)  # fmt: skip


def _shown(fmt: str, value: float) -> str:
    return fmt.format(value)


def print_round(number: int, runs: dict[str, dict[str, float]]) -> None:
    names = list(runs)
    print(f"\nround {number}" + "".join(f"{name:>14}" for name in names), flush=True)
    for key, label, fmt in ROWS:
        print(f"  {label:<52}" + "".join(f"{_shown(fmt, runs[n][key]):>14}" for n in names))
    for key in CORRECTNESS:
        print(f"  {key:<52}" + "".join(f"{runs[n][key]:>14.0f}" for n in names), flush=True)


def print_summary(rounds: list[dict[str, dict[str, float]]]) -> None:
    names = list(rounds[0])
    print(f"\nsummary over {len(rounds)} round(s): median (min–max)")
    for key, label, fmt in ROWS:
        cells, medians = [], []
        for name in names:
            values = [r[name][key] for r in rounds]
            median = statistics.median(values)
            medians.append(median)
            shown = f"{_shown(fmt, median)} ({_shown(fmt, min(values))}–{_shown(fmt, max(values))})"
            cells.append(f"{shown:>30}")
        ratio = medians[1] / medians[0] if len(medians) == 2 and medians[0] else float("nan")
        print(f"  {label:<52}" + "".join(cells) + f"   sauti/aiogram {ratio:.2f}")
    for key in CORRECTNESS:
        totals = [sum(r[name][key] for r in rounds) for name in names]
        print(f"  {key + ' (sum)':<52}" + "".join(f"{t:>30.0f}" for t in totals))


async def sitting(options: argparse.Namespace) -> list[dict[str, dict[str, float]]]:
    rounds: list[dict[str, dict[str, float]]] = []
    with (
        tempfile.TemporaryDirectory(prefix="sauti-bench-") as directory,
        EmbeddedRedis(Path(directory) / "redis") as server,
    ):
        scratch = Path(directory)
        proxy = RoundTripProxy(server.url)
        await proxy.start()
        redis = Redis.from_url(server.url)
        try:
            first = 10_000_000
            for number in range(1, options.rounds + 1):
                runs: dict[str, dict[str, float]] = {}
                bots: list[BotUnderTest] = [AiogramBot(scratch), SautiBot(scratch, server.url)]
                for bot in bots:
                    runs[bot.name] = await one_run(bot, redis, proxy, options, first)
                    first += 1_000_000
                print_round(number, runs)
                rounds.append(runs)
        finally:
            await redis.aclose()
            await proxy.close()
    print_summary(rounds)
    return rounds


async def profiled(options: argparse.Namespace) -> None:
    """One Sauti run under cProfile: where its CPU goes (top 30, cumulative and own time)."""
    with (
        tempfile.TemporaryDirectory(prefix="sauti-bench-") as directory,
        EmbeddedRedis(Path(directory) / "redis") as server,
    ):
        proxy = RoundTripProxy(server.url)
        await proxy.start()
        redis = Redis.from_url(server.url)
        profile = Path(directory) / "sauti.prof"
        try:
            bot = SautiBot(Path(directory), server.url, profile=profile)
            result = await one_run(bot, redis, proxy, options, 10_000_000)
        finally:
            await redis.aclose()
            await proxy.close()
        updates, cpu = result["updates"], result["cpu_ms_per_update"]
        print(f"Sauti under cProfile: {updates:.0f} updates, {cpu:.2f} ms CPU per update")
        for order in ("cumulative", "tottime"):
            print(f"\n-- top 30 by {order} --")
            stats = pstats.Stats(str(profile))
            stats.strip_dirs().sort_stats(order).print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--participants", type=int, default=120)
    parser.add_argument("--rate", type=float, default=25.0, help="fixed-rate phase, updates/s")
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--idle", type=float, default=10.0, help="idle phase, seconds")
    parser.add_argument(
        "--quick", action="store_true", help="1 round, 20 participants, short phases"
    )
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--profile", action="store_true", help="one Sauti run under cProfile")
    parser.add_argument("--trace", action="store_true", help="Redis commands of one answer")
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.participants = 1, 20
        options.latency_seconds, options.idle, options.rate = 2.0, 1.0, 20.0
    if options.trace:
        from bench.redis_trace import trace_one_answer

        asyncio.run(trace_one_answer())
        return
    if options.profile:
        options.latency_seconds = 1.0
        asyncio.run(profiled(options))
        return
    rounds = asyncio.run(sitting(options))
    if options.json is not None:
        options.json.write_text(json.dumps(rounds, indent=1))


if __name__ == "__main__":
    main()
