"""An XLSForm uploaded as a campaign, on the console and over the JSON API: stored when it
converts, and refused with every mistake at its sheet, row and column when it does not."""

from __future__ import annotations

from bot.access.roles import Role
from bot.records.sheets import XLSX_MEDIA_TYPE
from tests.bot.api import World
from tests.console import signed_in
from tests.console.test_results import text_of, upload
from tests.kit.xlsforms import BROKEN_FORM, WATER_FORM, workbook_bytes


async def test_an_admin_uploads_a_kobo_form_as_a_new_campaign(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    made = await upload(admin, "/console/campaigns/new", workbook_bytes(WATER_FORM))
    assert made.status == 303, text_of(await made.text())
    assert made.headers["Location"] == "/console/campaigns/water_points?done=loaded"
    page = text_of(await admin.page(made.headers["Location"]))
    assert "Water point survey" in page

    # Its page takes a new version of the same form, and refuses another campaign's.
    again = await upload(
        admin, "/console/campaigns/water_points/upload", workbook_bytes(WATER_FORM)
    )
    assert again.status == 303


async def test_a_broken_form_shows_every_mistake_at_its_sheet_row_and_column(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    refused = await upload(admin, "/console/campaigns/new", workbook_bytes(BROKEN_FORM))
    assert refused.status == 422
    words = text_of(await refused.text())
    assert "Nothing was changed: the file has 13 mistakes." in words
    assert "sheet 'survey', row 2, column 'type' a 'geopoint' question cannot be asked" in words
    assert "sheet 'survey', row 7, column 'relevant' refers to 'later'" in words


async def test_the_api_takes_an_xlsform_and_locates_its_mistakes(world: World) -> None:
    token = world.token()
    stored = await world.call(
        "POST",
        "/api/v1/campaigns",
        token=token,
        data=workbook_bytes(WATER_FORM),
        headers={"Content-Type": XLSX_MEDIA_TYPE},
    )
    assert stored.status == 200, await stored.text()
    assert (await stored.json())["id"] == "water_points"

    refused = await world.call(
        "POST",
        "/api/v1/campaigns",
        token=token,
        data=workbook_bytes(BROKEN_FORM),
        headers={"Content-Type": XLSX_MEDIA_TYPE},
    )
    assert refused.status == 422
    problem = await refused.json()
    assert problem["detail"] == "13 problems in the XLSForm"
    where = [item["location"] for item in problem["errors"]]
    assert "sheet 'survey', row 8, column 'type'" in where
    assert "sheet 'settings', column 'promise::English (en)'" in where

    garbage = await world.call(
        "POST",
        "/api/v1/campaigns",
        token=token,
        data=b"PK\x03\x04 not a workbook",
        headers={"Content-Type": XLSX_MEDIA_TYPE},
    )
    assert garbage.status == 422
    assert "not a readable XLSForm workbook" in (await garbage.json())["errors"][0]["message"]
