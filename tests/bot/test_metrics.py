"""/metrics as an operator scrapes it: each role's own process counts what it does, queue depth
is what waits (not what was handled and not trimmed yet), process figures, and the token."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import App, build_app
from bot.channels.webchat.ids import event_id
from bot.conversation.inbound import Channel, InboundEvent, Join
from bot.runtime.worker import GROUP
from tests.kit.example import open_example
from tests.kit.running import built, web_server
from tests.kit.settings import (
    deployment_environment,
    deployment_settings,
    process_environment,
    settings_from,
)
from tests.kit.waiting import free_port

REPO = Path(__file__).resolve().parents[2]
CAMPAIGN = "safe-connect-2026"


def _join(app: App, n: int) -> InboundEvent:
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, f"metrics-{n}")
    return InboundEvent(
        event_id=event_id(pid, "join"),
        channel=Channel.WEBCHAT,
        participant_id=pid,
        received_at_ms=int(time.time() * 1000),
        action=Join(CAMPAIGN, "en"),
    )


async def _ingest(app: App, count: int) -> None:
    for n in range(count):
        assert await app.ingestor.ingest(_join(app, n))


async def _read(app: App, stream: str, consumer: str) -> list[bytes]:
    """Read every new entry of `stream` as `consumer` (without acknowledging): their ids."""
    reply: Any = await app.redis.xreadgroup(GROUP, consumer, {stream: ">"}, count=1000)
    return [entry_id for entry_id, _ in reply[0][1]] if reply else []


def _sample(text: str, name: str) -> float | None:
    """The value of an unlabelled sample in Prometheus text, or None when it is absent."""
    for line in text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return None


def _queue(text: str, queue: str) -> float | None:
    return _sample(text, f'sauti_queue_depth{{queue="{queue}"}}')


@pytest.fixture
async def served(app: App) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The web server alone: no worker, so the test decides when events are handled."""
    async with web_server(app) as server, TestClient(server) as client:
        yield client


async def test_queue_depth_counts_what_waits_not_what_was_handled_and_left_untrimmed(
    app: App, served: TestClient[web.Request, web.Application]
) -> None:
    await _ingest(app, 17)
    waiting = await (await served.get("/metrics")).text()
    assert _queue(waiting, "inbound") == 17  # no worker yet: all of it waits

    # What a worker leaves between two trims (at most one a second per shard): every entry
    # read and acknowledged, still in the stream.
    for shard in range(app.schema.shards):
        stream = app.schema.inbound(shard)
        await app.worker("metrics-worker").ensure_group(shard)
        read = await _read(app, stream, "metrics-worker")
        if read:
            await app.redis.xack(stream, GROUP, *read)
    length = sum([await app.redis.xlen(app.schema.inbound(s)) for s in range(app.schema.shards)])
    assert length == 17
    idle = await (await served.get("/metrics")).text()
    assert _queue(idle, "inbound") == 0
    assert _queue(idle, "outbox_reply") == 0


async def test_queue_depth_counts_entries_read_but_not_acknowledged(
    app: App, served: TestClient[web.Request, web.Application]
) -> None:
    await _ingest(app, 6)
    # A worker that read every entry and died before acknowledging any: they all still wait.
    held = 0
    for shard in range(app.schema.shards):
        stream = app.schema.inbound(shard)
        await app.worker("metrics-worker").ensure_group(shard)
        held += len(await _read(app, stream, "dead-worker"))
    assert held == 6
    text = await (await served.get("/metrics")).text()
    assert _queue(text, "inbound") == 6


async def test_metrics_show_this_process_cpu_memory_fds_and_start_time(
    served: TestClient[web.Request, web.Application],
) -> None:
    text = await (await served.get("/metrics")).text()
    for name in (
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_start_time_seconds",
    ):
        value = _sample(text, name)
        assert value is not None, name
        assert value > 0, name
    assert "python_info{" in text


async def test_a_metrics_token_keeps_metrics_from_anyone_without_it(
    redis_url: str, tmp_path: Path
) -> None:
    settings = deployment_settings(redis_url, tmp_path, SAUTI_METRICS_TOKEN="s3cret-Token")
    async with (
        built(settings, example=False) as app,
        web_server(app) as server,
        TestClient(server) as client,
    ):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
            response = await client.get("/metrics", headers=headers)
            assert response.status == 401
            assert "sauti_" not in await response.text()
        allowed = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-Token"})
        assert allowed.status == 200
        assert "sauti_events_processed_total" in await allowed.text()
        # Other routes need no token: it guards /metrics only.
        assert (await client.get("/healthz")).status == 200


def _process_environment(redis_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return process_environment(deployment_environment(redis_url, tmp_path, **extra))


async def _scrape(url: str, headers: dict[str, str]) -> str:
    """The page at `url` once the process serves it (it starts in the background)."""
    deadline = time.monotonic() + 90
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url, headers=headers) as response:
                    assert response.status == 200
                    return await response.text()
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def test_a_worker_process_serves_its_own_metrics_on_its_port(
    redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    environ = deployment_environment(
        redis_url,
        tmp_path,
        SAUTI_METRICS_WORKER_PORT=str(port),
        SAUTI_METRICS_TOKEN="scrape-me",
        SAUTI_LOG_LEVEL="WARNING",
    )
    app = await build_app(settings_from(environ))
    await open_example(app.campaigns)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--role", "worker",
        cwd=REPO, env=process_environment(environ), stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await _ingest(app, 22)
        url = f"http://127.0.0.1:{port}/metrics"
        auth = {"Authorization": "Bearer scrape-me"}
        deadline = time.monotonic() + 90  # the process starts, then works (a loaded machine)
        while _sample(text := await _scrape(url, auth), "sauti_events_processed_total") != 22:
            assert time.monotonic() < deadline, text
            await asyncio.sleep(0.2)
        assert _sample(text, "process_start_time_seconds")
        # The worker's process serves its own counters; Redis-wide gauges come from web.
        assert _queue(text, "inbound") is None
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await app.close()


async def test_a_busy_port_is_one_line_naming_its_setting_and_a_failing_exit(
    redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    holder = await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)
    try:
        env = _process_environment(redis_url, tmp_path, SAUTI_HTTP_PORT=str(port))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--role", "web",
            cwd=REPO, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        lines = stderr.decode().strip().splitlines()
        assert process.returncode == 1
        assert len(lines) == 1, lines
        assert "SAUTI_HTTP_PORT" in lines[0]
        assert str(port) in lines[0]
    finally:
        holder.close()
        await holder.wait_closed()


async def test_a_busy_metrics_port_is_one_warning_and_the_worker_works_on(
    redis_url: str, tmp_path: Path
) -> None:
    """A second worker on one machine with the default metrics port: its participants must
    not wait for an operator to pick another port."""
    port = free_port()
    holder = await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)
    env = _process_environment(redis_url, tmp_path, SAUTI_METRICS_WORKER_PORT=str(port))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--role", "worker",
        cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        warning = await asyncio.wait_for(process.stderr.readline(), timeout=60)
        assert b"metrics not served" in warning
        assert b"SAUTI_METRICS_WORKER_PORT" in warning
        await asyncio.sleep(2)  # had it stopped, it would have by now
        assert process.returncode is None
    finally:
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), timeout=60)
        holder.close()
        await holder.wait_closed()
    assert process.returncode == 0
    assert b"Traceback" not in rest
