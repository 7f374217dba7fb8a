"""A campaign's decisions and loop report through the API: counts only, nobody named."""

from __future__ import annotations

from bot.access.roles import Role
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
