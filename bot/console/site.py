"""The console's routes, made from the pages' declarations: who may open a page, errors as
pages in the reader's language, the layout's navigation and banners, security headers, and the
console's own static files (no CDN, nothing fetched from elsewhere).

Pages run script only from this site (`script-src 'self'`), and work without it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from aiohttp import web

from bot.access.permissions import ForbiddenError, NotFoundError
from bot.access.roles import Permission, Role
from bot.api.declare import Operation
from bot.api.problems import ApiError
from bot.api.services import ApiServices
from bot.console.declare import Page
from bot.console.i18n import LANGUAGE_COOKIE, N_, load_languages, negotiate
from bot.console.problems import explain
from bot.console.view import BadFormError, Banner, BannerSource, View
from bot.settings import HttpSettings
from bot.staff_web.auth import StaffAuth
from bot.storage.errors import STORAGE_FAILURE

log = logging.getLogger(__name__)

HOME = "/console/campaigns"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex",
}
_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str  # a message id, translated when shown
    href: str
    permission: Permission | None


ROLE_LABELS = {
    Role.VIEWER: N_("viewer"),
    Role.ANALYST: N_("analyst"),
    Role.CASEWORKER: N_("caseworker"),
    Role.ADMIN: N_("admin"),
}

# The layout's navigation: a role sees only what it may open. A campaign's own pages
# (results, triage, decisions, exports) are reached from the campaign.
NAVIGATION = (
    NavItem(N_("Campaigns"), "/console/campaigns", Permission.CAMPAIGNS_READ),
    NavItem(N_("Closing the loop"), "/console/loop", Permission.LOOP_READ),
    NavItem(N_("Cases"), "/console/cases", Permission.CASES_READ),
    NavItem(N_("Staff"), "/console/staff", Permission.STAFF_MANAGE),
    NavItem(N_("Tokens"), "/console/tokens", Permission.STAFF_MANAGE),
    NavItem(N_("Audit log"), "/console/audit", Permission.AUDIT_READ),
)


class Site:
    def __init__(
        self,
        *,
        auth: StaffAuth,
        services: ApiServices,
        operations: Sequence[Operation],
        pages: Sequence[Page],
        http: HttpSettings,
        navigation: Sequence[NavItem] = NAVIGATION,
        banners: Sequence[BannerSource] = (),
    ) -> None:
        self.auth = auth
        self.services = services
        self.http = http
        self.pages = tuple(pages)
        self.navigation = tuple(navigation)
        self.banners = tuple(banners)
        self.languages = load_languages()
        self._operations = {operation.operation_id: operation for operation in operations}
        self._templates = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.console", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
            undefined=jinja2.StrictUndefined,
        )
        static = resources.files("bot.console").joinpath("static")
        self._static = {
            item.name: item.read_bytes()
            for item in static.iterdir()
            if item.is_file() and _suffix(item.name) in _STATIC_TYPES
        }

    def operation(self, operation_id: str) -> Operation:
        return self._operations[operation_id]

    def routes(self) -> list[web.RouteDef]:
        routes = [
            web.get("/console/", self._home),
            web.get("/console", self._home),
            web.get("/console/static/{name}", self._static_file),
            web.get("/console/language", self._endpoint(Page("GET", "", _choose_language, None))),
        ]
        for page in self.pages:
            routes.append(web.route(page.method, page.path, self._endpoint(page)))
        return routes

    def render(self, view: View, template: str, title: str, **context: Any) -> str:
        # Installed per render: rendering is synchronous, so no other request's language can
        # come between the two lines.
        self._templates.install_gettext_translations(view.language.translations, newstyle=True)  # type: ignore[attr-defined]
        page = self._templates.get_template(template)
        return page.render(
            title=title,
            navigation=[item for item in self.navigation if _allowed(view, item.permission)],
            role_label=ROLE_LABELS.get(view.principal.role, "") if view.principal.role else "",
            role_labels=ROLE_LABELS,
            banners=context.pop("banners", ()),
            notice=context.pop("notice", None),
            **view.template_globals(),
            **context,
        )

    # -- requests --------------------------------------------------------------------------

    def _endpoint(self, page: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            try:
                response = await self._answer(page, request)
            except web.HTTPException as answer:
                answer.headers.update(SECURITY_HEADERS)
                raise
            response.headers.update(SECURITY_HEADERS)
            return response

        return endpoint

    async def _answer(self, page: Page, request: web.Request) -> web.StreamResponse:
        try:
            signed_in = await self.auth.signed_in(request)
        except STORAGE_FAILURE:
            return _unavailable()
        if signed_in is None:
            back = quote(request.path_qs if request.method == "GET" else HOME, safe="")
            raise web.HTTPSeeOther(f"/staff/sign-in?next={back}")
        if signed_in.principal is None:  # several organisations, none chosen yet
            raise web.HTTPSeeOther("/staff/")
        language = self.languages[
            negotiate(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language"))
        ]
        principal = signed_in.principal
        try:
            organisation = await self.services.organisations.get(principal.org)
        except STORAGE_FAILURE:
            return _unavailable()
        name = organisation.name if organisation is not None else principal.org
        view = View(request, signed_in, principal, language, self, name)
        try:
            if page.permission is not None and not view.may(page.permission):
                raise ForbiddenError(view.principal, page.permission)
            return await page.handler(view)
        except ForbiddenError:
            return await self._error(
                view,
                403,
                N_("Not allowed"),
                N_("Your role in this organisation does not allow this."),
            )
        except NotFoundError:
            return await self._error(
                view,
                404,
                N_("Not found"),
                N_("There is nothing here, or it belongs to another organisation."),
            )
        except BadFormError as error:
            if error.forged:
                return await self._error(
                    view,
                    403,
                    N_("Not accepted"),
                    N_(
                        "This form can only be sent from its own page, while you are signed in. "
                        "Go back, reload the page and send it again."
                    ),
                )
            return await self._error(view, 400, N_("Not accepted"), str(error), translate=False)
        except ApiError as error:
            explained = explain(error, view.language)
            return await self._error(
                view,
                error.kind.status,
                N_("Not possible"),
                explained.message,
                translate=False,
                errors=explained.mistakes,
            )
        except STORAGE_FAILURE as error:
            log.warning("console page answered 503: %s", type(error).__name__)
            return _unavailable()

    async def _error(
        self,
        view: View,
        status: int,
        title: str,
        message: str,
        *,
        translate: bool = True,
        errors: Sequence[str] = (),
    ) -> web.Response:
        shown = view.gettext(message) if translate else message
        return view.render(
            "error.html",
            view.gettext(title),
            status=status,
            message=shown,
            errors=list(errors),
            banners=await self.banners_for(view),
        )

    async def banners_for(self, view: View) -> list[Banner]:
        shown: list[Banner] = []
        for source in self.banners:
            shown += await source(view)
        return shown

    async def _home(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPSeeOther(HOME, headers=SECURITY_HEADERS)

    async def _static_file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        content = self._static.get(name)
        if content is None:
            raise web.HTTPNotFound(text="not found", headers=SECURITY_HEADERS)
        return web.Response(
            body=content,
            content_type=_STATIC_TYPES[_suffix(name)],
            headers={**SECURITY_HEADERS, "Cache-Control": "private, max-age=3600"},
        )


async def _choose_language(view: View) -> web.StreamResponse:
    """`?to=fr&back=/console/...`: remembered in a cookie; only a console page to go back to."""
    chosen = view.request.query.get("to", "")
    back = view.request.query.get("back", HOME)
    if not back.startswith("/console/") or "//" in back or "\\" in back:
        back = HOME
    response = web.HTTPSeeOther(back)
    if chosen in view.site.languages:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            path="/",
            samesite="Strict",
            max_age=365 * 24 * 3600,
            secure=view.site.auth.over_https(view.request),
        )
    raise response


def _allowed(view: View, permission: Permission | None) -> bool:
    return permission is None or view.may(permission)


def _unavailable() -> web.Response:
    return web.Response(
        text="Sauti cannot answer just now: try again in a minute.",
        status=503,
        headers=SECURITY_HEADERS,
    )


def _suffix(name: str) -> str:
    return name[name.rfind(".") :] if "." in name else ""


__all__ = ["Banner", "BannerSource", "NavItem", "Site"]
