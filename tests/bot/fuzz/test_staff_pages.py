"""The staff pages under hostile paths, cookies, headers and forms, as anyone on the internet
can reach them: never a 5xx, never a traceback, and no hostile request signs anyone in."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientSession, ClientTimeout
from yarl import URL

from bot.access.csrf import PreSessionTokens
from bot.access.roles import Role
from bot.app import App
from bot.staff_web.wiring import build_sign_in
from bot.web import MAX_REQUEST_BYTES
from tests.bot.fuzz import hostile
from tests.bot.fuzz.stack import OUTCOMES, tracebacks
from tests.bot.staff_web import FAST_HASHES
from tests.kit.running import base_url, built, web_server
from tests.kit.settings import deployment_settings
from tests.kit.webchat import SAME_ORIGIN

FORM = "application/x-www-form-urlencoded"
FIELDS = ("csrf", "email", "password", "repeated", "code", "org")


@dataclass
class StaffDoor:
    app: App
    base_url: str
    http: ClientSession
    cookie: str  # a well-formed pre-session cookie and the form token made for it
    form_token: str
    statuses: list[tuple[str, int, str]]

    async def send(
        self,
        route: str,
        method: str,
        path: str,
        case: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        url = URL(self.base_url + path, encoded=True)
        async with self.http.request(
            method, url, data=body, headers=headers, allow_redirects=False
        ) as response:
            await response.read()
            status = response.status
        self.statuses.append((route, status, case[:100]))
        OUTCOMES.setdefault(route, Counter())[status] += 1
        return status

    def form(self, **extra: str) -> dict[str, str]:
        """Headers of a form posted from our own sign-in page (its cookie included)."""
        return {"Content-Type": FORM, "Cookie": f"sauti_form={self.cookie}", **extra}

    def server_errors(self) -> list[tuple[str, int, str]]:
        return [answer for answer in self.statuses if answer[1] >= 500]


@pytest.fixture
async def door(
    redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[StaffDoor]:
    caplog.set_level("INFO")
    settings = deployment_settings(
        redis_url, tmp_path, SAUTI_STAFF_ADDRESS_FAILURES="1000000", **FAST_HASHES
    )
    async with (
        built(settings, example=False) as app,
        web_server(app) as server,
        ClientSession(timeout=ClientTimeout(total=30), headers=SAME_ORIGIN) as http,
    ):
        await app.organisations().create("acme", "Acme")
        cookie = PreSessionTokens.new_cookie_value()
        token = PreSessionTokens(app.crypto).form_token(cookie)
        yield StaffDoor(app, base_url(server), http, cookie, token, [])


def _values(count: int) -> list[str]:
    return [*hostile.QUERY_VALUES.values(), *hostile.drawn(hostile.percent_encoded(), count)]


async def test_the_pages_under_hostile_paths_queries_and_cookies(
    door: StaffDoor, caplog: pytest.LogCaptureFixture
) -> None:
    for value in _values(30):
        await door.send("GET /staff/setup/{token}", "GET", f"/staff/setup/{value or 'x'}", value)
        await door.send("GET /staff/sign-in", "GET", f"/staff/sign-in?ready={value}", value)
        for cookie in ("sauti_session", "sauti_form"):
            headers = {"Cookie": f"{cookie}={value}"}
            await door.send("GET /staff/", "GET", "/staff/", value, headers=headers)
            await door.send("GET /staff/sign-in", "GET", "/staff/sign-in", value, headers=headers)
    assert door.server_errors() == []
    assert tracebacks(caplog) == []


async def test_signing_in_and_setting_up_with_hostile_forms(
    door: StaffDoor, caplog: pytest.LogCaptureFixture
) -> None:
    await door.app.staff().add("vic@acme.example", "acme", Role.VIEWER)
    link = await build_sign_in(door.app).links.issue("vic@acme.example", ["acme"])
    for route, path in (
        ("POST /staff/sign-in", "/staff/sign-in"),
        ("POST /staff/setup/{token}", f"/staff/setup/{link}"),
        ("POST /staff/organisation", "/staff/organisation"),
        ("POST /staff/sign-out", "/staff/sign-out"),
    ):
        for field in FIELDS:
            for value in _values(4):
                body = f"csrf={door.form_token}&email=vic@acme.example&{field}={value}".encode()
                status = await door.send(route, "POST", path, field, body=body, headers=door.form())
                assert status < 500
        await _hostile_bodies(door, route, path)
    assert door.server_errors() == []
    assert tracebacks(caplog) == []
    assert await door.app.redis.keys("*staff-session:*") == []  # nobody got in
    member = await door.app.staff().get("vic@acme.example")
    assert member is not None
    assert member.password_hash is None


async def _hostile_bodies(door: StaffDoor, route: str, path: str) -> None:
    good = f"csrf={door.form_token}&email=a@b.example&password=x".encode()
    for content_type in (*hostile.CONTENT_TYPES, f"{FORM}; charset=no-such-charset"):
        headers = door.form(**{"Content-Type": content_type})
        await door.send(route, "POST", path, content_type, body=good, headers=headers)
    for name, body in hostile.BROKEN_BODIES.items():
        for content_type in (FORM, "multipart/form-data; boundary=x"):
            headers = door.form(**{"Content-Type": content_type})
            await door.send(route, "POST", path, name, body=body, headers=headers)
    multipart = (
        b'--x\r\nContent-Disposition: form-data; name="email"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + b"\xff" * 100 + b"\r\n--x\r\n"
        b'Content-Disposition: form-data; name="csrf"\r\n\r\n'
        + door.form_token.encode()
        + b"\r\n--x--\r\n"
    )
    headers = door.form(**{"Content-Type": "multipart/form-data; boundary=x"})
    assert await door.send(route, "POST", path, "file", body=multipart, headers=headers) in (
        400,
        403,
    )
    repeated = f"csrf={door.form_token}&email=a@b.example&email=c@d.example".encode()
    await door.send(route, "POST", path, "repeated", body=repeated, headers=door.form())
    too_big = b"password=" + b"x" * MAX_REQUEST_BYTES
    assert (
        await door.send(route, "POST", path, "oversized", body=too_big, headers=door.form()) == 413
    )
    # (`Origin: null` next to `Sec-Fetch-Site: same-origin` is one of our own pages with an
    # older referrer policy: it passes on to the token check.)
    for origin in ("http://[", "https://evil.example", "x" * 5000):
        status = await door.send(
            route, "POST", path, origin, body=good, headers=door.form(Origin=origin)
        )
        assert status == 403
    token = secrets.token_urlsafe(32)
    await door.send(
        route, "POST", path, "cookie", body=good, headers=door.form(Cookie=f"sauti_session={token}")
    )
