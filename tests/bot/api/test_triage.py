"""The triage queue through the API, on answers the real pipeline recorded: free-text answers
newest first and paged, every page audited; flags, a safety alert the whole organisation sees
(only those who read responses see which item) until someone acknowledges it, a link to a
decision; a viewer refused, another organisation's campaign not found, and an erased
participant's answer gone from the queue with its alert."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.api.audit import AuditAction
from bot.api.problems import PROBLEM_BASE
from bot.conversation.inbound import Channel, Command, InboundEvent
from bot.storage.replies import text
from tests.bot.api import BOTH, CAMPAIGNS, ORG_A, ORG_B, STORY, World, answer, api_world
from tests.bot.commands import sauti
from tests.bot.loop import SIM_DECISION

CAMPAIGN = CAMPAIGNS[ORG_A]
TRIAGE = f"/api/v1/campaigns/{CAMPAIGN}/triage"
MARKS = f"{TRIAGE}/marks"
ACKNOWLEDGE = f"/api/v1/campaigns/{CAMPAIGN}/alerts/acknowledge"
DECISION = "sim-without-id"  # the example decision (tests.bot.loop.SIM_DECISION)


async def _tell(world: World, name: str, story: str, *, later_s: float = 60) -> None:
    """A new participant tells `story`, `later_s` seconds after the last one."""
    deployment = world.deployment
    deployment.clock.now += later_s
    await answer(deployment, deployment.participant(f"tok-{name}"), CAMPAIGN, story)


async def _all(world: World, query: str = "", role: Role = Role.ANALYST) -> list[dict[str, Any]]:
    """Every item of the queue, page after page of two."""
    items: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(50):
        page = await world.get(f"{TRIAGE}?limit=2{query}{cursor}", world.token(ORG_A, role))
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        cursor = f"&cursor={page['next_cursor']}"
    raise AssertionError("the pages never end")


async def _mark(world: World, body: dict[str, Any], role: Role = Role.ANALYST) -> ClientResponse:
    return await world.call("POST", MARKS, token=world.token(ORG_A, role), json=body)


async def _problem(response: ClientResponse, status: int, kind: str) -> dict[str, Any]:
    assert response.status == status, await response.text()
    problem: dict[str, Any] = await response.json()
    assert problem["type"] == PROBLEM_BASE + kind
    return problem


async def _story_id(world: World, text: str) -> str:
    [item] = [item for item in await _all(world) if item["text"] == text]
    response_id: str = item["response_id"]
    return response_id


async def test_free_text_comes_newest_first_a_page_at_a_time(world: World) -> None:
    for n in range(4):
        await _tell(world, f"teller-{n}", f"story {n}")
    # Two in the same second: both come, once each, whatever page boundary falls between them.
    await _tell(world, "twin-a", "twin story a", later_s=1)
    await _tell(world, "twin-b", "twin story b", later_s=0)
    items = await _all(world)
    texts = [item["text"] for item in items]
    assert sorted(texts[:2]) == ["twin story a", "twin story b"]
    assert texts[2:] == ["story 3", "story 2", "story 1", "story 0", STORY[ORG_A]]
    first = items[-1]
    assert first["question"] == "unsafe_what"
    assert first["question_text"]
    assert first["response_id"] == f"{first['participant']}/unsafe_what"
    assert first["participant"].startswith("p-")
    assert (first["themes"], first["urgent"], first["safety"], first["decision"]) == (
        [],
        False,
        False,
        None,
    )
    times = [item["at"] for item in items]
    assert times == sorted(times, reverse=True)


async def test_every_page_is_audited_as_a_read_of_responses_and_of_free_text(
    world: World,
) -> None:
    await _tell(world, "teller", "the road is closed")
    page = await world.get(f"{TRIAGE}?limit=5", world.token(ORG_A, Role.ANALYST))
    pseudonyms = sorted(item["participant"] for item in page["items"])
    read, words = world.audit.entries
    assert (read.action, words.action) == (AuditAction.RESPONSES_READ, AuditAction.FREE_TEXT_READ)
    assert read.target == words.target == f"campaign:{CAMPAIGN}"
    assert (read.count, words.count) == (2, 2)
    assert (read.details["first"], read.details["last"]) == (pseudonyms[0], pseudonyms[-1])


async def test_a_viewer_is_refused_and_another_organisations_campaign_is_not_found(
    world: World,
) -> None:
    for role in (Role.VIEWER, Role.CASEWORKER):
        refused = await world.call("GET", TRIAGE, token=world.token(ORG_A, role))
        await _problem(refused, 403, "forbidden")
    story = await _story_id(world, STORY[ORG_A])
    viewer = await _mark(world, {"response_id": story, "urgent": True}, role=Role.VIEWER)
    await _problem(viewer, 403, "forbidden")
    for method, path, body in (
        ("GET", TRIAGE, None),
        ("POST", MARKS, {"response_id": story, "urgent": True}),
        ("POST", ACKNOWLEDGE, {"response_id": story}),
    ):
        other = await world.call(method, path, token=world.token(ORG_B, Role.ADMIN), json=body)
        await _problem(other, 404, "not-found")
    assert not [e for e in world.audit.entries if e.action is AuditAction.TRIAGE_MARKED]


async def test_flags_and_themes_filter_the_queue(world: World) -> None:
    await _tell(world, "teller", "they took my phone")
    story = await _story_id(world, STORY[ORG_A])
    phone = await _story_id(world, "they took my phone")
    marked = await _mark(world, {"response_id": story, "urgent": True})
    assert marked.status == 200, await marked.text()
    assert await marked.json() == {
        "response_id": story,
        "urgent": True,
        "safety": False,
        "alert_open": False,
        "decision": None,
    }
    tagged = await world.call(
        "POST",
        f"/api/v1/campaigns/{CAMPAIGN}/themes",
        token=world.token(ORG_A, Role.ANALYST),
        json={"response_id": phone, "add": ["theft"]},
    )
    assert tagged.status == 200
    assert [i["response_id"] for i in await _all(world, "&flag=urgent")] == [story]
    assert [i["response_id"] for i in await _all(world, "&flag=unflagged")] == [phone]
    assert await _all(world, "&flag=safety") == []
    [theft] = await _all(world, "&theme=theft")
    assert (theft["response_id"], theft["themes"]) == (phone, ["theft"])
    cleared = await _mark(world, {"response_id": story, "urgent": False})
    assert (await cleared.json())["urgent"] is False
    assert await _all(world, "&flag=urgent") == []
    changes = [
        (e.details["response"], e.details["mark"], e.details["to"])
        for e in world.audit.entries
        if e.action is AuditAction.TRIAGE_MARKED
    ]
    assert changes == [(story, "urgent", "on"), (story, "urgent", "off")]


async def test_an_item_links_to_a_decision_shown_on_both_sides(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with api_world(redis_url, tmp_path, monkeypatch, SAUTI_PRIVACY_MIN_CELL="2") as world:
        await _tell(world, "teller", "the fees went up")
        story = await _story_id(world, STORY[ORG_A])
        fees = await _story_id(world, "the fees went up")
        unknown = await _mark(world, {"response_id": story, "decision": DECISION})
        problem = await _problem(unknown, 422, "invalid-request")
        assert problem["errors"][0]["location"] == "body.decision"
        uploaded = await world.call(
            "POST",
            f"/api/v1/campaigns/{CAMPAIGN}/decisions",
            token=world.token(ORG_A, Role.ANALYST),
            data=SIM_DECISION,
            headers={"Content-Type": "application/yaml"},
        )
        assert uploaded.status == 200, await uploaded.text()
        for response_id in (story, fees):
            linked = await _mark(world, {"response_id": response_id, "decision": DECISION})
            assert (await linked.json())["decision"] == DECISION
        listed = await _all(world, f"&decision={DECISION}")
        assert sorted(item["response_id"] for item in listed) == sorted([story, fees])
        decision = f"/api/v1/campaigns/{CAMPAIGN}/decisions/{DECISION}"
        viewer = world.token(ORG_A, Role.VIEWER)
        assert (await world.get(decision, viewer))["linked_answers"] == 2
        unlinked = await _mark(world, {"response_id": story, "decision": ""})
        assert (await unlinked.json())["decision"] is None
        assert [item["response_id"] for item in await _all(world, f"&decision={DECISION}")] == [
            fees
        ]
        # One linked answer is below the minimum cell: the decision withholds the count.
        assert (await world.get(decision, viewer))["linked_answers"] is None


async def test_a_safety_flag_raises_an_alert_the_organisation_sees_until_acknowledged(
    world: World,
) -> None:
    story = await _story_id(world, STORY[ORG_A])
    registry = world.deployment.app.metrics.registry
    raised_before = registry.get_sample_value("sauti_safety_alerts_raised_total") or 0
    flagged = await _mark(world, {"response_id": story, "safety": True})
    assert (await flagged.json())["alert_open"] is True
    again = await _mark(world, {"response_id": story, "safety": True})  # no second alert
    assert again.status == 200
    assert registry.get_sample_value("sauti_safety_alerts_raised_total") == raised_before + 1
    for role in (Role.VIEWER, Role.CASEWORKER):  # that there is one, and how many: no more
        assert await world.get("/api/v1/alerts", world.token(ORG_A, role)) == {
            "open": 1,
            "campaigns": [{"campaign_id": CAMPAIGN, "open": 1}],
            "alerts": None,
        }
    audited = len(world.audit.entries)
    counts = await world.get("/api/v1/alerts?items=false", world.token(ORG_A, Role.ANALYST))
    assert (counts["open"], counts["alerts"]) == (1, None)
    assert len(world.audit.entries) == audited  # counts name nobody: nothing to audit
    seen = await world.get("/api/v1/alerts", world.token(ORG_A, Role.ANALYST))
    assert seen["open"] == 1
    [alert] = seen["alerts"]
    assert (alert["campaign_id"], alert["response_id"]) == (CAMPAIGN, story)
    assert await world.get("/api/v1/alerts", world.token(ORG_B, Role.ADMIN)) == {
        "open": 0,
        "campaigns": [],
        "alerts": [],
    }
    viewer = await world.call(
        "POST", ACKNOWLEDGE, token=world.token(ORG_A, Role.VIEWER), json={"response_id": story}
    )
    await _problem(viewer, 403, "forbidden")
    done = await world.call(
        "POST", ACKNOWLEDGE, token=world.token(ORG_A, Role.ANALYST), json={"response_id": story}
    )
    assert await done.json() == {"response_id": story, "open": 0}
    twice = await world.call(
        "POST", ACKNOWLEDGE, token=world.token(ORG_A, Role.ANALYST), json={"response_id": story}
    )
    await _problem(twice, 404, "not-found")
    assert (await world.get("/api/v1/alerts", world.token(ORG_A, Role.VIEWER)))["open"] == 0
    [item] = await _all(world, "&flag=safety")
    assert (item["safety"], item["alert_open"]) == (True, False)  # the flag stays
    actions = [e.action for e in world.audit.entries]
    assert AuditAction.TRIAGE_MARKED in actions
    [acknowledged] = [e for e in world.audit.entries if e.action is AuditAction.ALERT_ACKNOWLEDGED]
    assert acknowledged.details == {"response": story}


async def test_an_erased_participant_leaves_the_queue_with_their_flags_and_alert(
    world: World,
) -> None:
    await _tell(world, "stays", "the agent was kind")
    story = await _story_id(world, STORY[ORG_A])
    await _mark(world, {"response_id": story, "safety": True, "urgent": True})
    deployment = world.deployment
    both = deployment.participant(BOTH)
    for argument in ("", "confirm"):
        deployment.received_ms += 1000
        await deployment.app.ingestor.ingest(
            InboundEvent(
                event_id=f"webchat:{secrets.token_hex(8)}",
                channel=Channel.WEBCHAT,
                participant_id=both,
                received_at_ms=deployment.received_ms,
                action=Command("delete", argument),
            )
        )
        await deployment.drain()
    assert [item["text"] for item in await _all(world)] == ["the agent was kind"]
    assert (await world.get("/api/v1/alerts", world.token(ORG_A, Role.VIEWER)))["open"] == 0
    app = deployment.app
    shard = app.schema.shard_of(both)
    for key in (
        app.schema.triage(shard, CAMPAIGN),
        app.schema.triage_marks(shard, CAMPAIGN),
        app.schema.safety_alerts(shard, CAMPAIGN),
    ):
        for member in await _members(world, key):
            assert both not in member
    gone = await _mark(world, {"response_id": story, "urgent": True})
    await _problem(gone, 422, "invalid-request")


async def _members(world: World, key: str) -> list[str]:
    redis = world.deployment.app.redis
    kind = text(await redis.type(key))
    if kind == "zset":
        members: Any = await redis.zrange(key, 0, -1)
        return [text(member) for member in members]
    if kind == "hash":
        return [text(field) for field in await redis.hkeys(key)]
    return []


async def test_wrong_input_gets_a_clear_answer(world: World) -> None:
    token = world.token(ORG_A, Role.ANALYST)
    damaged = await world.call("GET", f"{TRIAGE}?cursor=bm9wZQ", token=token)
    await _problem(damaged, 400, "invalid-cursor")
    for query in ("flag=sometimes", "theme=Not%20A%20Theme", "limit=0"):
        wrong = await world.call("GET", f"{TRIAGE}?{query}", token=token)
        await _problem(wrong, 422, "invalid-request")
    for body in (
        {"response_id": "nobody"},
        {"response_id": "p-aaaaaaaaaaaaaaaa/unsafe_what", "urgent": True},
        {"response_id": "p-aaaaaaaaaaaaaaaa/unsafe", "urgent": "maybe"},
    ):
        await _problem(await _mark(world, body), 422, "invalid-request")


async def test_the_operator_sees_how_many_alerts_are_open_and_nothing_of_what_was_written(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    story = await _story_id(world, STORY[ORG_A])
    assert await sauti("triage", "alerts") == 0
    assert "no open safety alerts" in capsys.readouterr().err
    await _mark(world, {"response_id": story, "safety": True})
    assert await sauti("triage", "alerts", "--org", ORG_A) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{ORG_A}\t{CAMPAIGN}\t1 open safety alert, the oldest raised ")
    assert story.partition("/")[0] not in line
    assert await sauti("triage", "alerts", "--org", ORG_B) == 0
    assert capsys.readouterr().out == ""


async def test_an_answer_given_again_moves_up_and_one_no_longer_asked_for_leaves(
    world: World,
) -> None:
    deployment = world.deployment
    changer = deployment.participant("tok-changer")
    await _tell(world, "changer", "the first words")
    await _tell(world, "other", "someone else's words")
    deployment.clock.now += 60
    for said in ("Back", "the second words"):  # back from the next question, and again
        await deployment.send(changer, said)
    await deployment.drain()
    texts = [item["text"] for item in await _all(world)]
    assert texts == ["the second words", "someone else's words", STORY[ORG_A]]
    changed = await _story_id(world, "the second words")
    await _mark(world, {"response_id": changed, "safety": True})
    for said in ("Back", "Back", "no"):  # they did not feel unsafe: the story is not asked for
        await deployment.send(changer, said)
    await deployment.drain()
    texts = [item["text"] for item in await _all(world)]
    assert texts == ["someone else's words", STORY[ORG_A]]
    assert (await world.get("/api/v1/alerts", world.token(ORG_A, Role.VIEWER)))["open"] == 0
