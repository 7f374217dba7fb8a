"""Decision notices go only under a consent to hear back given to the current text: someone who
said yes to an older version of the question is not told, and is counted as excluded with the
reason "consent outdated" — planned, or held for the morning and outdated meanwhile. A yes
from before consents had versions still counts (the question's words did not change)."""

from __future__ import annotations

import datetime as dt

from redis.asyncio import Redis

from bot.commands.decisions import REASONS
from bot.conversation.inbound import Channel
from bot.loop.progress import publication_progress
from bot.time_zones import zone
from tests.bot.loop import (
    NOON_MS,
    SIM_DECISION,
    UP_TO_SIM_ID,
    Deployment,
    Person,
    join,
    make_deployment,
    with_campaign,
)

CAMPAIGN = "safe-connect-2026"
OLDER = "1|0ld7e4t0|1790000000"  # a yes to a version of the question that is no longer asked


async def _linked(deployment: Deployment, name: str, *, updates: bool = True) -> Person:
    """Someone who said yes to the ID question: linked to the decision."""
    return await join(
        Person(deployment, name, Channel.TELEGRAM),
        "en",
        updates=updates,
        answers=(*UP_TO_SIM_ID, "yes"),
    )


async def _consent(deployment: Deployment, person: Person, stored: str) -> None:
    """Their outcomes consent as an older Sauti (or an older text) left it."""
    key = deployment.schema.participant(person.pid)
    await deployment.redis.hset(key, f"u:{CAMPAIGN}", stored)


async def test_an_outdated_consent_is_not_told_and_is_counted_as_excluded(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await _linked(deployment, "amina")  # yes, to the current question
    baraka = await _linked(deployment, "baraka")
    await _consent(deployment, baraka, OLDER)
    chausiku = await _linked(deployment, "chausiku")
    await _consent(deployment, chausiku, "1")  # a yes from before versions
    dalia = await _linked(deployment, "dalia", updates=False)
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS

    preview = await deployment.preview(stored)
    assert preview.counts.linked == 4
    assert preview.counts.told == 2  # amina, chausiku
    assert dict(preview.counts.excluded) == {"no_consent": 1, "consent_outdated": 1}
    assert REASONS["consent_outdated"] == "consent outdated"  # as `decision preview` says it

    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(amina)) == 1
    assert len(deployment.notices(chausiku)) == 1
    assert deployment.notices(baraka) == deployment.notices(dalia) == []


def _nairobi_ms(day: int, hour: int, minute: int = 0) -> int:
    local = dt.datetime(2026, 11, day, hour, minute, tzinfo=zone("Africa/Nairobi"))
    return int(local.timestamp() * 1000)


async def test_a_notice_held_for_the_morning_is_dropped_if_its_consent_is_outdated_by_then(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client, timezone="Africa/Nairobi"))
    amina = await _linked(deployment, "amina")
    baraka = await _linked(deployment, "baraka")
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = _nairobi_ms(18, 23, 30)  # quiet hours: both held
    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()

    await _consent(deployment, baraka, OLDER)
    deployment.clock.now_ms = _nairobi_ms(19, 8)
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(amina)) == 1
    assert deployment.notices(baraka) == []
    rates = {"telegram": 30.0}
    progress = await publication_progress(deployment.redis, deployment.schema, stored, rates)
    assert progress.dropped == {"consent_outdated": 1}
