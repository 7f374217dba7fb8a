"""Operator commands, run as `sauti ...` runs them, on data the real pipeline wrote.

Helpers shared by these tests: a deployment (the App from settings, with a worker on a clock
the test moves, so exported times are exact), the environment the `sauti` process reads, and `sauti`
itself, run in a thread because it starts its own event loop.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.conversation.inbound import Answer, Channel, InboundEvent, Join
from bot.loop.context import LoopContextLoader
from bot.runtime.worker import Worker, WorkerConfig
from dialogues.inbound import Inbound, TextReply
from tests.kit.running import built, drain
from tests.kit.settings import deployment_environment, settings_from

NOW = 1_795_000_000  # where the workers' clock starts, epoch seconds: 2026-11-18T11:06:40Z


@dataclass
class Clock:
    """The workers' clock: tests move it, so exported times are exact."""

    now: float = NOW

    def time(self) -> float:
        return self.now


@dataclass
class Deployment:
    app: App
    worker: Worker
    clock: Clock
    received_ms: int = NOW * 1000

    def participant(self, platform_user: str) -> str:
        return self.app.crypto.participant_id(Channel.WEBCHAT.value, platform_user)

    async def send(
        self, pid: str, action: Join | Inbound | str, address: str | None = None
    ) -> InboundEvent:
        """Ingest what a participant did (a string is typed text)."""
        if isinstance(action, str):
            action = TextReply(action)
        self.received_ms += 1000
        event = InboundEvent(
            event_id=f"webchat:{secrets.token_hex(8)}",
            channel=Channel.WEBCHAT,
            participant_id=pid,
            received_at_ms=self.received_ms,
            action=action if isinstance(action, Join) else Answer(action),
            address=address,
        )
        await self.app.ingestor.ingest(event)
        return event

    async def drain(self) -> int:
        """Process every shard until nothing is left; returns the number handled."""
        return await drain(self.worker, self.app.schema.shards)


@asynccontextmanager
async def deployed(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **extra: str
) -> AsyncIterator[Deployment]:
    """The example campaign, open, on the test's Redis; `sauti` sees the same settings."""
    environ = deployment_environment(redis_url, tmp_path, **extra)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    async with built(settings_from(environ)) as app:
        clock = Clock()
        worker = Worker(
            app.redis,
            app.schema,
            campaigns=app.campaigns,
            crypto=app.crypto,
            loop_context=LoopContextLoader(app.redis, app.schema, app.campaigns),
            metrics=app.metrics,
            consumer="test-worker",
            config=WorkerConfig(block_ms=10, max_attempts=app.settings.runtime.max_attempts),
            clock=clock.time,
        )
        yield Deployment(app, worker, clock)


async def sauti(*argv: str) -> int:
    """`sauti ARGV...` in this process (stdout and stderr go to capsys)."""
    return await asyncio.to_thread(main, list(argv))
