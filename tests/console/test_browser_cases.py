"""The grievance desk in a real browser: a caseworker signs in, opens the desk, steps a case
with a message, and the participant receives it; every page is accessible, light and readable
at a phone's width."""

from __future__ import annotations

from bot.access.roles import Role
from tests.bot.api import GRIEVANCE, ORG_A, World
from tests.console.browser import Browser
from tests.console.test_cases import participant_inbox


async def test_a_caseworker_answers_a_case_from_the_desk(world: World, browser: Browser) -> None:
    reference = world.cases[ORG_A]
    await browser.sign_in(world, Role.CASEWORKER, then="/console/cases")
    assert browser.page.url == browser.url("/console/cases")
    assert await browser.page.text_content("h1") == "Grievance desk"
    await browser.check("cases")

    await browser.page.click(f"text={reference}")
    assert await browser.page.text_content("h1") == f"Case {reference}"
    assert GRIEVANCE[ORG_A] in (await browser.page.text_content(".bubble") or "")
    await browser.check("case")

    await browser.page.select_option("#step-status", "resolved")
    await browser.page.select_option("#step-category", "billing")
    await browser.page.fill("#step-message", "We refunded the second charge.")
    await browser.page.click("text=Step the case and tell the participant")
    await browser.page.wait_for_load_state()
    notice = await browser.page.text_content(".notice") or ""
    assert "The participant will read it in their web chat." in notice
    assert "Only the participant can reopen it" in (await browser.page.content())
    await browser.check("case-resolved")
    told = (await participant_inbox(world))[-1]
    assert "We refunded the second charge." in told
    assert told.endswith("Are you satisfied with how this was handled?")

    await browser.page.click("nav >> text=Cases")
    await browser.page.click("text=Desk report: response times, reopen and satisfaction rates")
    assert await browser.page.text_content("h1") == "Grievance desk report"
    await browser.check("case-report")
