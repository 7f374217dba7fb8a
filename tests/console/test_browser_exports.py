"""The exports page in a real browser: an analyst downloads every response as a workbook and
the aggregate results, both files open in a spreadsheet reader; a viewer sees only the
aggregate export. Accessible, light, and photographed at 360 and 1280 px."""

from __future__ import annotations

import csv
import io

import openpyxl

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ORG_A, World
from tests.console.browser import Browser
from tests.kit.sheets import about, records

PAGE = f"/console/campaigns/{CAMPAIGNS[ORG_A]}/exports"


async def test_an_analyst_downloads_the_workbook_and_a_viewer_sees_only_aggregates(
    world: World, browser: Browser
) -> None:
    page = browser.page
    await browser.sign_in(world, Role.ANALYST, then=PAGE)
    assert page.url == browser.url(PAGE)
    assert await page.text_content("h1") == "Exports"
    await browser.check("exports-analyst")

    await page.check("#responses-xlsx")
    await page.select_option("#responses-language", "fr")
    async with page.expect_download() as started:
        await page.click("text=Download every response")
    download = await started.value
    assert download.suggested_filename == f"{CAMPAIGNS[ORG_A]}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO((await download.path()).read_bytes()))
    rows = records(book["Responses"])
    assert {row["uses_label"] for row in rows} == {"SMS"}  # in French
    told = about(book["About"])
    assert (told["Exported by"], told["Respondents"]) == ("analyst", len(rows))
    assert "personal data" in told["Personal data"]

    await page.check("#results-csv")
    await page.select_option("#results-by", "language")
    async with page.expect_download() as started:
        await page.click("text=Download the results")
    download = await started.value
    raw = (await download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {line["group"] for line in lines} >= {"(all)", "en", "sw", "(total)"}
    assert {line["count"] for line in lines} == {"<5", "0"}  # four respondents: all withheld

    await page.click(".tools button.secondary")  # sign out
    await browser.sign_in(world, Role.VIEWER, then=PAGE)
    assert page.url == browser.url(PAGE)
    assert await page.locator("#personal-heading").count() == 0
    assert await page.locator(f"form[action='{PAGE}/responses']").count() == 0
    await browser.check("exports-viewer")
    await page.select_option("#results-by", "unsafe")
    async with page.expect_download() as started:
        await page.click("text=Download the results")
    saved = await (await started.value).path()
    book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
    assert about(book["About"])["Exported by"] == "viewer"
