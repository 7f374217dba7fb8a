"""The desk's index: each organisation's cases in the desk's order, kept by the very scripts
that raise, step and reopen a case, and left agreeing with the cases after an erasure and a
campaign's retention. Paging through it skips no case that moves ahead of the reader (a
reopened one, say) and lists again only a case that moved."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

from bot.access.roles import Role
from bot.conversation.campaign import CampaignStatus
from bot.conversation.inbound import Channel, Command, InboundEvent
from bot.records.cases import list_cases
from bot.records.desk import desk_place
from bot.runtime.retention import erase_campaign
from tests.bot.api import BOTH, CAMPAIGN_B, ORG_A, ORG_B, World
from tests.bot.api.test_cases import DAY_S, _raise, _step
from tests.kit.example import CAMPAIGN


async def _indexed(world: World) -> dict[str, set[str]]:
    """What the desk's index holds, per organisation (every shard)."""
    app = world.deployment.app
    found: dict[str, set[str]] = {}
    for org in (ORG_A, ORG_B):
        for shard in range(app.schema.shards):
            places: Any = await app.redis.zrange(app.schema.desk(shard, org), 0, -1)
            found.setdefault(org, set()).update(place.decode() for place in places)
    return found


async def _expected(world: World) -> dict[str, set[str]]:
    """Where every case stands by its own fields."""
    app = world.deployment.app
    expected: dict[str, set[str]] = {ORG_A: set(), ORG_B: set()}
    for case in await list_cases(app.redis, app.schema):
        place = desk_place(case)
        assert place is not None, f"{case.reference} has no organisation"
        expected[case.org].add(place)
    return expected


async def _send(world: World, pid: str, command: str, argument: str = "") -> None:
    deployment = world.deployment
    deployment.received_ms += 1000
    await deployment.app.ingestor.ingest(
        InboundEvent(
            event_id=f"webchat:{secrets.token_hex(8)}",
            channel=Channel.WEBCHAT,
            participant_id=pid,
            received_at_ms=deployment.received_ms,
            action=Command(command, argument),
        )
    )
    await deployment.drain()


async def test_the_index_follows_every_raise_step_and_reopen_and_survives_erasure_and_retention(
    world: World,
) -> None:
    assert await _indexed(world) == await _expected(world)
    reference = await _raise(world, "tok-ana-01", "Coverage is gone")
    await _step(world, reference, {"status": "under_review", "urgency": "safety"}, Role.ADMIN)
    assert any(place.startswith("0:") for place in (await _indexed(world))[ORG_A])
    await _step(world, reference, {"status": "resolved"}, Role.ADMIN)
    assert any(place.startswith("3:") for place in (await _indexed(world))[ORG_A])
    await _send(world, world.deployment.participant("tok-ana-01"), "reopen", reference)
    assert await _indexed(world) == await _expected(world)
    reopened = await world.get(f"/api/v1/cases/{reference}")
    assert reopened["status"] == "reopened"

    # Erased: the case stays on the desk for its figures, at the same place, naming nobody.
    both = world.deployment.participant(BOTH)
    await _send(world, both, "delete")
    await _send(world, both, "delete", "confirm")
    assert await _indexed(world) == await _expected(world)
    assert not any(both in place for places in (await _indexed(world)).values() for place in places)
    erased = await world.get(f"/api/v1/cases/{world.cases[ORG_A]}")
    assert erased["participant"] is None

    # Retention of organisation B's campaign: its case keeps its place, and only B's desk has it.
    app = world.deployment.app
    await app.campaigns.set_status(CAMPAIGN_B, CampaignStatus.CLOSED)
    closed = int((time.time() - 400 * DAY_S) * 1000)
    await app.redis.hset(app.schema.campaign(CAMPAIGN_B), "closed", str(closed))
    await erase_campaign(app.redis, app.schema, app.campaigns, CAMPAIGN_B)
    assert await _indexed(world) == await _expected(world)
    page = await world.get("/api/v1/cases", world.token(ORG_B))
    assert [case["reference"] for case in page["items"]] == [world.cases[ORG_B]]
    assert page["items"][0]["removed_after_retention"] is True


