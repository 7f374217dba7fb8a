"""Benchmark the inbound pipeline: HTTP ingest → stream → worker → committed answer.

    .venv/bin/python bench/ingest.py            # full run (about 30 s)
    .venv/bin/python bench/ingest.py --quick    # a short run

Everything runs against an embedded Redis that the bench starts in a temporary directory, on
the same machine. Four measurements, each keeping the others' costs out of its figure:

1. ingest only: `Ingestor.ingest` called directly (no HTTP), participants concurrently;
2. worker only: M events ingested first, then one worker's `poll` loop times the drain — the
   worker core alone, in this process, with nothing else running in it (target: ≥ 3,000
   events/s per worker core);
3. end to end: the web server and one worker in this process (as `sauti run` runs them), N
   web chat participants driven through the example campaign by a client in a *separate
   process* (aiohttp, one POST per answer, concurrently). Reports HTTP req/s, the latency from
   ingest to commit (every sample the worker observes for `sauti_processing_latency_seconds`)
   and the client-side POST latency (ingest + wait for the commit + redirect);
4. Redis bytes per participant after a completed example survey: `MEMORY USAGE` (exact,
   SAMPLES 0) of their participant hash, session, answers and web chat inbox, plus their event
   markers (one sorted set, which stays 7 days after their last message) (target: ≤ 2 KB).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web
from prometheus_client import Histogram

from bot.app import App, build_app
from bot.channels.webchat.ids import event_id
from bot.conversation.inbound import Answer, Channel, InboundEvent, Join
from bot.settings import read_settings
from bot.web import make_web_app, runner_options
from dialogues.inbound import TextReply

EXAMPLE = Path(__file__).resolve().parents[1] / "dialogues" / "examples" / "safe_connect.yaml"
CAMPAIGN = "safe-connect-2026"
LANGUAGE = "sw"
# A complete run of the example survey, typed in Swahili (as in tests/bot/runtime): 12 answers,
# including one free-text answer, which is sealed with the participant's key.
SCRIPT = [
    "1, 3", "2", "wizi", "ndiyo", "Askari walisoma ujumbe wangu", "hapana",
    "3", "2 5", "8", "2", "ruka", "3",
]  # fmt: skip
EVENTS_PER_PARTICIPANT = 1 + len(SCRIPT)


@dataclass(frozen=True)
class Sizes:
    ingest_participants: int
    http_participants: int  # at once: the throughput run, at saturation
    light_participants: int  # at once: the latency run, well below saturation
    memory_sample: int


FULL = Sizes(
    ingest_participants=2000, http_participants=500, light_participants=20, memory_sample=50
)
QUICK = Sizes(
    ingest_participants=200, http_participants=100, light_participants=10, memory_sample=10
)


# -- the deployment under test -----------------------------------------------------------------


async def _app(data_dir: Path) -> App:
    config = data_dir / "sauti.toml"
    config.touch()
    environ = {
        "SAUTI_DATA_DIR": str(data_dir / "var"),
        "SAUTI_LOG_LEVEL": "WARNING",
        "SAUTI_DEDUPE_TTL_SECONDS": str(7 * 86400),
        # Every bench participant joins from this one machine: no per-client join limit.
        "SAUTI_WEBCHAT_JOIN_LIMIT": str(10**9),
    }
    app = await build_app(read_settings(environ, config_path=config))
    await app.campaigns.load(EXAMPLE.read_text(encoding="utf-8"), open_now=True)
    return app


class LatencySamples:
    """Stands in for the worker's latency histogram: keeps every observation (exact
    percentiles) and still feeds the real histogram."""

    def __init__(self, histogram: Histogram) -> None:
        self.histogram = histogram
        self.values: list[float] = []

    def observe(self, amount: float, exemplar: dict[str, str] | None = None) -> None:
        self.values.append(amount)
        self.histogram.observe(amount, exemplar)


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# -- 1. ingest only ----------------------------------------------------------------------------


def _events(app: App, participants: int) -> list[list[InboundEvent]]:
    """Web chat events of `participants` synthetic people, one list per survey step."""
    now = int(time.time() * 1000)
    steps: list[list[InboundEvent]] = [[] for _ in range(EVENTS_PER_PARTICIPANT)]
    for _ in range(participants):
        pid = app.crypto.participant_id(Channel.WEBCHAT.value, secrets.token_urlsafe(24))
        actions: list[Join | Answer] = [Join(CAMPAIGN, LANGUAGE)]
        actions += [Answer(TextReply(text)) for text in SCRIPT]
        for step, action in enumerate(actions):
            nonce = "join" if step == 0 else secrets.token_urlsafe(12)
            steps[step].append(
                InboundEvent(event_id(pid, nonce), Channel.WEBCHAT, pid, now, action)
            )
    return steps


async def ingest_only(app: App, steps: list[list[InboundEvent]]) -> tuple[int, float]:
    """Each step's events concurrently (they belong to different participants), steps in
    order, as participants answer one question after another."""
    began = time.perf_counter()
    count = 0
    for events in steps:
        stored = await asyncio.gather(*(app.ingestor.ingest(event) for event in events))
        assert all(stored)
        count += len(events)
    return count, time.perf_counter() - began


# -- 2. worker only ----------------------------------------------------------------------------


async def worker_only(app: App) -> tuple[int, float, float]:
    """Drain every shard with one worker; (events, wall seconds, CPU seconds of this process)."""
    worker = app.worker("bench-drain")
    for shard in range(app.schema.shards):
        await worker.ensure_group(shard)
    began, cpu = time.perf_counter(), time.process_time()
    handled, busy = 0, True
    while busy:  # round-robin over shards, as the shard tasks of `Worker.run` interleave
        busy = False
        for shard in range(app.schema.shards):
            done = await worker.poll(shard, block_ms=None)
            handled += done
            busy = busy or done > 0
    return handled, time.perf_counter() - began, time.process_time() - cpu


# -- 3. end to end over HTTP -------------------------------------------------------------------


@dataclass
class CpuUse:
    """CPU seconds spent during a phase, by process."""

    server: float = 0.0  # this process: web server + worker
    client: float = 0.0
    redis: float = 0.0


@dataclass
class ClientReport:
    requests: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    not_done: int = 0  # redirected to a waiting page: not committed within the web chat's 3 s


async def _participant(http: ClientSession, base: str, report: ClientReport) -> None:
    async def post(path: str, data: dict[str, str]) -> str:
        began = time.perf_counter()
        async with http.post(base + path, data=data, allow_redirects=False) as response:
            await response.read()
            report.latencies.append(time.perf_counter() - began)
            report.statuses[str(response.status)] = report.statuses.get(str(response.status), 0) + 1
            location = response.headers.get("Location", "")
            report.not_done += "?" in location
            return location

    location = await post(f"/j/{CAMPAIGN}", {"lang": LANGUAGE})
    token = location.removeprefix("/c/").split("#")[0].split("?")[0]
    for text in SCRIPT:
        await post(f"/c/{token}", {"n": secrets.token_urlsafe(12), "text": text})


async def drive(base: str, participants: int) -> ClientReport:
    """The client process: every participant through the survey, all at once."""
    report = ClientReport()
    connector = TCPConnector(limit=0)
    # As a browser posts the forms of our pages: the web chat refuses forms from other sites.
    same_origin = {"Sec-Fetch-Site": "same-origin"}
    timeout = ClientTimeout(total=120)
    async with ClientSession(connector=connector, timeout=timeout, headers=same_origin) as http:
        began = time.perf_counter()
        await asyncio.gather(*(_participant(http, base, report) for _ in range(participants)))
        report.elapsed = time.perf_counter() - began
    report.requests = len(report.latencies)
    return report


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def end_to_end(
    app: App, participants: int
) -> tuple[ClientReport, list[float], dict[str, int], CpuUse]:
    samples = LatencySamples(app.metrics.latency)
    app.metrics.latency = samples  # type: ignore[assignment]
    stop = asyncio.Event()
    worker = asyncio.create_task(app.worker("bench-worker").run(stop))
    runner = web.AppRunner(make_web_app(app), **{**runner_options(), "access_log": None})
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await app.redis.config_resetstat()
    cpu = CpuUse(time.process_time(), _children_cpu(), await _redis_cpu(app))
    try:
        client = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--client", f"http://127.0.0.1:{port}", str(participants),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await client.communicate()
        assert client.returncode == 0, "the client process failed"
        report = ClientReport(**json.loads(out))
        commands = await _command_calls(app)
        cpu.server = time.process_time() - cpu.server
        cpu.client = _children_cpu() - cpu.client
        cpu.redis = await _redis_cpu(app) - cpu.redis
    finally:
        await runner.cleanup()
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        app.metrics.latency = samples.histogram
    return report, samples.values, commands, cpu


def _children_cpu() -> float:
    """CPU seconds of child processes waited for: here, the client once it has exited."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _redis_cpu(app: App) -> float:
    info: Any = await app.redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


