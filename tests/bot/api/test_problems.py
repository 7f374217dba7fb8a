"""Every failure under /api/v1 is an RFC 9457 problem with a stable type: unknown paths, wrong
methods, bodies too large or of the wrong kind, malformed JSON, invalid fields, bad cursors,
survey files with mistakes, and our own errors (which say nothing of what broke)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.api.operations import campaigns
from bot.api.problems import PROBLEM_BASE
from tests.bot.api import CAMPAIGNS, ORG_A, World
from tests.kit.example import example_survey

CASE_STEPS = "/api/v1/cases/{reference}/steps"


async def _problem(response: ClientResponse, status: int, kind: str) -> dict[str, Any]:
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    problem: dict[str, Any] = await response.json()
    assert problem["type"] == PROBLEM_BASE + kind
    assert problem["status"] == status
    assert isinstance(problem["title"], str)
    assert isinstance(problem["detail"], str)
    return problem


async def test_an_unknown_path_is_a_not_found_problem(world: World) -> None:
    await _problem(
        await world.call("GET", "/api/v1/nothing", token=world.token()), 404, "not-found"
    )
    await _problem(await world.call("GET", "/api/v1/"), 404, "not-found")


async def test_a_wrong_method_is_a_problem_naming_the_methods_allowed(world: World) -> None:
    response = await world.call("DELETE", "/api/v1/campaigns", token=world.token())
    await _problem(response, 405, "method-not-allowed")
    assert set(response.headers["Allow"].split(",")) == {"GET", "POST"}


async def test_a_body_too_large_is_refused_before_it_is_read(world: World) -> None:
    path = CASE_STEPS.format(reference=world.cases[ORG_A])
    body = '{"status": "resolved", "message": "' + "x" * 20_000 + '"}'
    headers = {"Content-Type": "application/json"}
    response = await world.call("POST", path, token=world.token(), data=body, headers=headers)
    await _problem(response, 413, "body-too-large")
    survey = example_survey() + "#" * 300_000
    response = await world.call(
        "POST",
        "/api/v1/campaigns",
        token=world.token(),
        data=survey,
        headers={"Content-Type": "application/yaml"},
    )
    await _problem(response, 413, "body-too-large")


async def test_a_body_of_the_wrong_content_type_is_refused(world: World) -> None:
    path = CASE_STEPS.format(reference=world.cases[ORG_A])
    response = await world.call(
        "POST", path, token=world.token(), data="status=resolved",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    await _problem(response, 415, "unsupported-media-type")


async def test_malformed_json_and_invalid_fields_are_told_apart(world: World) -> None:
    path = CASE_STEPS.format(reference=world.cases[ORG_A])
    headers = {"Content-Type": "application/json"}
    broken = await world.call("POST", path, token=world.token(), data='{"status":', headers=headers)
    await _problem(broken, 400, "malformed-body")
    invalid = await world.call("POST", path, token=world.token(), json={"status": "happy", "x": 1})
    problem = await _problem(invalid, 422, "invalid-request")
    assert isinstance(problem["errors"], list)
    assert sorted(error["location"] for error in problem["errors"]) == ["body.status", "body.x"]
    limit = await world.call("GET", "/api/v1/campaigns?limit=500", token=world.token())
    problem = await _problem(limit, 422, "invalid-request")
    assert [error["location"] for error in problem["errors"]] == ["query.limit"]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJvZiI6ImNhc2VzIiwidCI6MCwicmVmIjoiIn0"])
async def test_a_cursor_the_list_did_not_give_is_refused(world: World, cursor: str) -> None:
    # The second is a cursor of the cases list, given to the campaigns list.
    response = await world.call("GET", f"/api/v1/campaigns?cursor={cursor}", token=world.token())
    await _problem(response, 400, "invalid-cursor")


async def test_a_survey_with_mistakes_is_refused_with_every_mistake_and_its_line(
    world: World,
) -> None:
    broken = (
        example_survey()
        .replace("kind: yes_no", "kind: yes_or_no")
        .replace("kind: scale", "kind: ladder", 1)
    )
    response = await world.call(
        "POST", "/api/v1/campaigns", token=world.token(), data=broken,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    problem = await _problem(response, 422, "invalid-survey")
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert len(errors) >= 3  # two yes/no questions and a scale
    assert all(isinstance(error["line"], int) and error["location"] for error in errors)
    assert any("yes_or_no" in error["message"] for error in errors)


async def test_our_own_failure_is_a_problem_without_a_traceback(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> dict[str, int]:
        raise RuntimeError("secret internals at /srv/sauti/bot/records/stats.py")

    monkeypatch.setattr(campaigns, "campaign_progress", broken)
    response = await world.call("GET", f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}", token=world.token())
    problem = await _problem(response, 500, "internal")
    assert "secret" not in str(problem)
    assert "Traceback" not in str(problem)


async def test_no_token_and_a_bad_token_ask_for_one(world: World) -> None:
    for token in (None, "sauti_000000000000_" + "0" * 64, "not-a-token"):
        response = await world.call("GET", "/api/v1/campaigns", token=token)
        await _problem(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_cursors_past_what_redis_takes_are_refused_not_a_server_error(world: World) -> None:
    """Positions a client made up, beyond Redis's 64-bit cursors and stream ids."""
    raw = json.dumps({"of": f"responses:{CAMPAIGNS[ORG_A]}", "shard": 0, "scan": 2**70})
    forged = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    response = await world.call(
        "GET",
        f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/responses?cursor={forged}",
        token=world.token(ORG_A, Role.ANALYST),
    )
    await _problem(response, 400, "invalid-cursor")
    raw = json.dumps({"of": "audit", "after": "99999999999999999999-0"})
    forged = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    response = await world.call("GET", f"/api/v1/audit?cursor={forged}", token=world.token(ORG_A))
    await _problem(response, 400, "invalid-cursor")
