"""Suggested themes on the triage page: beside an answer, the theme its words are about with
the model's confidence, and Accept / Dismiss forms that work without JavaScript; accepting adds
the theme, dismissing keeps it from coming back; below the minimum of tagged answers the page
says why nothing is suggested; in French as in English; a viewer cannot post the form."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.access.roles import Role
from tests.bot.api import CAMPAIGNS, ORG_A, World, api_world
from tests.bot.api.test_theme_suggestions import NEW_WATER, teach
from tests.console import signed_in

CAMPAIGN = CAMPAIGNS[ORG_A]
PAGE = f"/console/campaigns/{CAMPAIGN}/triage"


@pytest.fixture
async def world(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """Teaching takes more API calls of one token than a burst of the rate allows."""
    async with api_world(
        redis_url, tmp_path, monkeypatch, SAUTI_API_RATE="100000", SAUTI_API_BURST="10000"
    ) as value:
        yield value


def _answer_block(page: str, text: str) -> str:
    """The part of the page about the answer whose words are `text`."""
    start = page.index(text)
    return page[start : page.index("</li>", start)]


async def test_a_suggestion_is_shown_beside_the_answer_and_accepting_adds_it(
    world: World,
) -> None:
    new = await teach(world)
    analyst = await signed_in(world, Role.ANALYST)
    page = html.unescape(await analyst.page(PAGE))
    block = _answer_block(page, NEW_WATER)
    assert "Suggested themes:" in block
    assert '<span class="badge">water</span>' in block
    assert re.search(r"confidence \d{2,3} %", block)
    assert 'name="decision" value="accept"' in block
    assert 'name="decision" value="dismiss"' in block
    assert "No themes yet." in block  # shown, not applied
    accepted = await analyst.post(
        f"{PAGE}/suggestion", {"response_id": new, "theme": "water", "decision": "accept"}
    )
    assert accepted.status == 303
    after = html.unescape(await analyst.page(accepted.headers["Location"]))
    assert "The suggested theme is added." in after
    block = _answer_block(after, NEW_WATER)
    assert "Themes: water" in block
    assert "Suggested themes:" not in block


async def test_a_dismissed_suggestion_does_not_come_back(world: World) -> None:
    new = await teach(world)
    analyst = await signed_in(world, Role.ANALYST)
    dismissed = await analyst.post(
        f"{PAGE}/suggestion", {"response_id": new, "theme": "water", "decision": "dismiss"}
    )
    assert dismissed.status == 303
    after = html.unescape(await analyst.page(dismissed.headers["Location"]))
    assert "it will not be suggested for this answer again" in after
    block = _answer_block(after, NEW_WATER)
    assert "Suggested themes:" not in block
    assert "No themes yet." in block


async def test_below_the_minimum_the_page_says_why_in_french(world: World) -> None:
    await teach(world, water=4)
    analyst = await signed_in(world, Role.ANALYST)
    english = html.unescape(await analyst.page(PAGE))
    assert "a theme is suggested once at least 5 answers are tagged with it" in english
    assert "Themes that need more tagged answers: jobs, water." in english
    assert "Suggested themes:" not in english
    french = html.unescape(await analyst.page(PAGE, headers={"Accept-Language": "fr"}))
    assert "Aucun thème n’est encore suggéré" in french
    assert "Thèmes qui demandent davantage de réponses étiquetées : jobs, water." in french
    assert "a theme is suggested" not in french


async def test_a_viewer_cannot_decide_a_suggestion(world: World) -> None:
    new = await teach(world)
    viewer = await signed_in(world, Role.VIEWER)
    posted = await viewer.post(
        f"{PAGE}/suggestion", {"response_id": new, "theme": "water", "decision": "accept"}
    )
    assert posted.status == 403