async def _command_calls(app: App) -> dict[str, int]:
    stats: Any = await app.redis.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


# -- 4. bytes per participant ------------------------------------------------------------------


async def _memory(app: App, key: str) -> int:
    used = await app.redis.memory_usage(key, samples=0)
    return int(used or 0)


async def participant_bytes(app: App, sample: int) -> dict[str, float]:
    """Average MEMORY USAGE per completed participant, by kind of key."""
    pids: list[str] = []
    async for key in app.redis.scan_iter(match=f"{app.schema.prefix}:*:p:*", count=1000):
        pids.append(key.decode().rsplit(":", 1)[1])
        if len(pids) == sample:
            break
    totals: dict[str, float] = {}
    for pid in pids:
        kinds = {
            "participant": app.schema.participant(pid),
            "session": app.schema.session(pid, CAMPAIGN),
            "answers": app.schema.answers(pid, CAMPAIGN),
            "web chat inbox": app.schema.webchat_inbox(pid),
            "event markers": app.schema.event_markers(pid),
        }
        for kind, key in kinds.items():
            used = await _memory(app, key)
            totals[kind] = totals.get(kind, 0) + used
            totals[f"{kind} (keys)"] = totals.get(f"{kind} (keys)", 0) + (used > 0)
    return {kind: total / max(1, len(pids)) for kind, total in totals.items()}


