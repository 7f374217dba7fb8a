"""The console in a real browser: signing in with the second factor lands on the page asked
for, and the frame is accessible, light and readable at a phone's width."""

from __future__ import annotations

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ORG_A, World
from tests.console.browser import Browser


async def test_an_analyst_signs_in_with_a_code_and_reaches_the_campaign(
    world: World, browser: Browser
) -> None:
    campaign = f"/console/campaigns/{CAMPAIGNS[ORG_A]}"
    await browser.goto(campaign)  # signed out: sent to sign in, then brought back
    assert "/staff/sign-in?next=" in browser.page.url
    await browser.sign_in(world, Role.ANALYST, then=campaign)
    assert browser.page.url == browser.url(campaign)
    assert await browser.page.text_content("h1") == "Your phone and your safety"
    await browser.check("campaign")
    await browser.goto("/console/campaigns")
    await browser.check("campaigns")
    await browser.page.select_option("#language-choice", "fr")
    await browser.page.click(".language button")
    assert await browser.page.text_content("h1") == "Campagnes"
    assert await browser.page.get_attribute("html", "lang") == "fr"
    await browser.check("campaigns-fr")
