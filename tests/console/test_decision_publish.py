"""Publishing from the console sends the version its confirmation showed, or nothing; a
refusal shows the confirmation again with the reason; a version published already says so."""

from __future__ import annotations

from bot.access.roles import Role
from tests.bot.api import World
from tests.bot.api.test_decisions import _linked
from tests.console import signed_in
from tests.console.test_decisions import CAMPAIGN, ONE, _composed, _form

API = f"/api/v1/campaigns/{CAMPAIGN}/decisions/sim-letters"
EVERY_LANGUAGE = ("en", "fr", "ar", "sw")


async def test_an_edit_saved_after_the_confirmation_is_not_sent_unseen(world: World) -> None:
    await _linked(world, {"en": 6})
    analyst = await signed_in(world, Role.ANALYST)
    await _composed(analyst, EVERY_LANGUAGE)
    admin = await signed_in(world, Role.ADMIN)
    question = await admin.page(f"{ONE}/publish")
    assert 'name="version" value="1"' in question
    edited = [
        (name, "UNREVIEWED TEXT" if name == "message-en" else value)
        for name, value in _form(EVERY_LANGUAGE)
        if name != "decision_id"
    ]
    assert (await analyst.post(f"{ONE}/edit", edited)).status == 303

    refused = await admin.post(f"{ONE}/publish", {"confirm": "yes", "version": "1"})

    assert refused.status == 400
    page = await refused.text()
    assert "This decision changed since this page was opened" in page
    assert 'name="version" value="2"' in page  # asked again, about what would be sent now
    assert (await world.get(API))["published_version"] == 0
    again = await admin.post(f"{ONE}/publish", {"confirm": "yes", "version": "2"})
    assert again.status == 303
    assert (await world.get(API))["published_version"] == 2


async def test_a_confirmation_without_its_version_sends_nothing(world: World) -> None:
    await _linked(world, {"en": 6})
    await _composed(await signed_in(world, Role.ANALYST), EVERY_LANGUAGE)
    admin = await signed_in(world, Role.ADMIN)
    for version in ("", "two", "0"):
        refused = await admin.post(f"{ONE}/publish", {"confirm": "yes", "version": version})
        assert refused.status == 400
    assert (await world.get(API))["published_version"] == 0


async def test_a_refused_publish_shows_the_confirmation_again_with_why(world: World) -> None:
    await _linked(world, {"en": 6, "fr": 2})
    await _composed(await signed_in(world, Role.ANALYST), ("en",))
    admin = await signed_in(world, Role.ADMIN)

    refused = await admin.post(f"{ONE}/publish", {"confirm": "yes", "version": "1"})

    assert refused.status == 400
    page = await refused.text()
    assert "read a language this decision lacks: nothing was sent" in page
    assert 'id="allow_missing_translations"' in page
    assert (await world.get(API))["published_version"] == 0


async def test_a_version_published_already_says_so(world: World) -> None:
    await _linked(world, {"en": 6})
    await _composed(await signed_in(world, Role.ANALYST), EVERY_LANGUAGE)
    admin = await signed_in(world, Role.ADMIN)
    first = await admin.post(f"{ONE}/publish", {"confirm": "yes", "version": "1"})
    assert first.status == 303

    question = await admin.page(f"{ONE}/publish")
    assert "Version 1 is published already" in question
    assert "Publish to" not in question
    again = await admin.post(f"{ONE}/publish", {"confirm": "yes", "version": "1"})
    assert again.status == 303
    assert "This version was published already" in await admin.page(again.headers["Location"])


async def test_the_french_confirmation_says_the_version_will_be_sent(world: World) -> None:
    await _linked(world, {"en": 6})
    await _composed(await signed_in(world, Role.ANALYST), EVERY_LANGUAGE)
    admin = await signed_in(world, Role.ADMIN)

    french = await admin.page(f"{ONE}/publish", headers={"Accept-Language": "fr"})

    assert "La version 1 sera envoyée" in french