async def respondents_bytes(app: App) -> float:
    """The per-shard respondents sets, per member: also grows with every participant."""
    used, members = 0, 0
    for shard in range(app.schema.shards):
        key = app.schema.respondents(shard, CAMPAIGN)
        used += await _memory(app, key)
        members += int(await app.redis.scard(key))
    return used / max(1, members)


# -- the report --------------------------------------------------------------------------------


async def _completed(app: App) -> int:
    total = 0
    for shard in range(app.schema.shards):
        total += int(await app.redis.hget(app.schema.counters(shard, CAMPAIGN), "completed") or 0)
    return total


def _http_rows(report: ClientReport, latencies: list[float], completed: int) -> None:
    _row("POSTs", f"{report.requests:,}", f"statuses {report.statuses}")
    _row("HTTP throughput", f"{report.requests / report.elapsed:,.0f} req/s", "POST→commit→303")
    _row("surveys completed", f"{completed:,}", f"not committed within 3 s: {report.not_done}")
    for name, values in (("ingest → commit", latencies), ("POST round trip", report.latencies)):
        p50, p99 = _percentile(values, 0.5) * 1000, _percentile(values, 0.99) * 1000
        _row(f"{name} p50 / p99", f"{p50:,.1f} / {p99:,.1f} ms")


def _row(name: str, value: str, note: str = "") -> None:
    print(f"  {name:<42} {value:>20}  {note}".rstrip())


