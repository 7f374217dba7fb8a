"""The console, tested over HTTP and in a real browser, against the API tests' deployment: two
organisations, each with a campaign, staff of every role, answers and a grievance case in both
(tests.bot.api). `Staff` is one signed-in member: the cookie and form token of a live session,
made as the sign-in page makes them (the browser tests sign in through the page itself)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse

from bot.access.roles import Role
from bot.staff_web.auth import SESSION_COOKIE
from bot.staff_web.wiring import build_sign_in
from tests.bot.api import ORG_A, World, email


@dataclass(frozen=True)
class Staff:
    world: World
    cookie: str
    csrf: str

    async def get(self, path: str, **headers: str) -> ClientResponse:
        return await self.world.client.get(
            path, cookies={SESSION_COOKIE: self.cookie}, headers=headers, allow_redirects=False
        )

    async def page(
        self, path: str, status: int = 200, headers: dict[str, str] | None = None
    ) -> str:
        """A page that must answer `status`: its HTML."""
        response = await self.get(path, **(headers or {}))
        text = await response.text()
        assert response.status == status, f"{path}: {response.status}\n{text[:2000]}"
        return text

    async def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]]) -> ClientResponse:
        """A form sent from its page: with the session's form token, from this site."""
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        return await self.world.client.post(
            path,
            data=[("csrf", self.csrf), *fields],
            cookies={SESSION_COOKIE: self.cookie},
            headers={"Sec-Fetch-Site": "same-origin"},
            allow_redirects=False,
        )


async def signed_in(world: World, role: Role, org: str = ORG_A) -> Staff:
    """The organisation's member of `role`, signed in (with the second factor)."""
    sessions = build_sign_in(world.deployment.app).sessions
    token = await sessions.create(email(org, role), org, role, mfa=True)
    session = await sessions.get(token)
    assert session is not None
    return Staff(world, token, session.csrf)
