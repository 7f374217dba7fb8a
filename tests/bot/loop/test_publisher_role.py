"""The publisher role, idle: it waits instead of asking Redis every second, yet starts on a new
publication at once and sends a held notice when it is due."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.runtime.outbox import Priority
from tests.bot.loop import (
    SIM_DECISION,
    UP_TO_SIM_ID,
    Deployment,
    Person,
    join,
    make_deployment,
    with_campaign,
)
from tests.bot.loop.test_pacing import _ms
from tests.kit.waiting import until


async def _linked(deployment: Deployment, name: str) -> Person:
    """Someone the example decision is about, who asked to hear what comes of it."""
    person = Person(deployment, name, Channel.TELEGRAM)
    return await join(person, "en", updates=True, answers=(*UP_TO_SIM_ID, "yes"))


async def _queued(deployment: Deployment) -> int:
    schema = deployment.schema
    lengths = [await deployment.redis.xlen(schema.outbox(s, Priority.BULK)) for s in range(2)]
    return sum(lengths)


@contextlib.asynccontextmanager
async def _publisher_role(deployment: Deployment) -> AsyncIterator[None]:
    stop = asyncio.Event()
    role = asyncio.create_task(deployment.publisher.run(stop))
    try:
        await asyncio.sleep(0.3)  # it looked once, found nothing to do and waits
        yield
    finally:
        stop.set()
        # It stops at once, waiting or not: a step under way ends first, which takes a few
        # seconds only on a loaded machine (its waits, a minute long, would time this out).
        await asyncio.wait_for(role, timeout=15)


async def test_an_idle_publisher_starts_on_a_publication_at_once(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client, quiet=None))
    await _linked(deployment, "amina")
    stored = await deployment.load(SIM_DECISION)
    async with _publisher_role(deployment):
        published = time.monotonic()
        await deployment.publisher.publish(stored.campaign_id, stored.id)

        async def fed() -> bool:
            return await _queued(deployment) == 1

        await until(fed, seconds=30)
        # Rung awake, not at its next look a minute later (the bound leaves room for a
        # loaded machine).
        assert time.monotonic() - published < 15


async def test_an_idle_publisher_sends_a_held_notice_when_it_is_due(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client, timezone="Africa/Nairobi"))
    await _linked(deployment, "amina")
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = _ms(18, 23, 30)  # at night in Nairobi: held until 08:00
    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()
    assert await _queued(deployment) == 0

    deployment.clock.now_ms = _ms(19, 8) - 1500  # due in a second and a half
    async with _publisher_role(deployment):
        deployment.clock.now_ms = _ms(19, 8)  # (the test's clock; the role waits on its own)
        waiting = time.monotonic()

        async def moved() -> bool:
            return await _queued(deployment) == 1

        await until(moved, seconds=30)
        assert time.monotonic() - waiting < 15  # woke when due, not at its next minute's look