async def _pass(world: World, between: Any = None, limit: int = 2) -> list[dict[str, Any]]:
    """One reader's pass through the desk, `limit` cases a page; `between(n)` runs after page
    n. Every case listed, in `items` or `moved`, in the order listed."""
    listed: list[dict[str, Any]] = []
    cursor, number = "", 0
    while True:
        page = await world.get(f"/api/v1/cases?campaign={CAMPAIGN}&limit={limit}{cursor}")
        listed += [{**case, "moved": True} for case in page["moved"]]
        listed += page["items"]
        number += 1
        if page["next_cursor"] is None:
            return listed
        cursor = f"&cursor={page['next_cursor']}"
        if between is not None:
            await between(number)


async def test_a_case_reopened_ahead_of_the_reader_is_listed_once_and_none_is_repeated(
    world: World,
) -> None:
    open_ones = [await _raise(world, f"tok-open-{n}", "Still waiting") for n in range(2)]
    resolved = []
    for n in range(4):
        reference = await _raise(world, f"tok-done-{n}", "Fixed", days_ago=3 - n)
        await _step(world, reference, {"status": "resolved"}, Role.ADMIN)
        resolved.append(reference)
    before = [case["reference"] for case in await _pass(world)]
    assert len(set(before)) == len(before)
    assert before[-4:] == resolved  # the resolved ones last, by their due time
    last_resolved = resolved[-1]
    reopener = world.deployment.participant("tok-done-3")

    async def reopen_the_last_after_page_3(number: int) -> None:
        # The reader has read the open cases and is among the resolved ones: reopened, the last
        # resolved case moves to before the reader's cursor.
        if number == 3:
            await _send(world, reopener, "reopen", last_resolved)

    listed = await _pass(world, reopen_the_last_after_page_3)

    references = [case["reference"] for case in listed]
    assert sorted(references) == sorted(before)  # none skipped, none repeated
    [moved] = [case for case in listed if case.get("moved")]
    assert (moved["reference"], moved["status"]) == (last_resolved, "reopened")
    assert all(reference in references for reference in open_ones)


async def test_a_case_listed_again_is_one_that_moved_after_it_was_listed(world: World) -> None:
    first = await _raise(world, "tok-first", "Charged twice", days_ago=20)
    for n in range(3):
        await _raise(world, f"tok-later-{n}", "Charged again")

    async def flag_the_first_after_page_2(number: int) -> None:
        if number == 2:  # it was on page 1; now flagged safety, it moved, ahead of the cursor
            await _step(world, first, {"status": "under_review", "urgency": "safety"}, Role.ADMIN)

    listed = await _pass(world, flag_the_first_after_page_2)
    again = [case for case in listed if case["reference"] == first]
    assert [case.get("moved", False) for case in again] == [False, True]
    assert again[1]["urgency"] == "safety"
    others = [case["reference"] for case in listed if case["reference"] != first]
    assert len(others) == len(set(others))


async def test_a_damaged_or_foreign_cursor_is_refused_plainly(world: World) -> None:
    def cursor(position: dict[str, Any]) -> str:
        raw = json.dumps({"of": "desk", **position}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    for bad in (
        cursor({"at": "9:x:F-AAAAAA", "moves": [0] * 16}),
        cursor({"at": "2:0000000000001:F-AAAAAA"}),
        cursor({"at": "2:0000000000001:F-AAAAAA", "moves": [0] * 3}),
        cursor({"at": "2:0000000000001:F-AAAAAA", "moves": ["1"] * 16}),
        cursor({"at": ["2"], "moves": [0] * 16}),
        "not-a-cursor",
    ):
        response = await world.call(
            "GET", f"/api/v1/cases?cursor={bad}", token=world.token(ORG_A, Role.CASEWORKER)
        )
        assert response.status == 400, bad
        assert "cursor" in (await response.json())["detail"]


async def test_the_page_counts_the_open_safety_cases_of_the_whole_desk(world: World) -> None:
    reference = await _raise(world, "tok-safe-1", "Threatened after my report")
    await _step(world, reference, {"status": "under_review", "urgency": "safety"}, Role.ADMIN)
    page = await world.get("/api/v1/cases?status=resolved", world.token(ORG_A, Role.CASEWORKER))
    assert (page["items"], page["open_safety"]) == ([], 1)
    assert (await world.get("/api/v1/cases", world.token(ORG_B)))["open_safety"] == 0
