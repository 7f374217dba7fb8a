"""A campaign's decisions and loop report through the API: counts only, nobody named."""

from __future__ import annotations

import time

from bot.access.roles import Role
from bot.conversation.campaign import DAY_MS
from bot.records.campaigns import CampaignStore
from bot.runtime.retention_job import erase_due
from tests.bot.api import CAMPAIGNS, ONLY_A, ORG_A, World
from tests.bot.loop import SIM_DECISION


async def test_a_viewer_reads_the_decisions_and_the_loop_report(world: World) -> None:
    app = world.deployment.app
    await app.ledger().load(SIM_DECISION, world.deployment.received_ms)
    viewer = world.token(ORG_A, Role.VIEWER)
    campaign = CAMPAIGNS[ORG_A]

    decisions = await world.get(f"/api/v1/decisions?campaign={campaign}", viewer)
    [decision] = decisions["items"]
    assert (decision["id"], decision["status"], decision["version"]) == (
        "sim-without-id",
        "not_adopted",
        1,
    )
    assert decision["published_version"] == 0
    assert decisions["next_cursor"] is None

    report = await world.get(f"/api/v1/loop/report?campaign={campaign}", viewer)
    # Four contributors: fewer than the minimum of 5, so they and the share told are withheld.
    assert 1 + len(ONLY_A) < 5
    assert (report["contributors"], report["told"], report["told_share"]) == (None, None, None)
    assert report["published_decisions"] == 0
    assert report["reactions"] == {
        "helpful": 0,
        "still_concerned": 0,
        "asked_for_more": 0,
        "concerns_written": 0,
    }


async def test_a_case_past_its_campaigns_retention_names_no_one(world: World) -> None:
    app = world.deployment.app
    admin = world.token(ORG_A, Role.ADMIN)
    campaign = CAMPAIGNS[ORG_A]
    case = world.cases[ORG_A]
    before = await world.get(f"/api/v1/cases/{case}", admin)
    assert before["participant"]
    assert before["text"]
    assert not before["removed_after_retention"]
    assert (
        await world.call("POST", f"/api/v1/campaigns/{campaign}/close", token=admin)
    ).status == 200
    closed = int(time.time() * 1000) - 400 * DAY_MS
    await app.redis.hset(app.schema.campaign(campaign), "closed", str(closed))
    # Read afresh (the API's store keeps what it read a moment ago), as the job's process does.
    campaigns = CampaignStore(app.redis, app.schema, cache_seconds=0)
    await erase_due(app.redis, app.schema, campaigns, app.audit_log())

    after = await world.get(f"/api/v1/cases/{case}", admin)

    assert (after["participant"], after["text"], after["channel"], after["language"]) == (
        None, None, "", "",
    )  # fmt: skip
    assert after["removed_after_retention"] is True
    assert (after["reference"], after["status"]) == (before["reference"], before["status"])
