"""The JSON API, called over HTTP against a deployment the real pipeline filled: two
organisations, each with a campaign, staff of every role with a token each, answers and a
grievance case in both, and one person who answered both organisations' campaigns.

`RecordedAudit` wraps the deployment's real audit log (which checks every entry's shape): the
tests read what the API told it, in order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot.access.organisations import DEFAULT_ORG
from bot.access.roles import Role
from bot.access.tokens import TokenStore
from bot.api.audit import AuditAction, AuditRecorder
from bot.conversation.inbound import Join
from bot.records.cases import list_cases
from bot.records.snapshots import take_snapshot
from bot.web import make_web_app, runner_options
from tests.bot.commands import Deployment, deployed
from tests.kit.example import CAMPAIGN, example_survey

ORG_A = DEFAULT_ORG  # where the example campaign lives
ORG_B = "bravo"
CAMPAIGN_B = "bravo-voices"
CAMPAIGNS = {ORG_A: CAMPAIGN, ORG_B: CAMPAIGN_B}
STORY = {ORG_A: "Soldiers at the checkpoint read my messages", ORG_B: "Agents ask for my PIN"}
GRIEVANCE = {ORG_A: "The agent charged me twice", ORG_B: "My line was cut for a week"}
# The person who answers both organisations' campaigns, and their web chat token.
BOTH = "tok-amina-5f1e"
ONLY_A = ("tok-juma-77c2", "tok-claire-90ab", "tok-gift-31aa")


def bravo_survey() -> str:
    return example_survey().replace(f"id: {CAMPAIGN}", f"id: {CAMPAIGN_B}", 1)


@dataclass(frozen=True, slots=True)
class Recorded:
    org: str
    actor: str
    action: AuditAction
    target: str | None
    count: int | None
    details: Mapping[str, str | int]


@dataclass
class RecordedAudit:
    """The audit log, and what the API told it, in order."""

    log: AuditRecorder
    entries: list[Recorded] = field(default_factory=list)

    async def record(
        self,
        org: str,
        *,
        actor: str,
        action: AuditAction,
        target: str | None = None,
        count: int | None = None,
        address: str | None = None,
        details: Mapping[str, str | int] | None = None,
    ) -> object:
        entry = await self.log.record(
            org,
            actor=actor,
            action=action,
            target=target,
            count=count,
            address=address,
            details=details,
        )
        self.entries.append(Recorded(org, actor, action, target, count, dict(details or {})))
        return entry


@dataclass
class World:
    deployment: Deployment
    client: TestClient[web.Request, web.Application]
    audit: RecordedAudit
    tokens: dict[tuple[str, Role], str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)  # org -> its case's reference

    def token(self, org: str = ORG_A, role: Role = Role.ADMIN) -> str:
        return self.tokens[(org, role)]

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        data: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ClientResponse:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return await self.client.request(method, path, json=json, data=data, headers=sent)

    async def get(self, path: str, token: str | None = None) -> Any:
        """A GET that must succeed: its JSON."""
        response = await self.call("GET", path, token=token or self.token())
        assert response.status == 200, await response.text()
        return await response.json()


def email(org: str, role: Role) -> str:
    return f"{role.value}@{org}.example"


async def populate(world: World) -> None:
    deployment = world.deployment
    app = deployment.app
    organisations = app.organisations()
    await organisations.ensure(ORG_A, "Nuru Mobile")
    await organisations.create(ORG_B, "Bravo Telecom")
    await app.campaigns.load(bravo_survey(), org=ORG_B, open_now=True)
    tokens = TokenStore(app.redis, app.schema)
    for org in (ORG_A, ORG_B):
        for role in Role:
            await app.staff().add(email(org, role), org, role)
            issued = await tokens.create(email(org, role), org, role, days=30)
            world.tokens[(org, role)] = issued.secret_token
    both = deployment.participant(BOTH)
    for org in (ORG_A, ORG_B):
        await answer(deployment, both, CAMPAIGNS[org], STORY[org])
        await deployment.send(both, "feedback")
        await deployment.send(both, GRIEVANCE[org])
        await deployment.drain()
    for user in ONLY_A:
        await answer(deployment, deployment.participant(user), CAMPAIGN, "")
    # Readers see results snapshots, taken once enough people answered (bot.records.snapshots):
    # these few people's answers as one snapshot holds them, as closing the campaigns would.
    for campaign in CAMPAIGNS.values():
        await take_snapshot(app.redis, app.schema, campaign, 1)
    for case in await list_cases(app.redis, app.schema):
        world.cases[ORG_A if case.campaign_id == CAMPAIGN else ORG_B] = case.reference
    assert set(world.cases) == {ORG_A, ORG_B}


async def answer(deployment: Deployment, pid: str, campaign: str, story: str) -> None:
    """Join `campaign` in English and answer: text messages, yes (felt unsafe), the story (or
    nothing more, when there is none)."""
    await deployment.send(pid, Join(campaign, "en"))
    await deployment.drain()
    for said in ("2", "yes", story) if story else ("2",):
        await deployment.send(pid, said)
    await deployment.drain()


@asynccontextmanager
async def api_world(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: str
) -> AsyncIterator[World]:
    async with deployed(redis_url, tmp_path, monkeypatch, **settings) as deployment:
        audit = RecordedAudit(deployment.app.audit_log())
        web_app = make_web_app(deployment.app, audit=audit)
        server = TestServer(web_app, host="127.0.0.1")
        await server.start_server(**runner_options())
        async with TestClient(server) as client:
            world = World(deployment, client, audit)
            await populate(world)
            audit.entries.clear()
            yield world
