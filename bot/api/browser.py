"""The console's signed-in browser as an API caller: the staff session cookie
(bot.staff_web.auth), tried after API tokens. A request that changes anything must also carry
the session's form token in `X-CSRF-Token`: a cookie is sent by the browser whoever made the
page that sends it, so the cookie alone cannot tell the console from another site."""

from __future__ import annotations

from aiohttp import web

from bot.access.permissions import Principal
from bot.api.auth import unauthorized
from bot.api.problems import FORBIDDEN, ApiError
from bot.staff_web.auth import StaffAuth, csrf_matches

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BrowserSession:
    def __init__(self, auth: StaffAuth) -> None:
        self._auth = auth

    async def principal(self, request: web.Request) -> Principal | None:
        current = await self._auth.signed_in(request)
        if current is None:
            return None
        if current.principal is None:
            raise unauthorized("choose the organisation to act in on the staff pages first")
        if request.method not in SAFE_METHODS and not csrf_matches(
            current, request.headers.get(CSRF_HEADER, "")
        ):
            raise ApiError(FORBIDDEN, f"send the session's form token in {CSRF_HEADER}")
        return current.principal