async def bench(sizes: Sizes) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-bench-") as scratch:
        app = await _app(Path(scratch))
        try:
            await _run(app, sizes)
        finally:
            await app.close()


async def _run(app: App, sizes: Sizes) -> None:
    python = sys.version.split()[0]
    print(f"Sauti inbound pipeline, embedded Redis, {os.cpu_count()} CPUs, Python {python}")
    print(f"example campaign {CAMPAIGN}: {EVENTS_PER_PARTICIPANT} events per participant\n")

    steps = _events(app, sizes.ingest_participants)
    count, elapsed = await ingest_only(app, steps)
    print(f"1. ingest only ({sizes.ingest_participants} participants, Ingestor, no HTTP)")
    _row("events ingested", f"{count:,}")
    _row("ingest rate", f"{count / elapsed:,.0f}/s", "(one process, 64 Redis connections)")

    handled, wall, cpu_seconds = await worker_only(app)
    assert handled == count, (handled, count)
    assert await _completed(app) == sizes.ingest_participants
    print(f"\n2. worker only (drain of the {count:,} events ingested above, one worker)")
    _row("worker throughput (wall)", f"{handled / wall:,.0f}/s", "target >= 3,000/s per core")
    _row(
        "worker throughput (per CPU-second)",
        f"{handled / cpu_seconds:,.0f}/s",
        "the worker process's CPU",
    )
    _row(
        "worker CPU share of wall time", f"{cpu_seconds / wall:.0%}", "the rest: waiting for Redis"
    )

    before = await _completed(app)
    report, latencies, calls, cpu = await end_to_end(app, sizes.http_participants)
    print(f"\n3. end to end over HTTP, {sizes.http_participants} web chat participants at once")
    print("   (web server + one worker in this process, the HTTP client in another process)")
    _http_rows(report, latencies, await _completed(app) - before)
    posts = max(1, report.requests)
    for name, seconds in (("server", cpu.server), ("client", cpu.client), ("Redis", cpu.redis)):
        share = f"{seconds / report.elapsed:.0%} of a core"
        _row(f"CPU per POST, {name}", f"{seconds / posts * 1000:,.2f} ms", share)
    _row("Redis commands per POST", f"{sum(calls.values()) / posts:,.1f}", "incl. inside scripts")
    for name, count in sorted(calls.items(), key=lambda item: -item[1]):
        if count / posts >= 0.01:
            _row(f"  {name}", f"{count / posts:,.2f}")

    before = await _completed(app)
    report, latencies, _, _ = await end_to_end(app, sizes.light_participants)
    print(f"\n3b. the same at light load: {sizes.light_participants} participants at once")
    _http_rows(report, latencies, await _completed(app) - before)

    per_kind = await participant_bytes(app, sizes.memory_sample)
    print(
        f"\n4. Redis bytes per completed participant (MEMORY USAGE, mean of {sizes.memory_sample})"
    )
    kinds = ["participant", "session", "answers", "web chat inbox", "event markers"]
    for kind in kinds:
        _row(
            kind, f"{per_kind.get(kind, 0):,.0f} B", f"{per_kind.get(kind + ' (keys)', 0):.0f} keys"
        )
    lasting = sum(per_kind.get(kind, 0) for kind in kinds[:4])
    markers = per_kind.get("event markers", 0)
    _row("total with the 7-day markers", f"{lasting + markers:,.0f} B", "target <= 2,048 B")
    _row("total once the markers expired", f"{lasting:,.0f} B")
    _row("+ share of the respondents sets", f"{await respondents_bytes(app):,.0f} B")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run")
    parser.add_argument(
        "--client", nargs=2, metavar=("BASE_URL", "PARTICIPANTS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.client:
        report = asyncio.run(drive(args.client[0], int(args.client[1])))
        print(json.dumps(report.__dict__))
        return
    asyncio.run(bench(QUICK if args.quick else FULL))


if __name__ == "__main__":
    main()
