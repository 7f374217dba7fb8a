"""The web chat under hostile or careless clients: forms from other sites, floods of joins,
spoofed forwarding headers; and its pages kept light on 2G (gzip)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import App
from bot.channels.webchat.origin import REFUSAL
from dialogues.localization import builtin_catalog
from tests.kit import webchat as browser
from tests.kit.example import CAMPAIGN
from tests.kit.running import background, built, web_server
from tests.kit.settings import deployment_settings
from tests.kit.webchat import SAME_ORIGIN

Client = TestClient[web.Request, web.Application]
JOIN = f"/j/{CAMPAIGN}"


@contextlib.asynccontextmanager
async def serving(redis_url: str, tmp_path: Any, **env: str) -> AsyncIterator[tuple[App, Client]]:
    """Sauti's web server and a worker, with settings of the test's choosing, and a client
    that sends only the headers each request names (no Fetch Metadata of its own)."""
    async with (
        built(deployment_settings(redis_url, tmp_path, **env)) as app,
        background(app.worker("test-worker")),
        web_server(app) as server,
        TestClient(server, auto_decompress=False) as client,
    ):
        yield app, client


async def _started(app: App) -> int:
    """Participants who joined the example campaign."""
    total = 0
    for shard in range(app.schema.shards):
        raw: Any = await app.redis.hget(app.schema.counters(shard, CAMPAIGN), "started")
        total += int(raw or 0)
    return total


async def _stored_events(app: App) -> int:
    return sum([await app.redis.xlen(app.schema.inbound(s)) for s in range(app.schema.shards)])


# -- forms from other sites -----------------------------------------------------------------

OTHER_SITES: list[dict[str, str]] = [
    {},  # no word from the browser at all
    {"Origin": "null"},  # a sandboxed frame or a data: URL
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site too
    {"Referer": "https://evil.example/page"},
    {"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"},
]


@pytest.mark.parametrize("headers", OTHER_SITES)
async def test_a_join_or_answer_without_proof_of_our_own_page_is_refused_and_stores_nothing(
    redis_url: str, tmp_path: Any, headers: dict[str, str]
) -> None:
    async with serving(redis_url, tmp_path) as (app, client):
        token = _token(await _join(client, SAME_ORIGIN))
        await _until_started(app, 1)
        before = await _stored_events(app)
        joined = await _join(client, headers)
        answered = await client.post(
            f"/c/{token}", data={"n": "abcdefgh12", "text": "1"}, headers=headers
        )
        for response in (joined, answered):
            assert response.status == 403
            assert await response.text() == REFUSAL
        assert await _stored_events(app) == before
        assert await _started(app) == 1


async def test_forms_from_our_own_pages_are_taken_on_old_and_new_browsers(
    redis_url: str, tmp_path: Any
) -> None:
    public = "https://survey.example.org"
    async with serving(redis_url, tmp_path, SAUTI_PUBLIC_URL=public) as (app, client):
        here = f"http://{client.host}:{client.port}"
        ours: list[dict[str, str]] = [
            {"Sec-Fetch-Site": "same-origin"},  # browsers since 2020-2023
            {"Sec-Fetch-Site": "none"},  # the person resent it themselves
            {"Origin": here},  # browsers with Origin but without Fetch Metadata
            {"Origin": public},  # behind a reverse proxy, at the public address
            {"Referer": f"{here}{JOIN}"},  # browsers that send neither (KaiOS 2.5)
            # A page loaded before its referrer policy was `same-origin` posts `Origin: null`.
            {"Sec-Fetch-Site": "same-origin", "Origin": "null"},
        ]
        for headers in ours:
            response = await _join(client, headers)
            assert response.status == 303, headers
        await _until_started(app, len(ours))


async def test_our_pages_let_the_browser_name_them_as_the_origin_of_their_forms(
    redis_url: str, tmp_path: Any
) -> None:
    """Under `no-referrer`, browsers post `Origin: null` even from our own pages: those without
    Fetch Metadata could not be told from a sandboxed frame, and would all be refused."""
    async with serving(redis_url, tmp_path) as (_, client):
        page = await _text(await client.get(JOIN))
        assert '<meta name="referrer" content="same-origin">' in page


# -- floods of joins ------------------------------------------------------------------------


async def test_joins_past_the_limit_get_429_a_friendly_page_and_make_no_participant(
    redis_url: str, tmp_path: Any
) -> None:
    async with serving(redis_url, tmp_path, SAUTI_WEBCHAT_JOIN_LIMIT="3") as (app, client):
        for _ in range(3):
            assert (await _join(client, SAME_ORIGIN)).status == 303
        refused = await _join(client, {**SAME_ORIGIN, "Accept-Language": "sw"})
        assert refused.status == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 600
        page = await _text(refused)
        assert builtin_catalog().message("web.too_many_joins", "sw") in page
        assert "Traceback" not in page
        await _until_started(app, 3)
        await asyncio.sleep(0.3)
        assert await _started(app) == 3
        assert (await client.get(JOIN)).status == 200  # reading the join page is not joining


async def test_forwarded_for_is_ignored_unless_it_comes_from_a_trusted_proxy(
    redis_url: str, tmp_path: Any
) -> None:
    async with serving(redis_url, tmp_path, SAUTI_WEBCHAT_JOIN_LIMIT="2") as (_, client):
        # Anyone can write the header: a new one per request must not buy new joins.
        for n in range(2):
            assert (await _join(client, _forwarded(f"203.0.113.{n}"))).status == 303
        assert (await _join(client, _forwarded("203.0.113.99"))).status == 429


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    redis_url: str, tmp_path: Any
) -> None:
    env = {"SAUTI_WEBCHAT_JOIN_LIMIT": "2", "SAUTI_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    async with serving(redis_url, tmp_path, **env) as (_, client):
        for _ in range(2):
            assert (await _join(client, _forwarded("203.0.113.7"))).status == 303
        assert (await _join(client, _forwarded("203.0.113.7"))).status == 429
        # A client cannot get out of its limit by writing addresses of its own to the left,
        # and a second proxy of ours in the chain passes the client's address on.
        assert (await _join(client, _forwarded("198.51.100.1, 203.0.113.7"))).status == 429
        assert (await _join(client, _forwarded("203.0.113.7, 10.1.2.3"))).status == 429
        assert (await _join(client, _forwarded("203.0.113.8"))).status == 303
        # IPv6: one household holds a whole /64 and can pick any address in it.
        for n in range(2):
            assert (await _join(client, _forwarded(f"2001:db8:1:2::{n + 1}"))).status == 303
        assert (await _join(client, _forwarded("2001:db8:1:2:ffff::9"))).status == 429
        assert (await _join(client, _forwarded("2001:db8:1:3::1"))).status == 303
        # Garbage in the header is no address: the proxy's own (the peer) is counted.
        assert (await _join(client, _forwarded("not an address"))).status == 303


async def test_no_client_address_reaches_redis(redis_url: str, tmp_path: Any) -> None:
    env = {"SAUTI_TRUSTED_PROXIES": "127.0.0.1"}
    async with serving(redis_url, tmp_path, **env) as (app, client):
        for address in ("203.0.113.7", "2001:db8:1:2::1"):
            assert (await _join(client, _forwarded(address))).status == 303
        await _until_started(app, 2)
        stored = b""  # every key's name, and the value of every plain string key
        async for key in app.redis.scan_iter(count=1000):
            name: bytes = key
            stored += name
            if await app.redis.type(name) == b"string":
                value: Any = await app.redis.get(name)
                stored += value or b""
        assert b":joins:" in stored
        for raw in (b"203.0.113.7", b"2001:db8", b"127.0.0.1"):
            assert raw not in stored


async def test_reading_pages_creates_nothing(redis_url: str, tmp_path: Any) -> None:
    async with serving(redis_url, tmp_path) as (app, client):
        token = _token(await _join(client, SAME_ORIGIN))
        await _until_started(app, 1)
        await asyncio.sleep(0.3)
        before: int = await app.redis.dbsize()
        for path in (JOIN, f"{JOIN}?lang=sw", f"/c/{token}", f"/c/{token}?w=join&l=en&r=2"):
            for method in ("GET", "HEAD"):
                assert (await client.request(method, path)).status == 200
        assert (await client.get("/c/" + "A" * 32)).status == 404
        assert await app.redis.dbsize() == before


# -- light pages ----------------------------------------------------------------------------


async def test_pages_travel_gzipped_to_browsers_that_accept_it(
    redis_url: str, tmp_path: Any
) -> None:
    async with serving(redis_url, tmp_path) as (_, client):
        token = _token(await _join(client, SAME_ORIGIN))
        plain = await client.get(f"/c/{token}", headers={"Accept-Encoding": "identity"})
        zipped = await client.get(f"/c/{token}", headers={"Accept-Encoding": "gzip, deflate"})
        assert "Content-Encoding" not in plain.headers
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in zipped.headers["Vary"]
        plain_body, zipped_body = await plain.read(), await zipped.read()
        assert len(zipped_body) < len(plain_body) / 2
        page = gzip.decompress(zipped_body).decode()
        assert browser.lines(page) == browser.lines(plain_body.decode())
        refused = await client.get(f"/c/{token}", headers={"Accept-Encoding": "gzip;q=0"})
        assert "Content-Encoding" not in refused.headers


async def test_tiny_answers_go_as_they_are(redis_url: str, tmp_path: Any) -> None:
    async with serving(redis_url, tmp_path) as (_, client):
        health = await client.get("/healthz", headers={"Accept-Encoding": "gzip"})
        assert health.status == 200
        assert "Content-Encoding" not in health.headers


# -- helpers --------------------------------------------------------------------------------


async def _join(client: Client, headers: dict[str, str]) -> Any:
    """Post the join form as a browser does: with the page's hidden fields (the version of
    the data notice it shows), and the headers given."""
    page = await _text(await client.get(JOIN))
    form = dict(browser.hidden_fields(page)) | {"lang": "en"}
    return await client.post(JOIN, data=form, headers=headers, allow_redirects=False)


def _forwarded(chain: str) -> dict[str, str]:
    return {**SAME_ORIGIN, "X-Forwarded-For": chain}


def _token(response: Any) -> str:
    assert response.status == 303
    location: str = response.headers["Location"]
    return location.removeprefix("/c/")[:32]


async def _text(response: Any) -> str:
    body: bytes = await response.read()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


async def _until_started(app: App, count: int) -> None:
    for _ in range(100):
        if await _started(app) >= count:
            return
        await asyncio.sleep(0.05)
    assert await _started(app) == count
