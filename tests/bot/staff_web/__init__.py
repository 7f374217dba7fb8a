"""The staff pages as a browser uses them, on a real Redis and a real web server.

Helpers shared by these tests and the `sauti staff` command tests: settings that keep Argon2
cheap (the cost of the real parameters is measured in bench/signin.py, not paid per test), a
clock the test moves (sessions' timeouts, TOTP time steps), the sign-in events recorded, and a
browser: its own cookie jar, posting as a browser does on our own pages.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pyotp
from aiohttp import ClientResponse, ClientSession, CookieJar, web
from aiohttp.test_utils import TestServer

from bot.app import App
from bot.staff_web.auth import STAFF_AUTH, StaffAuth
from bot.staff_web.pages import StaffPages
from bot.staff_web.wiring import build_sign_in, build_staff_changes
from tests.kit.webchat import SAME_ORIGIN

# Argon2id at its cheapest: the tests check behaviour, not cost.
FAST_HASHES = {
    "SAUTI_STAFF_PASSWORD_TIME_COST": "1",
    "SAUTI_STAFF_PASSWORD_MEMORY_KIB": "64",
}
START = 1_800_000_000.0  # the start of a TOTP time step (a multiple of 30)
PASSWORD = "seven sleepy otters paddle north"


@dataclass
class Clock:
    now: float = START

    def time(self) -> float:
        return self.now

    def code(self, secret: str) -> str:
        """What an authenticator app with this secret shows at the clock's time."""
        return pyotp.TOTP(secret).at(self.now)


@dataclass
class RecordedEvents:
    """Sign-in events as the audit log would receive them."""

    seen: list[tuple[str, str, str]] = field(default_factory=list)

    async def signed_in(
        self, *, email: str, organisations: tuple[str, ...], org: str | None, address: str | None
    ) -> None:
        self.seen.append(("signed_in", email, str(org)))

    async def sign_in_failed(
        self, *, email: str, organisations: tuple[str, ...], address: str | None, reason: str
    ) -> None:
        self.seen.append(("sign_in_failed", email, reason))

    async def signed_out(
        self, *, email: str, organisations: tuple[str, ...], org: str | None, address: str | None
    ) -> None:
        self.seen.append(("signed_out", email, str(org)))

    async def signed_out_everywhere(
        self, *, email: str, organisations: tuple[str, ...], address: str | None, sessions: int
    ) -> None:
        self.seen.append(("signed_out_everywhere", email, str(sessions)))


@dataclass
class Site:
    server: TestServer
    app: App
    clock: Clock
    events: RecordedEvents

    @property
    def auth(self) -> StaffAuth:
        return self.server.app[STAFF_AUTH]


@contextlib.asynccontextmanager
async def staff_site(app: App, clock: Clock | None = None) -> AsyncIterator[Site]:
    """The staff pages of `app` on a free port, on a clock the test moves."""
    clock = clock or Clock()
    events = RecordedEvents()
    sign_in = build_sign_in(app, events=events, clock=clock.time)
    auth = StaffAuth(sign_in.sessions, app.staff(), app.settings.http)
    web_app = web.Application()
    web_app[STAFF_AUTH] = auth
    pages = StaffPages(
        sign_in,
        auth,
        crypto=app.crypto,
        organisations=app.organisations(),
        http=app.settings.http,
        changes=build_staff_changes(app, sign_in=sign_in),
    )
    web_app.add_routes(pages.routes())
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Site(server, app, clock, events)
    finally:
        await server.close()


@dataclass
class Page:
    status: int
    text: str
    url: str

    @property
    def message(self) -> str | None:
        found = re.search(r'<p class="message" role="alert">([^<]*)</p>', self.text)
        return html.unescape(found.group(1)) if found else None

    @property
    def csrf(self) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.text)
        assert found, self.text
        return found.group(1)

    @property
    def secret(self) -> str:
        found = re.search(r'<code id="secret">([A-Z2-7]+)</code>', self.text)
        assert found, self.text
        return found.group(1)

    def field(self, element_id: str) -> str | None:
        found = re.search(rf'<dd id="{element_id}">([^<]*)</dd>', self.text)
        return html.unescape(found.group(1)) if found else None


class Browser:
    """One browser: its own cookies; its forms posted from our own pages."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base.rstrip("/")
        # The test server is plain http; a deployment behind an https proxy sets Secure
        # cookies, which the browser there sends: so does this one.
        jar = CookieJar(unsafe=True, treat_as_secure_origin=self.base)
        self.session = ClientSession(cookie_jar=jar, headers=headers or SAME_ORIGIN)

    async def close(self) -> None:
        await self.session.close()

    async def get(self, path: str) -> Page:
        async with self.session.get(self.base + path) as response:
            return await _page(response)

    async def post(self, path: str, data: dict[str, str]) -> Page:
        async with self.session.post(self.base + path, data=data) as response:
            return await _page(response)

    async def post_json(self, path: str, body: object) -> Page:
        async with self.session.post(self.base + path, json=body) as response:
            return await _page(response)

    async def raw_post(self, path: str, data: dict[str, str]) -> ClientResponse:
        """The response itself, not followed (to read its headers)."""
        response = await self.session.post(self.base + path, data=data, allow_redirects=False)
        await response.read()
        return response

    async def sign_in(self, email: str, password: str = PASSWORD, code: str = "") -> Page:
        form = await self.get("/staff/sign-in")
        return await self.post(
            "/staff/sign-in",
            {"csrf": form.csrf, "email": email, "password": password, "code": code},
        )

    async def set_up(
        self, path: str, clock: Clock, password: str = PASSWORD, enrol: bool = True
    ) -> Page:
        """Open a setup link and send its form: the password, and the code of the secret the
        page shows (unless `enrol` is off)."""
        page = await self.get(path)
        code = clock.code(page.secret) if enrol else ""
        return await self.post(
            path, {"csrf": page.csrf, "password": password, "repeated": password, "code": code}
        )

    async def home(self) -> Page:
        return await self.get("/staff/")


async def _page(response: ClientResponse) -> Page:
    return Page(response.status, await response.text(), str(response.url))


@contextlib.asynccontextmanager
async def browser(site: Site, headers: dict[str, str] | None = None) -> AsyncIterator[Browser]:
    opened = Browser(str(site.server.make_url("").origin()), headers)
    try:
        yield opened
    finally:
        await opened.close()


def setup_path(link: str) -> str:
    """The path of a setup link printed with the public URL in front."""
    found = re.search(r"/staff/setup/[A-Za-z0-9_-]+", link)
    assert found, link
    return found.group(0)
