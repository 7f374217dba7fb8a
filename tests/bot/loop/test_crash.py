"""Kill the publisher and the sender mid-publication: after restarts, every target has exactly
one notice."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.conversation.inbound import Answer, Channel, Command
from bot.conversation.outgoing import Outgoing
from bot.loop.progress import publication_progress
from bot.loop.publisher import Publisher
from bot.runtime.delivery import Recipient
from bot.runtime.sender import Sender, SenderConfig
from dialogues.inbound import TextReply
from tests.bot.loop import (
    FAST,
    NOON_MS,
    SIM_DECISION,
    UP_TO_SIM_ID,
    Deployment,
    Person,
    make_deployment,
    with_campaign,
)
from tests.bot.runtime.fake_channel import FakePlatform
from tests.kit.example import CAMPAIGN

PEOPLE = 30


class Crash(BaseException):
    """Stands for the process dying at that point."""


async def _crowd(deployment: Deployment, count: int) -> list[Person]:
    """`count` people on Telegram and WhatsApp who all said yes to the ID question; every step
    of all of them is ingested before one drain, so this stays quick."""
    people = [
        Person(deployment, f"p{n}", Channel.TELEGRAM if n % 2 else Channel.WHATSAPP)
        for n in range(count)
    ]
    steps: list[Any] = [
        Answer(TextReply(f"/start {CAMPAIGN}")),
        Command("language", "en"),
        Command("consent", "take:yes"),
        Command("updates", "yes"),
        *(Answer(TextReply(text)) for text in (*UP_TO_SIM_ID, "yes")),
    ]
    for action in steps:
        for person in people:
            await deployment.runtime.ingestor.ingest(person.event(action))
        await deployment.runtime.drain()
    return people


def _new_publisher(deployment: Deployment) -> Publisher:
    """A fresh publisher process on the same deployment."""
    old = deployment.publisher
    return Publisher(
        deployment.redis,
        deployment.runtime.schema,
        ledger=deployment.ledger,
        campaigns=deployment.runtime.campaigns,
        crypto=deployment.runtime.crypto,
        config=old._config,
        clock=deployment.clock.time,
    )


def _crash_on_batch(
    monkeypatch: pytest.MonkeyPatch, publisher: Publisher, batch: int, *, after_commit: bool
) -> None:
    """The publisher dies on its `batch`-th feed: before or just after that batch's commit."""
    feed = publisher.feeder.commit_batch
    calls = Counter[str]()

    async def dying(keys: list[str], args: list[Any]) -> int:
        calls["feed"] += 1
        if calls["feed"] == batch and not after_commit:
            raise Crash
        result = await feed(keys, args)
        if calls["feed"] == batch:
            raise Crash
        return result

    monkeypatch.setattr(publisher.feeder, "commit_batch", dying)


async def test_killing_the_publisher_and_the_sender_mid_publication_sends_each_notice_once(
    redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = await with_campaign(make_deployment(redis_client, feed_batch=4))
    people = await _crowd(deployment, PEOPLE)
    await deployment.deliver_all(deployment.sender("conversation"))  # their chats so far
    for platform in deployment.platforms.values():
        platform.delivered.clear()
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS
    await deployment.publisher.publish(stored.campaign_id, stored.id)

    first = _new_publisher(deployment)
    _crash_on_batch(monkeypatch, first, 3, after_commit=False)  # read, composed, not committed
    with pytest.raises(Crash):
        await deployment.publish_all(first)
    second = _new_publisher(deployment)
    _crash_on_batch(monkeypatch, second, 2, after_commit=True)  # committed, then died
    with pytest.raises(Crash):
        await deployment.publish_all(second)
    progress = await publication_progress(deployment.redis, deployment.schema, stored, {})
    assert 0 < progress.handled < PEOPLE  # part of it is queued, the rest is not

    # The sender dies right after the platform accepted its fifth notice.
    platforms = deployment.platforms

    class DyingPlatform(FakePlatform):
        async def deliver(self, recipient: Recipient, message: Outgoing, key: str) -> str | None:
            answer = await super().deliver(recipient, message, key)
            if sum(len(p.delivered) for p in platforms.values()) == 5:
                raise Crash
            return answer

    doomed = Sender(
        deployment.redis,
        deployment.runtime.schema,
        clients={
            name: DyingPlatform(FAST, channel=p.channel, delivered=p.delivered)
            for name, p in platforms.items()
        },
        crypto=deployment.runtime.crypto,
        metrics=deployment.runtime.metrics,
        consumer="doomed",
        config=SenderConfig(block_ms=10, batch_size=1),  # one message in flight when it dies
    )
    with pytest.raises(Crash):
        await deployment.deliver_all(doomed)

    await deployment.publish_all(_new_publisher(deployment))  # restarted: finishes the rest
    await deployment.deliver_all(deployment.sender("successor"))

    counts = {person.name: len(deployment.notices(person)) for person in people}
    assert counts == {person.name: 1 for person in people}
    keys = [d.key for p in platforms.values() for d in p.delivered]
    assert len(keys) == len(set(keys)) == PEOPLE
    status = await deployment.redis.hget(
        deployment.schema.publication(stored.ref, stored.version), "status"
    )
    assert status == b"done"
