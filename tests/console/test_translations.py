"""The console's campaign page shows each language's translation and review; opening a
campaign with machine-drafted languages is refused, or — box ticked, then confirmed — done and
marked on the page and the list."""

from __future__ import annotations

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ORG_A, World
from tests.console import signed_in
from tests.kit.example import example_text_count

PATH = f"/console/campaigns/{CAMPAIGNS[ORG_A]}"

TEXTS = example_text_count()


async def test_the_campaign_page_shows_each_languages_translation(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    page = await viewer.page(PATH)
    assert '<caption id="translations">Translations</caption>' in page
    row = (
        '<tr><th scope="row">{}</th><td class="num">'
        + f"{TEXTS} of {TEXTS}"
        + "</td><td>{}</td></tr>"
    )
    assert row.format("Swahili", "Machine-drafted") in page
    assert row.format("English", "Source language") in page
    french = await viewer.page(PATH, headers={"Accept-Language": "fr"})
    assert "Traduction automatique" in french


async def test_opening_is_refused_then_confirmed_and_marked(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    assert (await admin.post(f"{PATH}/close", {})).status == 303

    refused = await admin.post(f"{PATH}/open", {})
    assert refused.status == 409
    page = await refused.text()
    assert "The campaign stays closed" in page
    assert f"<li>Arabic: {TEXTS} of {TEXTS} translated, Machine-drafted</li>" in page
    assert 'name="accept_machine_drafted"' in page

    asked = await admin.post(f"{PATH}/open", {"accept_machine_drafted": "yes"})
    assert asked.status == 200
    question = await asked.text()
    assert "Open with machine-drafted text?" in question
    assert "People choosing French, Arabic, Swahili will read text" in question
    assert (await admin.page(PATH)).count("Close the campaign") == 0  # not opened yet

    opened = await admin.post(f"{PATH}/open", {"accept_machine_drafted": "confirmed"})
    assert opened.status == 303
    after = await admin.page(opened.headers["Location"])
    assert "The campaign is open" in after
    assert "Machine-drafted text shown: fr, ar, sw" in after
    assert "by staff:admin@default.example" in after
    listed = await admin.page("/console/campaigns")
    assert "Machine-drafted text: fr, ar, sw" in listed
