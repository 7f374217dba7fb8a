"""Themes through the API: an analyst tags a free-text answer by the response id the responses
list shows (pseudonym / question), a viewer cannot tag but reads the counts, small counts are
withheld, and every wrong response id is a clear 422, never a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.access.roles import Role
from tests.bot.api import CAMPAIGN_B, CAMPAIGNS, ORG_A, ORG_B, World, answer, api_world


def _themes(org: str = ORG_A) -> str:
    return f"/api/v1/campaigns/{CAMPAIGNS[org]}/themes"


async def _storytellers(world: World, org: str = ORG_A) -> list[str]:
    """The response ids of the free-text answers, as the responses list names them."""
    page = await world.get(
        f"/api/v1/campaigns/{CAMPAIGNS[org]}/responses", world.token(org, Role.ANALYST)
    )
    return sorted(
        f"{item['participant']}/unsafe_what"
        for item in page["items"]
        if item["answers"].get("unsafe_what", {}).get("free_text")
    )


async def _tag(world: World, body: dict[str, Any], role: Role = Role.ANALYST) -> Any:
    return await world.call("POST", _themes(), token=world.token(ORG_A, role), json=body)


async def test_an_analyst_tags_the_answer_the_responses_list_named(world: World) -> None:
    [story] = await _storytellers(world)
    tagged = await _tag(world, {"response_id": story, "add": ["Checkpoints", "privacy"]})
    assert tagged.status == 200, await tagged.text()
    assert await tagged.json() == {"response_id": story, "themes": ["checkpoints", "privacy"]}
    untagged = await _tag(world, {"response_id": story, "remove": ["privacy"]})
    assert (await untagged.json())["themes"] == ["checkpoints"]
    both = await _tag(world, {"response_id": story, "add": ["fees"], "remove": ["checkpoints"]})
    assert (await both.json())["themes"] == ["fees"]


async def test_a_viewer_cannot_tag_but_reads_the_counts(world: World) -> None:
    [story] = await _storytellers(world)
    refused = await _tag(world, {"response_id": story, "add": ["privacy"]}, role=Role.VIEWER)
    assert refused.status == 403
    assert (await refused.json())["type"].endswith("/forbidden")
    counts = await world.get(_themes(), world.token(ORG_A, Role.VIEWER))
    assert counts == {"campaign_id": CAMPAIGNS[ORG_A], "minimum": 5, "themes": []}


async def test_wrong_response_ids_and_themes_are_refused_with_the_field_at_fault(
    world: World,
) -> None:
    [story] = await _storytellers(world)
    pseudonym = story.partition("/")[0]
    wrong: list[tuple[dict[str, Any], str, str]] = [
        ({"response_id": "nobody", "add": ["x"]}, "body.response_id", "not a response id"),
        (
            {"response_id": "p-aaaaaaaaaaaaaaaa/unsafe_what", "add": ["x"]},
            "body.response_id",
            "no response",
        ),
        ({"response_id": f"{pseudonym}/uses", "add": ["x"]}, "body.response_id", "free-text"),
        ({"response_id": f"{pseudonym}/nothing", "add": ["x"]}, "body.response_id", "free-text"),
        ({"response_id": story, "add": ["Not a theme!"]}, "body.add", "not a theme"),
        ({"response_id": story, "add": ["x"], "remove": ["x"]}, "body.remove", "both"),
        ({"response_id": story}, "body", "at least one theme"),
    ]
    for body, location, said in wrong:
        response = await _tag(world, body)
        assert response.status == 422, body
        problem = await response.json()
        assert problem["type"].endswith("/invalid-request")
        assert [error["location"] for error in problem["errors"]] == [location], body
        assert said in problem["detail"] + problem["errors"][0]["message"], body
    counts = await world.get(_themes())
    assert counts["themes"] == [], "nothing was tagged by a refused request"


async def test_counts_below_the_minimum_are_withheld(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with api_world(redis_url, tmp_path, monkeypatch, SAUTI_PRIVACY_MIN_CELL="2") as world:
        deployment = world.deployment
        for user in ("tok-neema-11", "tok-baraka-22"):
            await answer(deployment, deployment.participant(user), CAMPAIGNS[ORG_A], "A story")
        stories = await _storytellers(world)
        assert len(stories) == 3
        for story in stories:
            await _tag(world, {"response_id": story, "add": ["checkpoints"]})
        for theme, story in (("fees", stories[0]), ("fees", stories[1]), ("privacy", stories[2])):
            await _tag(world, {"response_id": story, "add": [theme]})
        counts = await world.get(_themes(), world.token(ORG_A, Role.VIEWER))
        assert counts["minimum"] == 2
        assert counts["themes"] == [
            {"theme": "checkpoints", "answers": 3},
            {"theme": "fees", "answers": 2},
            {"theme": "privacy", "answers": None},  # one answer: withheld
        ]


async def test_another_organisations_campaign_is_not_found(world: World) -> None:
    [theirs] = await _storytellers(world, ORG_B)
    admin = world.token(ORG_A, Role.ADMIN)
    path = f"/api/v1/campaigns/{CAMPAIGN_B}/themes"
    tag = await world.call("POST", path, token=admin, json={"response_id": theirs, "add": ["x"]})
    count = await world.call("GET", path, token=admin)
    assert (tag.status, count.status) == (404, 404)
    assert CAMPAIGN_B not in await tag.text() + await count.text()
    own = await world.get(f"/api/v1/campaigns/{CAMPAIGN_B}/themes", world.token(ORG_B))
    assert own["themes"] == []
