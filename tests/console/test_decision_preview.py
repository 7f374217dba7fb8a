"""The preview's words are what each channel shows: a notice too long for WhatsApp's buttons
is shown cut as WhatsApp shows it, with a warning; people told an earlier version and people
on a shared phone read their own variant, shown too."""

from __future__ import annotations

from bot.access.roles import Role
from tests.bot.api import World
from tests.bot.api.test_decisions import _linked
from tests.console import signed_in
from tests.console.test_decisions import CAMPAIGN, NEW, ONE, _composed, _form

API = f"/api/v1/campaigns/{CAMPAIGN}/decisions/sim-letters"
EVERY_LANGUAGE = ("en", "fr", "ar", "sw")


async def test_a_notice_too_long_for_whatsapp_is_shown_cut_with_a_warning(world: World) -> None:
    await _linked(world, {"en": 6})
    analyst = await signed_in(world, Role.ANALYST)
    long = {"message-en": "M" * 699 + "!", "rationale-en": "R" * 699 + "!"}
    fields = [(name, long.get(name, value)) for name, value in _form(EVERY_LANGUAGE)]
    assert (await analyst.post(NEW, fields)).status == 303

    preview = await world.get(f"{API}/preview")
    english = next(n for n in preview["notices"] if n["language"] == "en")
    french = next(n for n in preview["notices"] if n["language"] == "fr")

    assert english["whatsapp_open_window"] is not None
    assert len(english["whatsapp_open_window"]) <= 1024 < len(english["text"])
    assert french["whatsapp_open_window"] is None  # short: WhatsApp shows it whole
    page = await analyst.page(ONE)
    assert 'id="too-long-en"' in page
    assert 'id="too-long-fr"' not in page


async def test_the_update_and_shared_phone_notices_are_previewed(world: World) -> None:
    await _linked(world, {"en": 6})
    analyst = await signed_in(world, Role.ANALYST)
    await _composed(analyst, EVERY_LANGUAGE)
    first = await world.get(f"{API}/preview")
    assert {notice["update"] for notice in first["notices"]} == {None}
    assert all(notice["shared_phone"] for notice in first["notices"])

    admin = await signed_in(world, Role.ADMIN)
    assert (await admin.post(f"{ONE}/publish", {"confirm": "yes", "version": "1"})).status == 303
    edited = [
        (name, "Agents now accept a letter." if name == "message-en" else value)
        for name, value in _form(EVERY_LANGUAGE)
        if name != "decision_id"
    ]
    assert (await analyst.post(f"{ONE}/edit", edited)).status == 303

    english = next(
        n for n in (await world.get(f"{API}/preview"))["notices"] if n["language"] == "en"
    )
    assert english["update"] is not None
    assert english["update"] != english["text"]
    assert "Agents now accept a letter." in english["update"]
    page = await analyst.page(ONE)
    assert 'data-update="en"' in page
    assert 'data-shared="en"' in page
