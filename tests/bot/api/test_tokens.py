"""API tokens: made, listed and revoked with `sauti token`, shown once, stored only as a hash,
refused once revoked or expired, never more than their owner's current role, and held to a
request rate."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.access.roles import Role
from bot.access.tokens import TokenStore, effective_role
from tests.bot.api import ORG_A, World, api_world, email
from tests.bot.commands import sauti


def _store(world: World) -> TokenStore:
    return TokenStore(world.deployment.app.redis, world.deployment.app.schema)


async def _status(world: World, token: str, method: str = "GET", path: str = "/api/v1/me") -> int:
    return (await world.call(method, path, token=token)).status


async def test_a_token_made_on_the_command_line_works_until_it_is_revoked(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = email(ORG_A, Role.ANALYST)
    assert await sauti("token", "create", owner, "--org", ORG_A, "--expires", "7") == 0
    made = capsys.readouterr()
    token = made.out.strip()
    token_id = token.split("_")[1]
    assert token.startswith("sauti_")
    assert "not shown again" in made.err
    me = await world.get("/api/v1/me", token)
    assert (me["role"], me["actor"]) == ("analyst", f"token:{token_id}")  # the owner's role

    assert await sauti("token", "list", "--org", ORG_A) == 0
    listed = capsys.readouterr().out
    [row] = [line.split("\t") for line in listed.splitlines() if line.startswith(token_id)]
    assert row[1:3] == [owner, "analyst"]
    assert row[4] != "never"  # used just now
    assert token.split("_")[2] not in listed
    keys = await world.deployment.app.redis.keys("*")
    assert all(token.split("_")[2].encode() not in key for key in keys)
    stored = await world.deployment.app.redis.hgetall(
        world.deployment.app.schema.api_token(token_id)
    )
    assert token.split("_")[2] not in str(stored)

    assert await sauti("token", "revoke", token_id) == 0
    assert await _status(world, token) == 401
    assert await sauti("token", "revoke", token_id) == 1


async def test_a_token_is_refused_a_role_beyond_its_owners(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    caseworker = email(ORG_A, Role.CASEWORKER)
    assert await sauti("token", "create", caseworker, "--org", ORG_A, "--role", "analyst") == 1
    assert "cannot be analyst" in capsys.readouterr().err
    assert await sauti("token", "create", "nobody@x.example", "--org", ORG_A) == 1
    assert "not staff" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="2"):
        await sauti("token", "create", caseworker, "--org", ORG_A, "--expires", "400")
    assert "from 1 to 365" in capsys.readouterr().err
    admin = email(ORG_A, Role.ADMIN)
    assert await sauti("token", "create", admin, "--org", ORG_A, "--role", "viewer") == 0
    viewer_token = capsys.readouterr().out.strip()
    assert (await world.get("/api/v1/me", viewer_token))["role"] == "viewer"


async def test_an_expired_token_is_refused(world: World) -> None:
    store = _store(world)
    owner = email(ORG_A, Role.VIEWER)
    issued = await store.create(owner, ORG_A, Role.VIEWER, days=1, now=time.time() - 86_400 - 5)
    assert await _status(world, issued.secret_token) == 401
    assert await store.verify(issued.secret_token) is None


async def test_a_revoked_token_used_at_that_moment_does_not_come_back(world: World) -> None:
    store = _store(world)
    issued = await store.create(email(ORG_A, Role.VIEWER), ORG_A, Role.VIEWER, days=1)
    await store.revoke(issued.token.token_id)
    await store.mark_used(issued.token, time.time())  # a request that began before
    redis, schema = world.deployment.app.redis, world.deployment.app.schema
    assert await redis.exists(schema.api_token(issued.token.token_id)) == 0
    assert await store.verify(issued.secret_token) is None


async def test_a_demoted_owners_token_no_longer_grants_the_higher_role(world: World) -> None:
    staff = world.deployment.app.staff()
    token = world.token(ORG_A, Role.ADMIN)
    close = "/api/v1/campaigns/safe-connect-2026/close"
    await staff.set_role(email(ORG_A, Role.ADMIN), ORG_A, Role.VIEWER)
    assert await _status(world, token, "POST", close) == 403
    assert await _status(world, token, "GET", "/api/v1/campaigns") == 200
    assert (await world.get("/api/v1/me", token))["role"] == "viewer"
    # Moved sideways (an analyst's token, now a caseworker): the token stops altogether.
    await staff.set_role(email(ORG_A, Role.ANALYST), ORG_A, Role.CASEWORKER)
    assert await _status(world, world.token(ORG_A, Role.ANALYST)) == 401
    # Taken out of the organisation: their tokens stop at once.
    await staff.remove(email(ORG_A, Role.VIEWER), ORG_A)
    assert await _status(world, world.token(ORG_A, Role.VIEWER)) == 401


def test_a_tokens_role_is_at_most_its_owners_current_role() -> None:
    assert effective_role(Role.ANALYST, Role.ADMIN) is Role.ANALYST
    assert effective_role(Role.ADMIN, Role.VIEWER) is Role.VIEWER
    assert effective_role(Role.ANALYST, Role.CASEWORKER) is None
    assert effective_role(Role.VIEWER, None) is None


async def test_a_burst_beyond_the_rate_is_told_when_to_come_back(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with api_world(
        redis_url, tmp_path, monkeypatch, SAUTI_API_RATE="2", SAUTI_API_BURST="3"
    ) as world:
        token = world.token(ORG_A, Role.VIEWER)
        statuses = [await _status(world, token) for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await world.call("GET", "/api/v1/me", token=token)
        assert limited.headers["Retry-After"] == "1"
        assert (await limited.json())["type"].endswith("/rate-limited")
        assert await _status(world, world.token(ORG_A, Role.ANALYST)) == 200  # its own rate
        await asyncio.sleep(0.6)  # one request's worth at 2 a second
        assert await _status(world, token) == 200
