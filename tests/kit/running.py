"""A running Sauti: the App from the real composition root (`build_app`) with the example
campaign open, its web server on a free port, and its roles (worker, sender) as background
tasks, or all of it as `sauti run` runs it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestServer

from bot.app import App, build_app
from bot.run import ROLES, run
from bot.runtime.outbox import Priority
from bot.runtime.sender import Sender
from bot.runtime.streams import SENDERS
from bot.runtime.worker import Worker
from bot.settings import Settings
from bot.web import make_web_app, runner_options
from tests.kit.example import open_example


@contextlib.asynccontextmanager
async def built(settings: Settings, *, example: bool = True) -> AsyncIterator[App]:
    """The App for `settings`, with the example campaign open (unless not wanted)."""
    app = await build_app(settings)
    try:
        if example:
            await open_example(app.campaigns)
        yield app
    finally:
        await app.close()


@contextlib.asynccontextmanager
async def web_server(app: App) -> AsyncIterator[TestServer]:
    """Sauti's web server for `app` on a free loopback port, with the production runner
    settings."""
    server = TestServer(make_web_app(app), host="127.0.0.1")
    await server.start_server(**runner_options())
    try:
        yield server
    finally:
        await server.close()


def base_url(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


@dataclass
class Roles:
    """Roles running as background tasks, as `sauti run` runs them."""

    running: list[asyncio.Task[None]]
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def stop(self) -> None:
        """Ask every role to stop and wait until it has; a role that failed raises its error."""
        self.stopping.set()
        for task in self.running:
            with contextlib.suppress(asyncio.CancelledError):
                await task


@contextlib.asynccontextmanager
async def background(*roles: Worker | Sender) -> AsyncIterator[Roles]:
    """Run each role (`app.worker(...)`, `app.sender(...)`) until the block ends (or the test
    stops them)."""
    stop = asyncio.Event()
    started = Roles([asyncio.create_task(role.run(stop)) for role in roles], stop)
    try:
        yield started
    finally:
        await started.stop()


@contextlib.asynccontextmanager
async def sauti_run(settings: Settings, roles: tuple[str, ...] = ROLES) -> AsyncIterator[None]:
    """`sauti run` with `settings` and `roles`, in this process, once it says it has started."""
    ready = asyncio.Event()
    sauti = asyncio.create_task(run(settings, roles, ready))
    try:
        waiting = asyncio.create_task(ready.wait())
        await asyncio.wait([sauti, waiting], timeout=15, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if sauti.done():
            sauti.result()  # raises what stopped it
        assert ready.is_set(), "sauti run did not start"
        yield
    finally:
        sauti.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sauti


async def drain(worker: Worker, shards: int, *, orphans: bool = False) -> int:
    """Let `worker` process every shard until nothing is left (first claiming what a dead
    worker left pending, if `orphans`); returns the number handled."""
    total = 0
    for shard in range(shards):
        await worker.ensure_group(shard)
        if orphans:
            await worker.claim_orphans(shard)
        while handled := await worker.poll(shard, block_ms=None):
            total += handled
    return total


async def send_all(sender: Sender, shards: int) -> None:
    """Let `sender` empty every outbox. Entries put off for a retry (a temporary failure, a
    recipient's pause) stay pending: `send_until_acknowledged` waits for those too."""
    for shard in range(shards):
        await sender.prepare(shard)
        while await sender.poll(shard, block_ms=None):
            pass


async def send_until_acknowledged(app: App, sender: Sender, *, within_seconds: float = 60) -> None:
    """Let `sender` empty every outbox as a running sender would: entries put off for a
    retry go when it is due, until every entry is acknowledged (or `within_seconds` pass)."""
    deadline = asyncio.get_running_loop().time() + within_seconds
    while True:
        await send_all(sender, app.schema.shards)
        if not await outbox_pending(app) or asyncio.get_running_loop().time() > deadline:
            return
        await asyncio.sleep(0.05)  # a retry's backoff, a recipient's pause


async def outbox_pending(app: App) -> int:
    """Outbox entries read by a sender and not acknowledged yet, over every shard."""
    pending = 0
    for shard in range(app.schema.shards):
        for priority in Priority:
            stream = app.schema.outbox(shard, priority)
            if await app.redis.exists(stream):
                summary: Any = await app.redis.xpending(stream, SENDERS)
                pending += int(summary["pending"])
    return pending


async def all_processed(app: App) -> bool:
    """Whether every inbound entry was delivered to the workers' group and acknowledged."""
    redis, schema = app.redis, app.schema
    for shard in range(schema.shards):
        stream = schema.inbound(shard)
        if not await redis.exists(stream):
            continue
        last: Any = (await redis.xinfo_stream(stream))["last-generated-id"]
        groups: Any = await redis.xinfo_groups(stream)
        if any(g["last-delivered-id"] != last or g["pending"] for g in groups):
            return False
    return True
