"""Live results through the API: a stream of server-sent events that says when a new results
snapshot is taken — never for one answer, only once enough participants answered through the
deployment — with a heartbeat, a limit of streams per caller, and an end when the client
leaves, when its time is up and when the server shuts down."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.access.tokens import TokenStore
from bot.api import server
from tests.bot.api import CAMPAIGN_B, CAMPAIGNS, ORG_A, World, answer, api_world, email

EVENTS = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/results/events"


@pytest.fixture
async def live(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    async with api_world(
        redis_url, tmp_path, monkeypatch, SAUTI_API_EVENTS_PER_CALLER="2"
    ) as world:
        yield world


async def next_event(response: ClientResponse, within: float = 5.0) -> dict[str, str]:
    """The next event's fields (comments and `retry` skipped)."""
    fields: dict[str, str] = {}
    async with asyncio.timeout(within):
        while True:
            line = (await response.content.readline()).decode()
            if line == "":
                raise EOFError("the stream ended")
            line = line.rstrip("\n")
            if line == "" and "event" in fields:
                return fields
            if line and not line.startswith((":", "retry:")):
                name, _, value = line.partition(": ")
                fields[name] = value


async def open_stream(world: World, role: Role = Role.VIEWER) -> ClientResponse:
    response = await world.call("GET", EVENTS, token=world.token(ORG_A, role))
    assert response.status == 200, await response.text()
    assert response.content_type == "text/event-stream"
    return response


async def test_one_answer_announces_nothing_and_enough_people_announce_a_snapshot(
    live: World,
) -> None:
    results = f"/api/v1/campaigns/{CAMPAIGNS[ORG_A]}/results"
    token = live.token(ORG_A, Role.VIEWER)
    stream = await open_stream(live)
    first = await next_event(stream)
    assert first["event"] == "results"
    before = json.loads(first["data"])["version"]
    read_before = await live.get(results, token)
    assert read_before["version"] == before

    # One person answers: no event, whatever the wait (the stream looks once a second), and
    # the figures are the same.
    deployment = live.deployment
    await answer(deployment, deployment.participant("tok-new-0000"), CAMPAIGNS[ORG_A], "")
    with pytest.raises(TimeoutError):
        await next_event(stream, within=2.5)
    read_after = await live.get(results, token)
    assert read_after == {**read_before, "needed": 4}

    # Four more (the minimum is 5): one event, a new snapshot holding all five.
    for n in range(1, 5):
        await answer(deployment, deployment.participant(f"tok-new-000{n}"), CAMPAIGNS[ORG_A], "")
    changed = await next_event(stream)
    assert changed["event"] == "results"
    assert json.loads(changed["data"])["version"] == before + 1
    moved = await live.get(results, token)
    assert moved["version"] == before + 1
    assert moved["needed"] == 0
    assert moved["started"] == 4 + 5  # the world's four and the five new
    stream.close()


async def test_a_caller_holds_a_limited_number_of_streams_and_gets_them_back(
    live: World,
) -> None:
    streams = [await open_stream(live) for _ in range(2)]
    for stream in streams:
        await next_event(stream)
    refused = await live.call("GET", EVENTS, token=live.token(ORG_A, Role.VIEWER))
    assert refused.status == 429
    assert "at most 2" in (await refused.json())["detail"]
    other = await open_stream(live, Role.ANALYST)  # another caller has their own
    other.close()

    streams[0].close()  # the browser tab closed: its place comes back within a second or two
    async with asyncio.timeout(5):
        while True:
            again = await live.call("GET", EVENTS, token=live.token(ORG_A, Role.VIEWER))
            if again.status == 200:
                break
            await asyncio.sleep(0.2)
    again.close()
    streams[1].close()


async def test_another_organisations_campaign_and_a_role_without_results_are_refused(
    live: World,
) -> None:
    elsewhere = f"/api/v1/campaigns/{CAMPAIGN_B}/results/events"
    response = await live.call("GET", elsewhere, token=live.token(ORG_A, Role.ADMIN))
    assert response.status == 404
    response = await live.call("GET", EVENTS, token=live.token(ORG_A, Role.CASEWORKER))
    assert response.status == 403


async def test_streams_end_when_the_server_shuts_down(live: World) -> None:
    stream = await open_stream(live)
    await next_event(stream)
    app = live.client.app
    assert app is not None
    await app.shutdown()  # as `sauti run` does on SIGTERM, before it waits for requests
    with pytest.raises(EOFError):
        await next_event(stream, within=5)
    refused = await live.call("GET", EVENTS, token=live.token(ORG_A, Role.VIEWER))
    assert refused.status == 503


async def test_a_stream_ends_when_its_time_is_up_and_says_when_to_come_back(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with api_world(redis_url, tmp_path, monkeypatch, SAUTI_API_EVENTS_SECONDS="1") as world:
        stream = await open_stream(world)
        assert (await stream.content.readline()).decode() == "retry: 5000\n"
        await next_event(stream)
        with pytest.raises(EOFError):
            await next_event(stream, within=5)


async def test_a_quiet_stream_carries_a_heartbeat(
    live: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "HEARTBEAT_SECONDS", 0.5)  # 15 s in earnest
    stream = await open_stream(live)
    await next_event(stream)
    async with asyncio.timeout(5):
        line = await stream.content.readline()
        while line == b"\n":
            line = await stream.content.readline()
    assert line == b": still here\n"
    stream.close()


async def test_a_stream_ends_soon_after_its_token_is_revoked(
    live: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It used to run on for its whole time (300 s) with a token no longer good."""
    monkeypatch.setattr(server, "RECHECK_SECONDS", 0.5)  # 15 s in earnest
    store = TokenStore(live.deployment.app.redis, live.deployment.app.schema)
    issued = await store.create(email(ORG_A, Role.VIEWER), ORG_A, Role.VIEWER, days=1)
    stream = await live.call("GET", EVENTS, token=issued.secret_token)
    assert stream.status == 200
    await next_event(stream)
    await store.revoke(issued.token.token_id)
    with pytest.raises(EOFError):
        await next_event(stream, within=5)


async def test_a_stream_ends_soon_after_its_owner_loses_the_role(
    live: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "RECHECK_SECONDS", 0.5)
    stream = await open_stream(live, Role.ANALYST)
    await next_event(stream)
    await live.deployment.app.staff().set_role(email(ORG_A, Role.ANALYST), ORG_A, Role.CASEWORKER)
    with pytest.raises(EOFError):
        await next_event(stream, within=5)


async def test_a_stream_whose_caller_still_may_runs_on(
    live: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "RECHECK_SECONDS", 0.2)
    stream = await open_stream(live)
    await next_event(stream)
    deployment = live.deployment
    await asyncio.sleep(1)  # several checks
    for n in range(5):  # enough people for a new snapshot (the minimum is 5)
        await answer(deployment, deployment.participant(f"tok-new-010{n}"), CAMPAIGNS[ORG_A], "")
    assert (await next_event(stream))["event"] == "results"
    stream.close()
