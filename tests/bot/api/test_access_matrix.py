"""Who may call what, read from the API's own OpenAPI document: every operation it describes,
called by every role (and by nobody), is allowed or refused exactly as `ROLE_PERMISSIONS` and
the operation's `x-sauti-permission` say. An operation without a permission, or without an
example request below, fails here: a new endpoint cannot ship without its access rule.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.access.roles import ROLE_PERMISSIONS, Permission, Role
from bot.access.tokens import TokenStore
from bot.conversation.campaign import CampaignStatus
from bot.records.cases import NEXT, CaseStatus, find_case
from bot.records.triage_items import triage_item
from bot.records.triage_marks import Mark, mark_item
from tests.bot.api import BOTH, CAMPAIGNS, ORG_A, World, api_world, email
from tests.bot.loop import SIM_COMPOSED, SIM_DECISION
from tests.kit.example import example_survey


@pytest.fixture
async def world(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """Each role's one token calls every operation in turn, more than a burst of the API's
    rate: here the rate is not what is tested (test_tokens.py tests it), so it is lifted. A
    live stream, read to its end like every answer, ends after a second."""
    async with api_world(
        redis_url,
        tmp_path,
        monkeypatch,
        SAUTI_API_RATE="100000",
        SAUTI_API_BURST="10000",
        SAUTI_API_EVENTS_SECONDS="1",
    ) as value:
        yield value


ANYONE = {"public", "signed-in"}


@dataclass(frozen=True)
class Example:
    """A valid request of one operation."""

    path: str
    json: Any = None
    data: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


async def _step(world: World) -> Example:
    """A step the case can take from where it is now (each allowed call moves it)."""
    deployment = world.deployment
    case = await find_case(deployment.app.redis, deployment.app.schema, world.cases[ORG_A])
    assert case is not None
    following = sorted(NEXT[case.status] - {CaseStatus.RESOLVED})
    return Example(f"/api/v1/cases/{case.reference}/steps", json={"status": following[0]})


async def _tag(world: World) -> Example:
    """A theme on the free-text answer of the person who answered both campaigns."""
    app = world.deployment.app
    pseudonym = (await app.pseudonyms(ORG_A)).of(world.deployment.participant(BOTH))
    return Example(
        f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/themes",
        json={"response_id": f"{pseudonym}/unsafe_what", "add": ["checkpoints"]},
    )


async def _dismiss(world: World) -> Example:
    """A theme suggestion dismissed on that answer (dismissing it again changes nothing)."""
    example = await _tag(world)
    body = {"response_id": example.json["response_id"], "theme": "fees", "accept": False}
    return Example(f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/themes/suggestions", json=body)


async def _alert(world: World) -> Example:
    """An acknowledgement of a safety alert on that answer, raised first (each allowed call
    closes it)."""
    app = world.deployment.app
    pid = world.deployment.participant(BOTH)
    shard, item = app.schema.shard_of(pid), triage_item(pid, "unsafe_what")
    await mark_item(app.redis, app.schema, CAMPAIGNS[ORG_A], shard, item, Mark.SAFETY, "")
    await mark_item(app.redis, app.schema, CAMPAIGNS[ORG_A], shard, item, Mark.SAFETY, "1")
    example = await _tag(world)
    return Example(
        f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/alerts/acknowledge",
        json={"response_id": example.json["response_id"]},
    )


async def _flag(world: World) -> Example:
    """An urgent flag on that answer."""
    example = await _tag(world)
    return Example(
        f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/triage/marks",
        json={"response_id": example.json["response_id"], "urgent": True},
    )


def _decision(world: World, suffix: str, json: Any = None) -> Callable[[], Awaitable[Example]]:
    """A call on the example decision, stored first (storing it again changes nothing)."""

    async def stored() -> Example:
        deployment = world.deployment
        await deployment.app.ledger().load(SIM_DECISION, deployment.received_ms)
        path = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/decisions/sim-without-id{suffix}"
        return Example(path, json=json)

    return stored


def _leaving(world: World) -> Callable[[], Awaitable[Example]]:
    """Someone new each time, to be taken out of the organisation."""
    made: list[str] = []

    async def newcomer() -> Example:
        address = f"leaving-{len(made)}@{ORG_A}.example"
        made.append(address)
        await world.deployment.app.staff().add(address, ORG_A, Role.VIEWER)
        return Example(f"/api/v1/staff/{address}")

    return newcomer


def _revocable(world: World) -> Callable[[], Awaitable[Example]]:
    """A new token of the viewer each time, to be revoked."""

    async def made() -> Example:
        app = world.deployment.app
        issued = await TokenStore(app.redis, app.schema).create(
            email(ORG_A, Role.VIEWER), ORG_A, Role.VIEWER, days=1
        )
        return Example(f"/api/v1/tokens/{issued.token.token_id}/revoke")

    return made


def _opened(world: World, path: str) -> Callable[[], Awaitable[Example]]:
    """Invitations are to an open campaign (the campaign operations before may close it)."""

    async def example() -> Example:
        app = world.deployment.app
        await app.campaigns.set_status(CAMPAIGNS[ORG_A], CampaignStatus.OPEN)
        return Example(path)

    return example


def _always(example: Example) -> Callable[[], Awaitable[Example]]:
    async def same() -> Example:
        return example

    return same


def _examples(world: World) -> dict[str, Callable[[], Awaitable[Example]]]:
    campaign = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}"
    case = f"/api/v1/cases/{world.cases[ORG_A]}"
    fixed = {
        "getOpenApi": Example("/api/v1/openapi.json"),
        "getMe": Example("/api/v1/me"),
        "listCampaigns": Example("/api/v1/campaigns"),
        "getCampaign": Example(campaign),
        "loadCampaign": Example(
            "/api/v1/campaigns",
            data=example_survey(),
            headers={"Content-Type": "application/yaml"},
        ),
        "closeCampaign": Example(f"{campaign}/close"),
        "openCampaign": Example(f"{campaign}/open?accept_machine_drafted=true"),
        "listResponses": Example(f"{campaign}/responses?free_text=true"),
        "getResults": Example(f"{campaign}/results?by=language"),
        "watchResults": Example(f"{campaign}/results/events"),
        "listCases": Example("/api/v1/cases"),
        "getCaseReport": Example("/api/v1/cases/report"),
        "getCase": Example(case),
        "listDecisions": Example(f"/api/v1/decisions?campaign={CAMPAIGNS[ORG_A]}"),
        "listAudit": Example("/api/v1/audit?limit=5"),
        "verifyAudit": Example("/api/v1/audit/verify"),
        "listStaff": Example("/api/v1/staff"),
        "addStaff": Example(
            "/api/v1/staff", json={"email": f"newcomer@{ORG_A}.example", "role": "viewer"}
        ),
        "setStaffRole": Example(
            f"/api/v1/staff/{email(ORG_A, Role.VIEWER)}/role", json={"role": "viewer"}
        ),
        "resetStaff": Example(f"/api/v1/staff/{email(ORG_A, Role.VIEWER)}/reset"),
        "listTokens": Example("/api/v1/tokens"),
        "createToken": Example("/api/v1/tokens", json={"owner": email(ORG_A, Role.VIEWER)}),
        "getLoopReport": Example(f"/api/v1/loop/report?campaign={CAMPAIGNS[ORG_A]}"),
        "getPanel": Example("/api/v1/panel?segment=language%3Den"),
    }
    made = {name: _always(example) for name, example in fixed.items()}
    made["stepCase"] = lambda: _step(world)  # a step the case can take now
    made["tagAnswer"] = lambda: _tag(world)
    made["countThemes"] = _always(Example(f"{campaign}/themes"))
    made["suggestThemes"] = _always(Example(f"{campaign}/themes/suggestions"))
    made["decideThemeSuggestion"] = lambda: _dismiss(world)
    made["listTriage"] = _always(Example(f"{campaign}/triage?flag=unflagged"))
    made["markTriageItem"] = lambda: _flag(world)
    made["listAlerts"] = _always(Example("/api/v1/alerts"))
    made["acknowledgeAlert"] = lambda: _alert(world)
    made["exportResponses"] = _always(Example(f"{campaign}/export?format=json"))
    made["listBreakdowns"] = _always(Example(f"{campaign}/results/breakdowns"))
    made["exportResults"] = _always(Example(f"{campaign}/results/export?format=xlsx&by=language"))
    made["uploadDecision"] = _always(
        Example(f"{campaign}/decisions", data=SIM_DECISION, headers={"Content-Type": "text/yaml"})
    )
    made["removeStaff"] = _leaving(world)
    made["revokeToken"] = _revocable(world)
    made["getDecision"] = _decision(world, "")
    made["previewDecision"] = _decision(world, "/preview")
    made["publishDecision"] = _decision(world, "/publish", json={})
    made["previewInvitation"] = _opened(world, f"{campaign}/invitations/preview?segment=area%3Dx")
    made["sendInvitation"] = _opened(world, f"{campaign}/invitations?segment=language%3Den")
    made["getDecisionProgress"] = _decision(world, "/progress")
    made["getDecisionReactions"] = _decision(world, "/reactions")
    made["composeDecision"] = _decision(world, "", json=SIM_COMPOSED)
    made["getDecisionChoices"] = _always(Example(f"{campaign}/decision-choices"))
    return made


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def _expected(operation: dict[str, Any], role: Role | None) -> int:
    rule = operation.get("x-sauti-permission")
    assert rule is not None, f"{operation['operationId']} declares no permission"
    success = int(next(status for status in operation["responses"] if status.startswith("2")))
    if rule == "public":
        return success
    if role is None:
        return 401
    if rule == "signed-in":
        return success
    return success if Permission(rule) in ROLE_PERMISSIONS[role] else 403


async def test_every_operation_allows_and_refuses_each_role_as_the_policy_says(
    world: World,
) -> None:
    document = await world.get("/api/v1/openapi.json")
    operations = _operations(document)
    examples = _examples(world)
    described = {operation["operationId"] for _, _, operation in operations}
    assert described == set(examples), "an operation without an example request (or the reverse)"
    outcomes: dict[tuple[str, str], tuple[int, int]] = {}
    for method, _, operation in operations:
        for role in [None, *Role]:
            example = await examples[operation["operationId"]]()
            token = world.token(ORG_A, role) if role is not None else None
            response = await world.call(
                method,
                example.path,
                token=token,
                json=example.json,
                data=example.data,
                headers=example.headers,
            )
            expected = _expected(operation, role)
            who = role.value if role is not None else "no token"
            outcomes[(operation["operationId"], who)] = (response.status, expected)
            if response.status >= 400:
                problem = await response.json()
                assert problem["status"] == response.status
            await response.read()  # a file (an export) is read to its end before the next call
    wrong = {key: got for key, got in outcomes.items() if got[0] != got[1]}
    assert wrong == {}, "(status, expected) per (operation, role)"
    # Each role is refused something, and allowed something, so the table is not vacuous.
    for role in Role:
        if role is Role.ADMIN:
            continue
        assert any(got == 403 for (_, who), (got, _) in outcomes.items() if who == role.value)


async def test_every_operation_declares_its_permission_in_the_document(world: World) -> None:
    document = await world.get("/api/v1/openapi.json")
    rules = {
        operation["operationId"]: operation.get("x-sauti-permission")
        for _, _, operation in _operations(document)
    }
    known = {permission.value for permission in Permission} | ANYONE
    assert {name: rule for name, rule in rules.items() if rule not in known} == {}
    assert rules["getOpenApi"] == "public"
    assert rules["listResponses"] == "responses:read"


async def test_an_operation_on_a_named_thing_has_its_owner_found_by_the_server(
    world: World,
) -> None:
    """Every operation whose path or query names a campaign or a case lets the server find the
    owning organisation before its handler runs (`x-sauti-owner`), so a handler that forgot
    to check cannot serve another organisation's thing."""
    document = await world.get("/api/v1/openapi.json")
    owners = {}
    for _, path, operation in _operations(document):
        if operation.get("x-sauti-permission") in ANYONE:
            continue
        owner = operation.get("x-sauti-owner")
        # A required `campaign` names the thing acted on; an optional one only filters a list
        # of the caller's own organisation.
        named = {
            p["name"]
            for p in operation.get("parameters", [])
            if p["in"] in ("path", "query") and p.get("required")
        }
        if "{campaign_id}" in path:
            assert owner == "campaign-in-path", operation["operationId"]
        elif "{reference}" in path:
            assert owner == "case-in-path", operation["operationId"]
        elif "campaign" in named:
            assert owner == "campaign-in-query", operation["operationId"]
        else:
            assert owner == "caller", operation["operationId"]
        owners[operation["operationId"]] = owner
    # Its campaign is optional (none: the organisation's report): the handler finds the
    # campaign's owner when one is named (test_loop.py calls it with another's).
    assert owners["getLoopReport"] == "caller"
    assert owners["listDecisions"] == "campaign-in-query"
    assert owners["stepCase"] == "case-in-path"
