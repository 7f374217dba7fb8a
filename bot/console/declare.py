"""How a console page is declared: once, with what the routes and the navigation need.

    pages = Pages()

    @pages.get("/console/campaigns", permission=Permission.CAMPAIGNS_READ)
    async def campaign_list(view: View) -> web.StreamResponse: ...

A page's permission is checked before its handler runs (403 page otherwise); what the
handler then invokes is checked again by the operation itself, with the owner of the thing it
names. `permission=None`: any signed-in staff member of the organisation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from bot.access.roles import Permission
from bot.console.view import View

PageHandler = Callable[[View], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Page:
    method: str
    path: str
    handler: PageHandler
    permission: Permission | None


@dataclass
class Pages:
    declared: list[Page] = field(default_factory=list)

    def get(
        self, path: str, *, permission: Permission | None
    ) -> Callable[[PageHandler], PageHandler]:
        return self._add("GET", path, permission)

    def post(
        self, path: str, *, permission: Permission | None
    ) -> Callable[[PageHandler], PageHandler]:
        return self._add("POST", path, permission)

    def _add(
        self, method: str, path: str, permission: Permission | None
    ) -> Callable[[PageHandler], PageHandler]:
        if not path.startswith("/console/"):
            raise ValueError(f"a console page lives under /console/: {path}")

        def declare(handler: PageHandler) -> PageHandler:
            self.declared.append(Page(method, path, handler, permission))
            return handler

        return declare
