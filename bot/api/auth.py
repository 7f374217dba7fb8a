"""Who is calling the API: authenticators tried in order, and each token's request rate.

An authenticator answers None when the request carries no credentials of its kind (the next
one is asked), a `Principal` when they are good, and raises a 401 problem when they are bad. The
API token's is the first; the console's signed-in browser is another (a colleague's
`principal_from_session`) that plugs in by being appended to the list `make_api` is given.
"""

from __future__ import annotations

import math
from typing import Protocol

from aiohttp import web

from bot.access.permissions import Principal
from bot.access.roles import Role
from bot.access.staff import ROLE_FIELD
from bot.access.tokens import ApiToken, TokenStore, effective_role, parse_token
from bot.api.problems import RATE_LIMITED, UNAUTHORIZED, ApiError
from bot.api.services import ApiServices
from bot.channels.webchat.joins import client_address
from bot.settings.model import ApiSettings
from bot.settings.parsers import Network
from bot.storage.keys import KeySchema
from bot.storage.lua import ScriptCall, run_batch
from bot.storage.replies import text
from bot.storage.scripts import RESERVE_SLOT

BEARER = "Bearer"


class Authenticator(Protocol):
    async def principal(self, request: web.Request) -> Principal | None:
        """The caller, None when the request has no credentials of this kind; raises a 401
        ApiError for credentials that do not hold."""


def unauthorized(detail: str) -> ApiError:
    return ApiError(UNAUTHORIZED, detail, headers={"WWW-Authenticate": BEARER})


class BearerTokens:
    """`Authorization: Bearer sauti_<id>_<secret>`: an API token, at most its owner's current
    role (bot.access.tokens), at most `settings.rate` requests a second (429 beyond)."""

    def __init__(self, services: ApiServices, trusted_proxies: tuple[Network, ...] = ()) -> None:
        self._services = services
        self._trusted = trusted_proxies
        self._rate = TokenRate(services.settings)

    async def principal(self, request: web.Request) -> Principal | None:
        header = request.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != BEARER.lower():
            return None
        if parse_token(presented) is None:
            raise unauthorized("that is not a Sauti API token (sauti_<id>_<secret>)")
        services = self._services
        tokens: TokenStore = services.tokens
        now = services.clock()
        token = await tokens.verify(presented, now)
        if token is None:
            raise unauthorized("the token is unknown, revoked or expired")
        owner_role, wait_ms = await self._owner_role_and_slot(token)
        role = effective_role(token.role, owner_role)
        if role is None:
            raise unauthorized("the token's owner no longer holds a role that covers the token")
        if wait_ms is not None:
            raise ApiError(
                RATE_LIMITED,
                f"more than {services.settings.rate:g} requests a second with this token",
                headers={"Retry-After": str(max(1, math.ceil(wait_ms / 1000)))},
            )
        await tokens.mark_used(token, now)
        address = client_address(request, self._trusted)
        return Principal.token(
            token.token_id, token.org, role, str(address) if address is not None else None
        )

    async def _owner_role_and_slot(self, token: ApiToken) -> tuple[Role | None, int | None]:
        """The owner's current role and a slot of the token's rate, in one round trip."""
        services = self._services
        owner, slot = await run_batch(
            services.redis,
            [
                ("HGET", services.schema.staff(token.email), ROLE_FIELD + token.org),
                self._rate.call(services.schema, token.token_id),
            ],
        )
        if isinstance(owner, Exception):
            raise owner
        if isinstance(slot, Exception):
            raise slot
        return _role(owner), None if int(slot[0]) else int(slot[1])


def _role(raw: bytes | None) -> Role | None:
    try:
        return Role(text(raw)) if raw is not None else None
    except ValueError:  # a role this version does not know grants nothing
        return None


class TokenRate:
    """GCRA per token on Redis's clock (`reserve_slot.lua` with no horizon): one script call."""

    def __init__(self, settings: ApiSettings) -> None:
        self._interval_ms = 1000 / settings.rate
        self._tolerance_ms = self._interval_ms * max(0, settings.burst - 1)

    def call(self, schema: KeySchema, token_id: str) -> ScriptCall:
        """The limiter's script call: [1, 0] admitted, [0, ms] not before `ms` from now."""
        return ScriptCall(
            RESERVE_SLOT, schema.api_rate(token_id), [self._interval_ms, self._tolerance_ms, 0]
        )
