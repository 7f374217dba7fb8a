"""The grievance desk over the API: a step sets a case's category and urgency and reaches the
participant; the desk lists safety-flagged cases first, then urgent ones, then overdue ones,
with a countdown; the desk report withholds small cells like every aggregate."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.access.roles import Role
from bot.audit import AuditAction
from bot.conversation.inbox import open_notice
from tests.bot.api import ORG_A, World, answer, api_world
from tests.kit.example import CAMPAIGN

DAY_S = 24 * 3600


async def _raise(world: World, user: str, text: str, *, days_ago: float = 0) -> str:
    """A web chat participant of the example campaign raises a case, `days_ago`."""
    deployment = world.deployment
    deployment.clock.now = time.time() - days_ago * DAY_S
    pid = deployment.participant(user)
    await answer(deployment, pid, CAMPAIGN, "")
    await deployment.send(pid, "feedback")
    await deployment.send(pid, text)
    await deployment.drain()
    inbox = await _inbox(world, user)
    return "F-" + inbox[-1].split("F-")[1][:6]


async def _inbox(world: World, user: str) -> list[str]:
    app = world.deployment.app
    pid = world.deployment.participant(user)
    wrapped: Any = await app.redis.hget(app.schema.participant(pid), "wk")
    key = app.crypto.unwrap_data_key(wrapped)
    items: Any = await app.redis.lrange(app.schema.webchat_inbox(pid), 0, -1)
    return [notice.text for item in items if (notice := open_notice(item, pid, key))]


async def _step(world: World, reference: str, body: dict[str, Any], role: Role) -> Any:
    response = await world.call(
        "POST", f"/api/v1/cases/{reference}/steps", token=world.token(ORG_A, role), json=body
    )
    assert response.status == 200, await response.text()
    return await response.json()


async def test_a_step_sets_category_and_urgency_and_reaches_the_participant(world: World) -> None:
    reference = await _raise(world, "tok-wanjiru-11aa", "The agent shouted at me")
    body = {
        "status": "under_review",
        "message": "We are talking to the agent's manager.",
        "category": "conduct",
        "urgency": "urgent",
    }
    stepped = await _step(world, reference, body, Role.CASEWORKER)
    assert (stepped["case"]["category"], stepped["case"]["urgency"]) == ("conduct", "urgent")
    assert stepped["delivered"] == "web chat inbox"
    assert (await _inbox(world, "tok-wanjiru-11aa"))[-1].endswith(
        "We are talking to the agent's manager."
    )
    [entry] = world.audit.entries
    assert (entry.action, dict(entry.details)) == (
        AuditAction.CASE_STEPPED,
        {"status": "under_review", "category": "conduct", "urgency": "urgent"},
    )
    # A later step without them keeps them.
    later = await _step(world, reference, {"status": "resolved"}, Role.CASEWORKER)
    assert (later["case"]["category"], later["case"]["urgency"]) == ("conduct", "urgent")
    assert later["case"]["due_in_seconds"] is None  # resolved: owed no answer now


async def test_an_unknown_category_or_urgency_is_refused_and_changes_nothing(
    world: World,
) -> None:
    reference = world.cases[ORG_A]
    for body in (
        {"status": "under_review", "category": "weather"},
        {"status": "under_review", "urgency": "very"},
    ):
        response = await world.call(
            "POST", f"/api/v1/cases/{reference}/steps", token=world.token(), json=body
        )
        assert response.status == 422
    case = await world.get(f"/api/v1/cases/{reference}")
    assert (case["status"], case["category"], case["urgency"]) == (
        "received", "uncategorised", "normal",
    )  # fmt: skip


async def test_the_desk_lists_safety_first_then_urgent_then_the_most_overdue_with_a_countdown(
    world: World,
) -> None:
    fresh = await _raise(world, "tok-ana-01", "Coverage is gone in my village")
    old = await _raise(world, "tok-ben-02", "Charged twice", days_ago=20)
    older = await _raise(world, "tok-cy-03", "Charged three times", days_ago=30)
    safety = await _raise(world, "tok-di-04", "Someone threatened me over my report")
    await _step(world, safety, {"status": "under_review", "urgency": "safety"}, Role.ADMIN)
    done = await _raise(world, "tok-ed-05", "Fixed already", days_ago=40)
    await _step(world, done, {"status": "resolved"}, Role.ADMIN)
    # Urgent and not yet due: answered before the overdue ones all the same.
    urgent = await _raise(world, "tok-fa-06", "The agent keeps my ID card")
    await _step(world, urgent, {"status": "under_review", "urgency": "urgent"}, Role.ADMIN)

    page = await world.get(f"/api/v1/cases?campaign={CAMPAIGN}")
    order = [case["reference"] for case in page["items"]]
    ours = [ref for ref in order if ref in {fresh, old, older, safety, done, urgent}]
    assert ours == [safety, urgent, older, old, fresh, done]
    by_ref = {case["reference"]: case for case in page["items"]}
    assert by_ref[older]["overdue"] is True
    assert by_ref[older]["due_in_seconds"] < by_ref[old]["due_in_seconds"] < 0
    assert 13 * DAY_S < by_ref[fresh]["due_in_seconds"] <= 14 * DAY_S
    assert by_ref[done]["due_in_seconds"] is None

    # Page by page, the same order.
    seen: list[str] = []
    cursor = ""
    while True:
        page = await world.get(f"/api/v1/cases?campaign={CAMPAIGN}&limit=2{cursor}")
        seen += [case["reference"] for case in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == order

    filtered = await world.get("/api/v1/cases?category=uncategorised&status=resolved")
    assert [case["reference"] for case in filtered["items"]] == [done]


@pytest.fixture
async def small_cells(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    async with api_world(redis_url, tmp_path, monkeypatch, SAUTI_PRIVACY_MIN_CELL="2") as world:
        yield world


async def test_the_desk_report_gives_times_and_rates_per_category_and_withholds_small_cells(
    small_cells: World,
) -> None:
    world = small_cells
    billing = [await _raise(world, f"tok-bill-{n}", "Charged twice", days_ago=3) for n in range(3)]
    conduct = await _raise(world, "tok-conduct-1", "Rude agent", days_ago=3)
    for reference in billing:
        await _step(world, reference, {"status": "resolved", "category": "billing"}, Role.ADMIN)
    await _step(world, conduct, {"status": "under_review", "category": "conduct"}, Role.ADMIN)
    # Two of the three billing participants answer the resolution (its buttons: a survey
    # question waits for them): one satisfied, one reopens.
    billed = [world.deployment.participant(f"tok-bill-{n}") for n in range(2)]
    await world.deployment.send(billed[0], f"/satisfied yes:{billing[0]}")
    await world.deployment.send(billed[1], f"/satisfied no:{billing[1]}")
    world.deployment.clock.now = time.time()
    await world.deployment.drain()
    await world.deployment.send(billed[1], f"reopen {billing[1]}")
    await world.deployment.drain()

    report = await world.get("/api/v1/cases/report")
    assert report["min_cell"] == 2
    rows = {row["category"]: row for row in report["categories"]}
    assert [row["category"] for row in report["categories"]] == [
        "access", "billing", "conduct", "privacy", "land", "safety", "other", "uncategorised",
    ]  # fmt: skip
    bill = rows["billing"]
    assert (bill["cases"], bill["resolved"], bill["reopened"], bill["asked"]) == (3, 3, None, 3)
    assert bill["satisfied"] is None  # one: withheld
    assert (bill["reopen_rate"], bill["satisfaction_rate"]) == (None, None)
    assert bill["first_response"]["median_seconds"] >= 3 * DAY_S - 60
    # The conduct category holds one case: nothing of it is shown, not even its zeros.
    assert {key: rows["conduct"][key] for key in ("cases", "overdue", "resolved")} == {
        "cases": None, "overdue": None, "resolved": None,
    }  # fmt: skip
    assert rows["conduct"]["first_response"] == {"median_seconds": None, "p90_seconds": None}
    # Two withheld cells (conduct, and the uncategorised one of the world): neither can be
    # worked out from the total.
    assert (rows["uncategorised"]["cases"], report["total"]["cases"]) == (None, 5)
    assert rows["access"]["cases"] == 0
    other_org = await world.get("/api/v1/cases/report", world.token("bravo", Role.CASEWORKER))
    # Its one case makes the whole line small: even its zeros are withheld.
    assert [row["cases"] for row in other_org["categories"]] == [None] * 8
    assert other_org["total"]["cases"] is None


@pytest.fixture
async def no_reopening(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    async with api_world(redis_url, tmp_path, monkeypatch, SAUTI_CASE_REOPEN_DAYS="0") as world:
        yield world


async def _last_menu(world: World, user: str) -> list[str]:
    app = world.deployment.app
    pid = world.deployment.participant(user)
    wrapped: Any = await app.redis.hget(app.schema.participant(pid), "wk")
    key = app.crypto.unwrap_data_key(wrapped)
    items: Any = await app.redis.lrange(app.schema.webchat_inbox(pid), -1, -1)
    [item] = items
    notice = open_notice(item, pid, key)
    assert notice is not None
    return [entry.command for entry in notice.menu]


async def test_without_a_reopen_time_a_resolution_offers_no_reopen_button(
    no_reopening: World,
) -> None:
    reference = await _raise(no_reopening, "tok-gi-07", "Charged twice")
    await _step(no_reopening, reference, {"status": "resolved"}, Role.ADMIN)
    assert await _last_menu(no_reopening, "tok-gi-07") == ["satisfied", "satisfied"]


async def test_a_resolution_offers_the_reopen_button_within_the_reopen_time(world: World) -> None:
    reference = await _raise(world, "tok-ha-08", "Charged twice")
    await _step(world, reference, {"status": "resolved"}, Role.ADMIN)
    assert await _last_menu(world, "tok-ha-08") == ["satisfied", "satisfied", "reopen"]
