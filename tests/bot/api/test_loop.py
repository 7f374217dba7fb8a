"""A campaign's decisions and loop report through the API: counts only, nobody named."""

from __future__ import annotations

import time

import pytest
from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.conversation.campaign import DAY_MS
from bot.records.campaigns import CampaignStore
from bot.runtime.retention_job import erase_due
from tests.bot.api import CAMPAIGNS, ONLY_A, ORG_A, ORG_B, World
from tests.bot.api.test_decisions import DECISIONS, ONE, YAML, _join_and_say_yes, _linked
from tests.bot.loop import SIM_DECISION, publish_all
from tests.kit.example import one_question_survey


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


async def test_the_organisations_loop_report_adds_up_its_campaigns_and_flags_late_promises(
    world: World,
) -> None:
    app = world.deployment.app
    late = one_question_survey("water-2025").replace(
        "questions:", "report_back_by: 2025-01-31\nquestions:"
    )
    await app.campaigns.load(late, org=ORG_A, open_now=True)
    await _linked(world, {"en": 6})
    await _join_and_say_yes(world, "silent", "en", updates="no")
    assert (await _publish_sim(world)).status == 200
    await publish_all(app.publisher())
    viewer = world.token(ORG_A, Role.VIEWER)

    report = await world.get("/api/v1/loop/report", viewer)

    campaign = CAMPAIGNS[ORG_A]
    assert [c["campaign_id"] for c in report["campaigns"]] == [campaign, "water-2025"]
    assert report["campaign_id"] is None
    # Six told of eleven who answered (four in the world before, one who did not ask to hear
    # back): told and not told are both shown, neither being small.
    assert (report["contributors"], report["told"]) == (11, 6)
    assert report["told_share"] == pytest.approx(6 / 11)
    assert report["median_days_to_notice"] is not None  # over six notices: shown
    assert (report["published_decisions"], report["owing_rationale"]) == (1, 1)
    assert (report["with_rationale"], report["rationale_share"]) == (1, 1.0)
    assert report["promises"] == [
        {
            "campaign_id": campaign,
            "report_back_by": "2027-03-31",
            "published_decisions": 1,
            "overdue": False,
        },
        {
            "campaign_id": "water-2025",
            "report_back_by": "2025-01-31",
            "published_decisions": 0,
            "overdue": True,
        },
    ]
    assert report["overdue"] is True
    [ours, water] = report["campaigns"]
    assert (ours["told"], ours["overdue"], water["overdue"]) == (6, False, True)
    assert (water["contributors"], water["told_share"]) == (0, None)  # nobody answered it
    one = await world.get(f"/api/v1/loop/report?campaign={campaign}", viewer)
    assert (one["contributors"], one["told"]) == (11, 6)
    assert one["median_days_to_notice"] == report["median_days_to_notice"]
    assert (one["campaigns"], one["campaign_id"]) == ([], campaign)


async def test_another_organisations_campaign_is_not_in_the_report_nor_found(
    world: World,
) -> None:
    theirs = world.token(ORG_B, Role.ADMIN)
    report = await world.get("/api/v1/loop/report", theirs)
    assert [c["campaign_id"] for c in report["campaigns"]] == [CAMPAIGNS[ORG_B]]
    path = f"/api/v1/loop/report?campaign={CAMPAIGNS[ORG_A]}"
    refused = await world.call("GET", path, token=theirs)
    missing = await world.call("GET", "/api/v1/loop/report?campaign=nothing-here", token=theirs)
    assert (refused.status, missing.status) == (404, 404)
    assert await refused.json() == await missing.json()


async def _publish_sim(world: World) -> ClientResponse:
    admin = world.token(ORG_A, Role.ADMIN)
    await world.call("POST", DECISIONS, token=admin, data=SIM_DECISION, headers=YAML)
    return await world.call("POST", f"{ONE}/publish", token=admin, json={})
