"""The web chat in a real browser (Chromium through Playwright, as the console's browser tests
run it), in Pashto: the page is laid out right to left, so a participant reading Pashto meets
the question at the right edge, and the page stays accessible at a phone's width. Screenshots
go to test-artifacts/console/webchat-ps-*.png."""

from __future__ import annotations

from bot.app import App
from tests.bot.channels.test_webchat_languages import CAMPAIGN, SURVEY
from tests.console.browser import chromium_or_skip, launched
from tests.kit.webchat import Client


async def test_a_pashto_chat_reads_right_to_left_in_a_browser(web_client: Client, app: App) -> None:
    executable = chromium_or_skip()
    await app.campaigns.load(SURVEY, open_now=True)
    async with launched(executable, str(web_client.make_url("/"))) as browser:
        await browser.goto(f"/j/{CAMPAIGN}")
        await browser.page.check("input[name=lang][value=ps]")
        await browser.page.click("button[type=submit]")
        await browser.page.wait_for_selector("text=اوبه له کومه ځایه اخلئ؟")
        page = browser.page
        assert await page.get_attribute("html", "dir") == "rtl"
        assert await page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        await page.set_viewport_size({"width": 360, "height": 780})
        # Where the question's words sit in their bubble: right to left, they begin at its
        # right edge and leave the room on the left (left to right would be the other way).
        box, words = await page.locator("div.m", has_text="اوبه له کومه ځایه اخلئ؟").evaluate(
            """bubble => {
                const range = document.createRange();
                range.selectNodeContents(bubble);
                const b = bubble.getBoundingClientRect(), w = range.getBoundingClientRect();
                return [[b.left, b.right], [w.left, w.right]];
            }"""
        )
        assert box[1] - words[1] < 20  # at the right edge (within the bubble's padding)
        assert words[0] - box[0] > 100  # a short question: much room left on the left
        await browser.check("webchat-ps")
