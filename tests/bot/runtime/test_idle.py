"""Idle, Sauti costs Redis next to nothing, and still takes an event the moment it arrives."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from redis.asyncio import Redis

from bot.app import App
from bot.conversation.inbound import Channel, InboundEvent, Join
from bot.runtime.markers import is_committed
from tests.kit.running import built
from tests.kit.settings import deployment_settings
from tests.kit.waiting import until

SHARDS = "16"  # the default: a worker waits on every one of them
COUNTED_SECONDS = 4.0


async def _commands_during(redis_url: str, seconds: float) -> list[str]:
    """Every command clients sent (not those scripts ran inside Redis) for `seconds`."""
    seen: list[str] = []
    async with Redis.from_url(redis_url) as client, client.monitor() as monitor:
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(asyncio.get_running_loop().time() + seconds):
                while time.monotonic() < deadline:
                    command = await monitor.next_command()
                    if command.get("client_type") != "lua":
                        seen.append(command["command"].split()[0].upper())
    return [name for name in seen if name != "MONITOR"]


def _join(app: App) -> InboundEvent:
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, "idle-test")
    return InboundEvent(
        event_id="w:idle-test",
        channel=Channel.WEBCHAT,
        participant_id=pid,
        received_at_ms=int(time.time() * 1000),
        action=Join("safe-connect-2026", "en"),
    )


async def test_an_idle_worker_and_publisher_ask_redis_at_most_a_few_times_a_second(
    redis_url: str, tmp_path: Path
) -> None:
    settings = deployment_settings(redis_url, tmp_path, SAUTI_SHARDS=SHARDS)
    async with built(settings) as app:
        stop = asyncio.Event()
        roles = [
            asyncio.create_task(app.worker().run(stop)),
            asyncio.create_task(app.publisher().run(stop)),
        ]
        try:
            await asyncio.sleep(1.5)  # leases taken, every shard waiting, the publisher too
            commands = await _commands_during(redis_url, COUNTED_SECONDS)
            assert len(commands) / COUNTED_SECONDS <= 5, sorted(commands)

            join = _join(app)
            arrived = time.monotonic()
            assert await app.ingestor.ingest(join)
            marker = app.ingestor.marker(join)

            async def committed() -> bool:
                return is_committed(await app.redis.zscore(marker.key, marker.member))

            await until(committed, seconds=5)
            assert time.monotonic() - arrived < 1.0  # the waiting read woke at once
        finally:
            stop.set()
            stopped = time.monotonic()
            await asyncio.gather(*roles)
        assert time.monotonic() - stopped < 3  # nobody waits out a half-minute read to stop
