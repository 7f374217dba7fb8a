"""The campaign pages of issue 17 over HTTP: the list and the campaign with how far people got
and whether the promise is overdue, a survey file uploaded with every mistake at its line, and
the results page — per question a chart and a table, a breakdown, drop-off by question, small
cells withheld as "fewer than 5", and the live part's hooks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html import unescape
from pathlib import Path

import pytest
from aiohttp import ClientResponse, FormData

from bot.access.roles import Role
from bot.staff_web.auth import SESSION_COOKIE
from tests.bot.api import (
    CAMPAIGN_B,
    CAMPAIGNS,
    ORG_A,
    ORG_B,
    World,
    answer,
    api_world,
    bravo_survey,
)
from tests.console import Staff, signed_in

CAMPAIGN = f"/console/campaigns/{CAMPAIGNS[ORG_A]}"
RESULTS = f"{CAMPAIGN}/results"
BROKEN = Path(__file__).resolve().parents[1] / "dialogues" / "broken" / "several_mistakes.yaml"


@pytest.fixture
async def low(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """The same deployment with a minimum cell of 2: its four respondents' counts show."""
    async with api_world(redis_url, tmp_path, monkeypatch, SAUTI_PRIVACY_MIN_CELL="2") as world:
        yield world


async def upload(staff: Staff, path: str, content: bytes | None) -> ClientResponse:
    """The survey form sent from its page, with `content` as the chosen file (None: none)."""
    form = FormData()
    form.add_field("csrf", staff.csrf)
    if content is not None:
        form.add_field("survey", content, filename="survey.yaml", content_type="application/yaml")
    return await staff.world.client.post(
        path,
        data=form,
        cookies={SESSION_COOKIE: staff.cookie},
        headers={"Sec-Fetch-Site": "same-origin"},
        allow_redirects=False,
    )


