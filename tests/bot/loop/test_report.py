"""Promises kept visible: the loop report of a campaign, and the overdue gauges on /metrics."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import App
from bot.conversation.inbound import Channel
from bot.loop.report import campaign_report, median
from tests.bot.loop import (
    NOON_MS,
    SIM_DECISION,
    UP_TO_SIM_ID,
    Person,
    join,
    make_deployment,
    with_campaign,
)
from tests.kit.example import example_survey

DAY_MS = 24 * 3600 * 1000


def test_the_median_of_a_histogram() -> None:
    assert median(Counter()) is None
    assert median(Counter({3: 1})) == 3
    assert median(Counter({1: 2, 10: 1})) == 1
    assert median(Counter({1: 1, 4: 1})) == 2.5
    assert median(Counter({0: 5, 2: 5})) == 1


async def test_the_report_counts_who_was_told_how_soon_and_what_they_said(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    told = [
        await join(Person(deployment, name), "en", updates=True, answers=(*UP_TO_SIM_ID, "yes"))
        for name in ("amina", "baraka", "claire")
    ]
    await join(Person(deployment, "dalia"), "en", updates=False, answers=(*UP_TO_SIM_ID, "yes"))
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS + 9 * DAY_MS  # nine days after they answered
    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()
    await deployment.deliver_all()
    [notice] = deployment.notices(told[0])
    await told[0].press("react", next(i["arg"] for i in notice["menu"] if "helpful" in i["arg"]))

    campaign = await deployment.runtime.campaigns.get(stored.campaign_id)
    assert campaign is not None
    report = await campaign_report(
        deployment.redis, deployment.schema, deployment.ledger, campaign, dt.date(2026, 12, 1)
    )
    assert (report.contributors, report.told, report.told_share) == (4, 3, 0.75)
    assert report.median_days == 9
    # Over three people: shown only where the minimum is three or fewer.
    assert (report.median_of, report.median_shown(3), report.median_shown(5)) == (3, 9, None)
    assert (report.owing_rationale, report.with_rationale) == (1, 1)
    assert report.reactions["helpful"] == 1
    assert not report.promise.overdue
    late = await campaign_report(
        deployment.redis, deployment.schema, deployment.ledger, campaign, dt.date(2027, 4, 1)
    )
    assert not late.promise.overdue  # past the date, but a decision is published


async def test_metrics_flag_overdue_promises_and_cases(
    app: App, web_client: TestClient[web.Request, web.Application]
) -> None:
    late = (
        example_survey()
        .replace("id: safe-connect-2026", "id: late-2020")
        .replace("report_back_by: 2027-03-31", "report_back_by: 2020-06-30")
    )
    await app.campaigns.load(late, open_now=True)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, "an-old-case")
    await app.redis.hset(
        f"{app.schema.tag(app.schema.shard_of(pid))}:case:F-OLD001",
        mapping={"pid": pid, "cid": "late-2020", "status": "received", "t": 1_600_000_000_000},
    )
    await app.redis.zadd(f"{app.schema.tag(app.schema.shard_of(pid))}:cases", {"F-OLD001": 1})
    response = await web_client.get("/metrics")
    text = await response.text()
    assert "sauti_loop_overdue_campaigns 1.0" in text
    assert "sauti_grievances_overdue 1.0" in text
    assert "sauti_grievances_open 1.0" in text
    assert "sauti_safety_alerts_open 0.0" in text
