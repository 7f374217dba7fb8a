"""Closing the loop in a real browser: an admin composes a decision in two of the campaign's
four languages, the completeness check flags the others with links to their fields, the
admin completes it, previews the exact words, publishes after the confirmation step, and the
participant finds those very words in their web chat."""

from __future__ import annotations

from typing import Any

from bot.access.roles import Role
from bot.conversation.inbox import open_notice
from tests.bot.api import CAMPAIGNS, ORG_A, World
from tests.bot.api.test_decisions import _linked
from tests.bot.loop import SIM_COMPOSED, publish_all
from tests.console import signed_in
from tests.console.browser import Browser
from tests.console.test_decisions import NEW, ONE, _form

LIST = f"/console/campaigns/{CAMPAIGNS[ORG_A]}/decisions"


async def _fill(browser: Browser, *languages: str) -> None:
    for language in languages:
        for key in ("title", "message", "rationale"):
            await browser.page.fill(f"#{key}-{language}", SIM_COMPOSED[key][language])


async def _inbox(world: World, pid: str) -> list[str]:
    """What the participant's web chat shows them, in order: their inbox, opened with their
    key (the survey's questions and replies, then the notice)."""
    app = world.deployment.app
    wrapped = await app.redis.hget(app.schema.participant(pid), "wk")
    assert isinstance(wrapped, bytes)
    data_key = app.crypto.unwrap_data_key(wrapped)
    items: Any = await app.redis.lrange(app.schema.webchat_inbox(pid), 0, -1)
    return [n.text for item in items if (n := open_notice(item, pid, data_key))]


async def test_an_admin_composes_checks_previews_and_publishes_a_decision(
    world: World, browser: Browser
) -> None:
    [*_, amina] = await _linked(world, {"en": 6})
    await browser.sign_in(world, Role.ADMIN, then=LIST)
    await browser.check("decisions-empty")
    await browser.page.click("text=Compose a decision")
    await browser.page.fill("#decision_id", "sim-letters")
    await browser.page.select_option("#status", "not_adopted")
    await _fill(browser, "en", "fr")
    await browser.page.check("#option-sim_id-yes")
    await browser.check("decision-form")
    await browser.page.click("button:text('Save')")

    flagged = await browser.page.locator("#incomplete a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert flagged == [
        "#title-ar",
        "#message-ar",
        "#rationale-ar",
        "#title-sw",
        "#message-sw",
        "#rationale-sw",
    ]
    await browser.check("decision-incomplete")
    await browser.page.click("#incomplete a[href='#message-sw']")
    assert await browser.page.evaluate("document.activeElement.id") == "message-sw"
    await _fill(browser, "ar", "sw")
    await browser.page.click("button:text('Save')")
    assert await browser.page.is_visible("#complete")

    await browser.page.click("text=Preview")
    shown = await browser.page.text_content("[data-notice='en']")
    assert shown is not None
    assert shown.startswith("You told us “Yes”")
    await browser.check("decision-preview")
    await browser.page.click("text=Publish…")
    question = await browser.page.text_content(".confirm-question")
    assert question == "Publish to 6 people? This sends messages and cannot be undone."
    await browser.check("decision-publish")
    await browser.page.check("#confirm")
    await browser.page.click("button:text('Publish')")
    assert "Publishing has started" in (await browser.page.text_content(".notice") or "")

    await publish_all(world.deployment.app.publisher())
    notices = await _inbox(world, amina)
    assert notices[-1] == shown  # the last thing their web chat shows: the very words previewed
    assert notices.count(shown) == 1
    await browser.page.reload()
    await browser.check("decision-published")
    await browser.goto("/console/loop")
    await browser.check("loop")


LONG_LINK = (
    "https://www.example-telecom.com/registration/requirements/village-chief-letter-template.pdf"
)


async def test_a_long_link_in_a_notice_stays_inside_a_narrow_page(
    world: World, browser: Browser
) -> None:
    await _linked(world, {"en": 6})
    analyst = await signed_in(world, Role.ANALYST)
    fields = [
        (name, f"Read the rules: {LONG_LINK}" if name == "message-en" else value)
        for name, value in _form(("en", "fr", "ar", "sw"))
    ]
    assert (await analyst.post(NEW, fields)).status == 303
    await browser.sign_in(world, Role.ANALYST, then=ONE)
    await browser.page.set_viewport_size({"width": 360, "height": 800})
    await browser.goto(ONE)

    width = await browser.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