def text_of(html: str) -> str:
    """The page's words, tags dropped and spaces folded (what a reader sees, roughly)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


async def test_the_results_page_withholds_small_counts_as_fewer_than_five(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    page = await viewer.page(RESULTS)
    words = text_of(page)
    assert "Results: Your phone and your safety" in words
    # Four respondents: every count of people is withheld, in the tables and on the charts.
    assert "What do you use your Nuru Mobile line for most?" in words
    calls = '<th scope="row">Calls</th><td class="num"><span class="withheld-text">fewer than 5'
    assert calls in page
    assert 'class="withheld"' in page  # the chart draws a withheld bar as an outline
    assert "Started fewer than 5" in words
    assert '<svg class="chart" role="img"' in page
    assert "Drop-off by question" in words


async def test_the_results_page_shows_counts_drop_off_and_a_breakdown(low: World) -> None:
    analyst = await signed_in(low, Role.ANALYST)
    words = text_of(await analyst.page(RESULTS))
    # Everyone answered `uses` with text messages; three stopped at `unsafe` (tests.bot.api).
    assert "Text messages 4" in words
    assert "Asked: 4 · Answered: 4 · Skipped: 0 · Declined to say: 0 · Stopped here: 0" in words
    assert "Started 4 Completed 0 Dropped off 4 (100%)" in words

    by_language = text_of(await analyst.page(f"{RESULTS}?by=language"))
    assert "Counts, by Language" in by_language
    assert "Answer English French Arabic Swahili Total" in by_language
    assert "Text messages 4 0 0 0 4" in by_language
    menu = await analyst.page(f"{RESULTS}?by=uses")
    assert '<option value="uses" selected>Question: What do you use your Nuru Mobile line' in menu
    assert "not broken down by that" in menu  # `uses` itself

    french = text_of(await analyst.page(f"{RESULTS}?by=channel", headers={"Accept-Language": "fr"}))
    assert "Web chat" not in french
    assert "Chat web" in french


async def test_the_results_page_is_live_and_says_when_its_figures_are_from(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    page = await viewer.page(RESULTS)
    assert f'data-events="/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/results/events"' in page
    assert re.search(r'data-version="\d+"', page)
    assert '<script src="/console/static/live-results.js"' in page
    assert "Figures as of" in page
    assert f'<a href="{RESULTS}">Refresh</a>' in page
    script = await viewer.get("/console/static/live-results.js")
    assert script.status == 200
    assert "EventSource" in await script.text()


async def test_the_results_page_says_how_many_more_people_the_figures_wait_for(
    world: World,
) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    assert "Updated when at least" not in await viewer.page(RESULTS)  # nobody waiting
    deployment = world.deployment
    for user in ("tok-late-0001", "tok-late-0002"):
        await answer(deployment, deployment.participant(user), CAMPAIGNS[ORG_A], "")

    page = await viewer.page(RESULTS)
    assert "Updated when at least 3 more people have answered." in text_of(page)
    assert "Started fewer than 5" in text_of(page)  # the figures did not move
    french = text_of(await viewer.page(RESULTS, headers={"Accept-Language": "fr"}))
    assert "Mis à jour quand au moins 3 personnes de plus auront répondu." in french


async def test_the_results_page_is_for_roles_that_read_results_in_their_own_organisation(
    world: World,
) -> None:
    caseworker = await signed_in(world, Role.CASEWORKER)
    await caseworker.page(RESULTS, status=403)
    assert "/results" not in await caseworker.page(CAMPAIGN)  # no way in shown either
    viewer = await signed_in(world, Role.VIEWER)
    await viewer.page(f"/console/campaigns/{CAMPAIGN_B}/results", status=404)
    refused = await viewer.page(f"{RESULTS}?by=nonsense", status=422)
    assert "keeps no breakdown named “nonsense”" in refused


async def test_the_campaign_shows_how_far_people_got_by_language_and_channel(low: World) -> None:
    viewer = await signed_in(low, Role.VIEWER)
    words = text_of(await viewer.page(CAMPAIGN))
    assert "Dropped off 4 (100%)" in words
    assert "By language Language Started Completed Dropped off English 4 0 4 (100%)" in words
    assert "Web chat 4 0 4 (100%)" in words
    assert "Results" in words
    listed = text_of(await viewer.page("/console/campaigns"))
    assert "Dropped off" in listed
    assert "4 (100%)" in listed


async def test_a_promise_passed_with_nothing_published_is_marked_overdue_in_words(
    world: World,
) -> None:
    admin = await signed_in(world, Role.ADMIN, ORG_B)
    assert "Overdue" not in await admin.page("/console/campaigns")
    passed = bravo_survey().replace("report_back_by: 2027-03-31", "report_back_by: 2020-01-31")
    uploaded = await upload(admin, f"/console/campaigns/{CAMPAIGN_B}/upload", passed.encode())
    assert uploaded.status == 303
    assert uploaded.headers["Location"] == f"/console/campaigns/{CAMPAIGN_B}?done=loaded"
    page = await admin.page(uploaded.headers["Location"])
    assert "The survey file was stored" in page
    assert '<span class="badge alert">Overdue: nothing published</span>' in page
    assert "Overdue: nothing published" in await admin.page("/console/campaigns")


async def test_a_broken_survey_file_shows_every_mistake_at_its_line(world: World) -> None:
    admin = await signed_in(world, Role.ADMIN)
    form = await admin.page("/console/campaigns/new")
    assert '<label for="survey-file">' in form
    refused = await upload(admin, "/console/campaigns/new", BROKEN.read_bytes())
    assert refused.status == 422
    words = text_of(await refused.text())
    assert "Nothing was changed: the file has 7 mistakes." in words
    assert "7 default_language 'eng' is not one of the languages; did you mean 'en'?" in words
    assert "20 questions[0].options[1].id duplicate id 'food'" in words
    assert "soko-2026" not in text_of(await admin.page("/console/campaigns"))

    nothing = await upload(admin, "/console/campaigns/new", None)
    assert "Choose a survey file." in await nothing.text()


async def test_a_new_campaign_is_uploaded_and_a_version_must_be_of_its_own_campaign(
    world: World,
) -> None:
    admin = await signed_in(world, Role.ADMIN)
    other = bravo_survey().replace(f"id: {CAMPAIGN_B}", "id: water-2027", 1)
    made = await upload(admin, "/console/campaigns/new", other.encode())
    assert made.status == 303
    assert made.headers["Location"] == "/console/campaigns/water-2027?done=loaded"
    page = await admin.page(made.headers["Location"])
    assert "Open the campaign" in page  # a new campaign starts closed

    wrong = await upload(admin, f"{CAMPAIGN}/upload", other.encode())
    assert wrong.status == 422
    assert "the survey of the campaign 'water-2027', not of this one" in text_of(await wrong.text())


async def test_only_a_role_that_manages_campaigns_sees_or_may_use_the_upload(world: World) -> None:
    viewer = await signed_in(world, Role.VIEWER)
    assert "survey-file" not in await viewer.page(CAMPAIGN)
    assert "/console/campaigns/new" not in await viewer.page("/console/campaigns")
    await viewer.page("/console/campaigns/new", status=403)
    refused = await upload(viewer, "/console/campaigns/new", bravo_survey().encode())
    assert refused.status == 403
