"""The decision page shows the last count of who would be told at once, with when it was made
(the first view: at once too, saying it is counting);
after an answer or an edit it says the count is being made again (with a plain link to refresh,
no script needed) while one count runs; the publish confirmation, and publishing, use who would
be told now, never the kept count."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.access.roles import Role
from bot.loop.planner import LinkCounts
from tests.bot.api import World
from tests.bot.api.test_decisions import _join_and_say_yes, _linked
from tests.bot.loop import publish_all
from tests.console import signed_in
from tests.console.test_decisions import ONE, _composed, _form

EVERY_LANGUAGE = ("en", "fr", "ar", "sw")


async def _counted_again(world: World) -> None:
    await world.deployment.app.preview_cache().settled()


def _held_back(world: World) -> asyncio.Event:
    """Counts that wait for the event before counting: a long count, as at 100,000."""
    cache = world.deployment.app.preview_cache()
    count, go = cache._count, asyncio.Event()

    async def held(*args: Any) -> LinkCounts:
        await go.wait()
        return await count(*args)

    cache._count = held
    return go


async def test_the_page_shows_when_it_was_counted_and_that_a_new_answer_is_being_counted(
    world: World,
) -> None:
    await _linked(world, {"en": 6})
    analyst = await signed_in(world, Role.ANALYST)
    await _composed(analyst, EVERY_LANGUAGE)
    counted = _held_back(world)
    counting = await analyst.page(ONE)  # nothing counted yet: at once, saying so
    assert "Counting…" in counting
    assert 'id="updating"' in counting
    assert 'id="who"' in counting
    assert f'<a href="{ONE}">Refresh to see the counts</a>' in counting
    assert "Would be told now" not in counting
    assert "preview-counts.js" in counting
    french = await analyst.page(ONE, headers={"Accept-Language": "fr"})
    assert "Décompte en cours…" in french
    counted.set()
    await _counted_again(world)
    first = await analyst.page(ONE)
    assert "Counts as of" in first
    assert "Would be told now: 6." in first
    assert 'id="updating"' not in first

    await _join_and_say_yes(world, "en-late", "en")
    stale = await analyst.page(ONE)
    assert "Would be told now: 6." in stale  # the kept count, at once
    assert 'id="updating"' in stale
    assert f'<a href="{ONE}">Refresh to see the new counts</a>' in stale
    script = "/console/static/preview-counts.js"  # only enhances: fetches the page again
    assert f'src="{script}"' in stale
    assert (await analyst.get(script)).status == 200

    await _counted_again(world)
    fresh = await analyst.page(ONE)
    assert "Would be told now: 7." in fresh
    assert 'id="updating"' not in fresh
    assert "preview-counts.js" not in fresh
    french = await analyst.page(ONE, headers={"Accept-Language": "fr"})
    assert "Décompte du" in french


async def test_an_edit_shows_its_own_words_at_once_while_it_is_counted_again(
    world: World,
) -> None:
    await _linked(world, {"en": 6})
    analyst = await signed_in(world, Role.ANALYST)
    await _composed(analyst, EVERY_LANGUAGE)
    await analyst.page(ONE)
    await _counted_again(world)
    edited = [
        (name, "Agents now accept a letter." if name == "message-en" else value)
        for name, value in _form(EVERY_LANGUAGE)
        if name != "decision_id"
    ]
    assert (await analyst.post(f"{ONE}/edit", edited)).status == 303

    page = await analyst.page(ONE)
    assert 'id="updating"' in page
    assert "Agents now accept a letter." in page  # the words are always the new version's
    await _counted_again(world)
    assert 'id="updating"' not in await analyst.page(ONE)


async def test_the_confirmation_and_publishing_use_who_would_be_told_now(world: World) -> None:
    await _linked(world, {"en": 6})
    await _composed(await signed_in(world, Role.ANALYST), EVERY_LANGUAGE)
    admin = await signed_in(world, Role.ADMIN)
    await admin.page(ONE)
    await _counted_again(world)
    assert "Would be told now: 6." in await admin.page(ONE)  # kept
    await _join_and_say_yes(world, "en-late", "en")

    question = await admin.page(f"{ONE}/publish")
    assert "Publish to 7 people?" in question  # counted now, not the kept 6
    assert 'id="counted"' in question
    published = await admin.post(f"{ONE}/publish", {"confirm": "yes", "version": "1"})
    assert published.status == 303
    await publish_all(world.deployment.app.publisher())
    assert "7 handed to their channel of 7" in await admin.page(published.headers["Location"])
    await _counted_again(world)
