"""The triage page in a real browser: an analyst flags a free-text answer as a safety concern,
and another member of the organisation — a viewer — sees the alert's banner on every page,
without a way to the answer, and is refused the triage page."""

from __future__ import annotations

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ORG_A, STORY, World, answer
from tests.console.browser import Browser

CAMPAIGN = CAMPAIGNS[ORG_A]
PAGE = f"/console/campaigns/{CAMPAIGN}/triage"


async def test_a_safety_flag_raises_a_banner_another_member_sees(
    world: World, browser: Browser
) -> None:
    deployment = world.deployment
    deployment.clock.now += 3600
    later = deployment.participant("tok-later")
    await answer(deployment, later, CAMPAIGN, "A man followed me home from the agent's shop")
    await browser.sign_in(world, Role.ANALYST, then=PAGE)
    assert browser.page.url == browser.url(PAGE)
    assert await browser.page.text_content("h1") == "Free-text triage"
    story = browser.page.locator("ol.triage > li", has_text=STORY[ORG_A])
    await story.get_by_text("Themes and decision").click()
    await story.get_by_label("Add themes").fill("checkpoints, phones")
    await story.get_by_role("button", name="Add", exact=True).click()
    await browser.page.wait_for_load_state()
    assert "Themes: checkpoints, phones" in (await story.text_content() or "")
    await story.get_by_text("Themes and decision").click()
    await browser.check("triage")
    await story.get_by_role("button", name="Flag a safety concern").click()
    await browser.page.wait_for_load_state()
    assert "the organisation sees an alert" in (await browser.page.text_content(".notice") or "")
    banner = browser.page.locator(".banner.urgent")
    assert "1 safety alert is open in" in (await banner.text_content() or "")
    assert await story.get_by_text("Alert open").count() == 1
    await browser.check("triage-flagged")
    await browser.page.get_by_role("button", name="Sign out").click()
    await browser.page.wait_for_load_state()

    await browser.sign_in(world, Role.VIEWER)
    assert browser.page.url == browser.url("/console/campaigns")
    banner = browser.page.locator(".banner.urgent")
    assert "1 safety alert is open in" in (await banner.text_content() or "")
    assert await banner.get_by_role("link").count() == 0  # no way in for a viewer
    await browser.check("triage-banner-viewer")
    assert await browser.goto(PAGE) == 403
    assert await browser.page.text_content("h1") == "Not allowed"
    assert STORY[ORG_A] not in await browser.page.content()
