"""Retention and closing the loop: once a campaign's retention has passed, what each person was
told of its decisions, and how they reacted, goes from their ledger; the decision's reaction
figures stay, and someone still in another campaign keeps their record."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.conversation.campaign import DAY_MS, CampaignStatus
from bot.conversation.inbound import Channel, Join
from bot.records.reactions import reaction_totals
from bot.runtime.retention import erase_campaign
from tests.bot.loop import (
    NOON_MS,
    SIM_DECISION,
    UP_TO_SIM_ID,
    Person,
    join,
    make_deployment,
    with_campaign,
)
from tests.kit.example import CAMPAIGN, one_question_survey

LIVE = "live-2026"
LIVE_SURVEY = one_question_survey(LIVE)


async def test_what_they_were_told_and_their_reaction_go_the_figures_stay(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    await deployment.runtime.campaigns.load(LIVE_SURVEY, open_now=True)
    amina = await join(
        Person(deployment, "amina", Channel.TELEGRAM),
        "en",
        updates=True,
        answers=(*UP_TO_SIM_ID, "yes"),
    )
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS
    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()
    await deployment.deliver_all()
    await amina.press("react", f"helpful:{stored.ref}")
    await amina.send(Join(LIVE, "en", updates=False))
    await amina.say("the pump broke again")
    told_key = deployment.schema.told(amina.pid)
    told: Any = await deployment.redis.hgetall(told_key)
    assert {f"d:{stored.ref}", f"r:{stored.ref}", f"c:{CAMPAIGN}"} <= {k.decode() for k in told}
    before = await reaction_totals(deployment.redis, deployment.schema, stored.ref)
    assert before.helpful == 1

    campaigns = deployment.runtime.campaigns
    await campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    closed = NOON_MS - 400 * DAY_MS
    await deployment.redis.hset(deployment.schema.campaign(CAMPAIGN), "closed", str(closed))
    erased = await erase_campaign(deployment.redis, deployment.schema, campaigns, CAMPAIGN)

    assert erased is not None
    assert (erased.respondents, erased.participants) == (1, 0)  # kept for the live campaign
    told = await deployment.redis.hgetall(told_key)
    assert not {f"d:{stored.ref}", f"r:{stored.ref}", f"c:{CAMPAIGN}"} & {k.decode() for k in told}
    after = await reaction_totals(deployment.redis, deployment.schema, stored.ref)
    assert (after.helpful, after.concerns, after.more) == (1, 0, 0)
    record: Any = await deployment.redis.hgetall(deployment.schema.participant(amina.pid))
    assert record[b"wk"]
    assert record[f"c:{LIVE}".encode()] == b"1"
