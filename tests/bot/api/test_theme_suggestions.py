"""Theme suggestions through the API, on answers the real pipeline recorded and staff tagged:
an untagged answer gets the theme its words are about, with a confidence; nothing is tagged
until someone accepts; a dismissed suggestion does not come back; below the minimum of tagged
answers nothing is suggested and the answer says which themes lack examples; every call is in
the audit log, and an erased participant's dismissals go with their answer."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.api.audit import AuditAction
from bot.conversation.inbound import Channel, Command, InboundEvent
from bot.records.triage_marks import Mark
from bot.storage.replies import text
from tests.bot.api import CAMPAIGNS, ORG_A, World, answer, api_world
from tests.bot.commands import sauti

CAMPAIGN = CAMPAIGNS[ORG_A]
THEMES = f"/api/v1/campaigns/{CAMPAIGN}/themes"
SUGGESTIONS = f"{THEMES}/suggestions"
TRIAGE = f"/api/v1/campaigns/{CAMPAIGN}/triage"

WATER = (
    "the well is dry since the mine came",
    "no clean water in the village any more",
    "the river water is dirty and brown now",
    "we walk two hours to fetch water",
    "the water pipes broke near the school",
)
JOBS = (
    "the mine did not hire young people from here",
    "there are no jobs for us at the site",
    "they promised work but gave none",
    "my son lost his job at the mine",
    "workers from the city took the jobs",
)
NEW_WATER = "there is no water to drink in our houses"


@pytest.fixture
async def world(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """Teaching takes more calls of one token than a burst of the API's rate allows: the rate
    is not what is tested here (test_tokens.py tests it), so it is lifted."""
    async with api_world(
        redis_url, tmp_path, monkeypatch, SAUTI_API_RATE="100000", SAUTI_API_BURST="10000"
    ) as value:
        yield value


async def _tell(world: World, name: str, story: str) -> str:
    """A new participant tells `story`; its response id."""
    deployment = world.deployment
    deployment.clock.now += 60
    await answer(deployment, deployment.participant(f"tok-{name}"), CAMPAIGN, story)
    page = await world.get(f"{TRIAGE}?limit=1", world.token(ORG_A, Role.ANALYST))
    [item] = page["items"]
    assert item["text"] == story
    response_id: str = item["response_id"]
    return response_id


async def _tag(world: World, response_id: str, theme: str) -> None:
    body = {"response_id": response_id, "add": [theme]}
    tagged = await world.call("POST", THEMES, token=world.token(ORG_A, Role.ANALYST), json=body)
    assert tagged.status == 200, await tagged.text()


async def teach(world: World, water: int = len(WATER)) -> str:
    """Stories tagged `water` (the first `water` of them) and `jobs`, then an untagged story
    about water: its response id."""
    for n, story in enumerate(WATER[:water]):
        await _tag(world, await _tell(world, f"water-{n}", story), "water")
    for n, story in enumerate(JOBS):
        await _tag(world, await _tell(world, f"jobs-{n}", story), "jobs")
    return await _tell(world, "new", NEW_WATER)


async def _suggestions(world: World, role: Role = Role.ANALYST) -> dict[str, Any]:
    page: dict[str, Any] = await world.get(f"{SUGGESTIONS}?limit=50", world.token(ORG_A, role))
    return page


async def _decide(world: World, response_id: str, theme: str, accept: bool) -> ClientResponse:
    body = {"response_id": response_id, "theme": theme, "accept": accept}
    return await world.call("POST", SUGGESTIONS, token=world.token(ORG_A, Role.ANALYST), json=body)


async def test_an_untagged_answer_gets_the_theme_its_words_are_about(world: World) -> None:
    new = await teach(world)
    world.audit.entries.clear()
    page = await _suggestions(world)
    assert page["minimum"] == 5
    assert page["learnt_from"] == 10
    assert page["ready"] == ["jobs", "water"]
    mine = {item["response_id"]: item for item in page["items"]}
    [suggestion] = mine[new]["suggestions"]
    assert suggestion["theme"] == "water"
    assert 0.5 <= suggestion["confidence"] <= 1
    # A tagged answer is never suggested the theme it has.
    for item in page["items"]:
        assert not {s["theme"] for s in item["suggestions"]} & set(item["themes"])
    [entry] = world.audit.entries
    assert entry.action == AuditAction.THEMES_SUGGESTED
    assert entry.details["learnt"] == 10
    assert NEW_WATER not in str(entry.details)
    # Suggesting tagged nothing.
    triage = await world.get(f"{TRIAGE}?limit=1", world.token(ORG_A, Role.ANALYST))
    assert triage["items"][0]["themes"] == []


async def test_accepting_tags_the_answer_and_dismissing_keeps_it_from_coming_back(
    world: World,
) -> None:
    new = await teach(world)
    world.audit.entries.clear()
    dismissed = await _decide(world, new, "water", accept=False)
    assert dismissed.status == 200, await dismissed.text()
    assert (await dismissed.json())["themes"] == []
    page = await _suggestions(world)
    assert new not in {item["response_id"] for item in page["items"]}
    accepted = await _decide(world, new, "water", accept=True)
    assert (await accepted.json()) == {"response_id": new, "themes": ["water"], "accepted": True}
    decided = [e for e in world.audit.entries if e.action == AuditAction.THEME_SUGGESTION_DECIDED]
    assert [(e.details["theme"], e.details["to"]) for e in decided] == [
        ("water", "dismissed"),
        ("water", "accepted"),
    ]
    unknown = await _decide(world, "p-nobody/unsafe_what", "water", accept=True)
    assert unknown.status == 422
    bad_theme = await _decide(world, new, "Not A Theme!", accept=False)
    assert bad_theme.status == 422


async def test_below_the_minimum_nothing_is_suggested_and_the_answer_says_why(
    world: World,
) -> None:
    await teach(world, water=4)
    page = await _suggestions(world)
    assert page["ready"] == []  # jobs: 5 with it, but only 4 answers without it
    assert page["too_few"] == [{"theme": "jobs", "tagged": 5}, {"theme": "water", "tagged": 4}]
    assert page["items"] == []


async def test_a_viewer_may_not_ask_for_suggestions(world: World) -> None:
    refused = await world.call("GET", SUGGESTIONS, token=world.token(ORG_A, Role.VIEWER))
    assert refused.status == 403


async def test_an_erased_participants_dismissals_go_with_their_answer(world: World) -> None:
    new = await teach(world)
    assert (await _decide(world, new, "jobs", accept=False)).status == 200
    app = world.deployment.app
    pid = world.deployment.participant("tok-new")
    marks = app.schema.triage_marks(app.schema.shard_of(pid), CAMPAIGN)
    field = f"{Mark.DISMISSED.value}:{pid}/unsafe_what"
    assert text(await app.redis.hget(marks, field) or b"") == "jobs"
    deployment = world.deployment
    for argument in ("", "confirm"):
        deployment.received_ms += 1000
        await app.ingestor.ingest(
            InboundEvent(
                event_id=f"webchat:{secrets.token_hex(8)}",
                channel=Channel.WEBCHAT,
                participant_id=pid,
                received_at_ms=deployment.received_ms,
                action=Command("delete", argument),
            )
        )
        await deployment.drain()
    assert await app.redis.hget(marks, field) is None


async def test_the_command_line_lists_suggestions_with_their_confidence(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    new = await teach(world)
    world.audit.entries.clear()
    capsys.readouterr()
    assert await sauti("theme", "suggest", CAMPAIGN) == 0
    out = capsys.readouterr().out
    assert "learnt from 10 tagged answers" in out
    [line] = [line for line in out.splitlines() if line.startswith(new)]
    response_id, theme, confidence = line.split("\t")
    assert (response_id, theme) == (new, "water")
    assert 0.5 <= float(confidence) <= 1
    assert NEW_WATER not in out  # the words stay in the export and the console
    # Listing tagged nothing.
    page = await world.get(f"{TRIAGE}?limit=1", world.token(ORG_A, Role.ANALYST))
    assert page["items"][0]["themes"] == []


async def test_the_command_line_says_which_themes_need_more_tagged_answers(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    await teach(world, water=4)
    capsys.readouterr()
    assert await sauti("theme", "suggest", CAMPAIGN) == 0
    out = capsys.readouterr().out
    assert "not suggested: water (4 tagged; needs 5 with it and 5 without)" in out
    assert "no theme has enough tagged answers to suggest yet" in out
