"""The results page in a real browser: a viewer reads it, one participant answers through the
deployment and nothing moves (the page says how many more it waits for), then enough others do
and the new counts appear without a reload; small counts read "fewer than 5"; the
page is accessible and readable at a phone's width and a laptop's. And a broken survey file
uploaded from the browser, each mistake listed at its line."""

from __future__ import annotations

from pathlib import Path

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ORG_A, World, answer
from tests.console.browser import ARTIFACTS, Browser

RESULTS = f"/console/campaigns/{CAMPAIGNS[ORG_A]}/results"
BROKEN = Path(__file__).resolve().parents[1] / "dialogues" / "broken" / "several_mistakes.yaml"


async def test_a_new_answer_appears_without_a_reload(world: World, browser: Browser) -> None:
    await browser.sign_in(world, Role.VIEWER, then=RESULTS)
    page = browser.page
    assert page.url == browser.url(RESULTS)
    # Four people answered (tests.bot.api): fewer than the minimum of 5.
    assert (await page.text_content("#started") or "").strip() == "fewer than 5"
    await browser.check("results")

    deployment = world.deployment  # a fifth person answers the first question, on the web chat
    await answer(deployment, deployment.participant("tok-fifth-0005"), CAMPAIGNS[ORG_A], "")
    # One answer moves nothing a reader could compare (results snapshots): the page, loaded
    # again, shows the same figures and says how many more people it waits for.
    await browser.goto(RESULTS)
    assert (await page.text_content("#started") or "").strip() == "fewer than 5"
    pending = (await page.text_content("#live-pending") or "").strip()
    assert pending.startswith("Updated when at least 4 more people have answered.")
    await page.evaluate("window.sautiNotReloaded = true")

    for n in range(6, 10):  # four more: the minimum is reached, a snapshot is taken
        user = f"tok-more-000{n}"
        await answer(deployment, deployment.participant(user), CAMPAIGNS[ORG_A], "")

    await page.wait_for_function(
        "document.getElementById('started').textContent.trim() === '9'", timeout=20_000
    )
    assert await page.evaluate("window.sautiNotReloaded === true")  # the same page, updated
    assert (await page.text_content("#live-pending") or "").strip() == ""
    sms = page.locator("#q-uses").locator("xpath=..").locator("tr", has_text="Text messages")
    assert (await sms.locator("td").text_content() or "").strip() == "9"
    # Who said yes to `unsafe` (one person) stays withheld, and so does who stopped there.
    unsafe = page.locator("#q-unsafe").locator("xpath=..")
    assert "fewer than 5" in (await unsafe.locator("table").text_content() or "")
    note = (await page.text_content("#live-note") or "").strip()
    assert note == "New answers came in: the figures are up to date."
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "results-updated-1280.png"), full_page=True)
    # Checked once more as loaded afresh (the first check left axe-core in this page's DOM).
    await browser.goto(RESULTS)
    assert (await page.text_content("#started") or "").strip() == "9"
    await browser.check("results-nine")

    await page.select_option("#by", "language")
    await page.click(".breakdown button")
    await page.wait_for_load_state()
    assert "by=language" in page.url
    assert "Counts, by Language" in (await page.text_content("#q-uses ~ div caption") or "")
    await browser.check("results-by-language")


async def test_an_admin_uploads_a_broken_survey_and_reads_each_mistake_at_its_line(
    world: World, browser: Browser
) -> None:
    await browser.sign_in(world, Role.ADMIN, then="/console/campaigns/new")
    page = browser.page
    await page.set_input_files("#survey-file", str(BROKEN))
    await page.click("form.upload button[type=submit]")
    await page.wait_for_load_state()
    assert "the file has 7 mistakes" in (await page.text_content("#upload-problems") or "")
    rows = page.locator("#upload-problems tbody tr")
    assert await rows.count() == 7
    assert (await rows.nth(1).locator("td").first.text_content() or "").strip() == "7"
    await browser.check("campaign-new-mistakes")
    await browser.goto(f"/console/campaigns/{CAMPAIGNS[ORG_A]}")
    await browser.check("campaign-admin")
