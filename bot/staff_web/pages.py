"""The staff pages: sign in, set up an account from its link, the landing page, sign out.

Plain HTML forms (no JavaScript, no asset from elsewhere). Every answer carries
`Cache-Control: no-store` and a Content-Security-Policy that allows no script at all. Every
POST must come from one of these pages: the browser's Fetch Metadata / Origin say so (the web
chat's check), and the form carries its CSRF token (the session's, or before sign-in a signed
double submit); without both it is answered 403 and changes nothing. Bad input (a field
missing or too long, a body that is no form, an unknown link) gets a page that says so.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from importlib import resources
from typing import Any

import jinja2
import segno
from aiohttp import web
from markupsafe import Markup
from multidict import MultiDictProxy

from bot.access.csrf import PreSessionTokens, same_token
from bot.access.membership import StaffChanges
from bot.access.organisations import OrganisationStore
from bot.access.passwords import MAX_LENGTH, MIN_LENGTH
from bot.access.roles import reads_personal_data
from bot.access.setup_links import SetupLink
from bot.access.signin import LINK_GONE, Refused, SignedIn, SignIn, needs_second_factor
from bot.access.totp import new_secret, provisioning_uri, seal_secret
from bot.channels.webchat.origin import refuse_other_sites
from bot.privacy import ParticipantCrypto
from bot.settings import HttpSettings
from bot.staff_web.auth import SESSION_COOKIE, SignedInStaff, StaffAuth
from bot.storage.errors import STORAGE_FAILURE

log = logging.getLogger(__name__)

FORM_COOKIE = "sauti_form"  # the signed double submit of forms shown before sign-in
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex",
}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Longest value each field may have; a longer one is no honest form of ours.
_FIELD_LIMITS = {
    "csrf": 128,
    "email": 320,
    "password": 1024,
    "repeated": 1024,
    "code": 16,
    "org": 64,
    "next": 512,
}
_STYLE = resources.files("bot.staff_web").joinpath("templates/style.css").read_text("utf-8")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadFormError(ValueError):
    """A post that is no form of ours: the message says what was wrong."""


class StaffPages:
    def __init__(
        self,
        sign_in: SignIn,
        auth: StaffAuth,
        *,
        crypto: ParticipantCrypto,
        organisations: OrganisationStore,
        http: HttpSettings,
        changes: StaffChanges,
    ) -> None:
        self._sign_in = sign_in
        self._changes = changes
        self._auth = auth
        self._crypto = crypto
        self._organisations = organisations
        self._http = http
        self._pre_session = PreSessionTokens(crypto)
        self._templates = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.staff_web", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/staff/", _guarded(self.home)),
            web.get("/staff", _guarded(self.to_home)),
            web.get("/staff/style.css", _guarded(self.style)),
            web.get("/staff/sign-in", _guarded(self.sign_in_page)),
            web.post("/staff/sign-in", _guarded(self.sign_in)),
            web.get("/staff/setup/{token}", _guarded(self.setup_page)),
            web.post("/staff/setup/{token}", _guarded(self.setup)),
            web.post("/staff/sign-out", _guarded(self.sign_out)),
            web.post("/staff/sign-out-everywhere", _guarded(self.sign_out_everywhere)),
            web.post("/staff/organisation", _guarded(self.switch_organisation)),
            web.post("/staff/invitations", _guarded(self.accept_invitation)),
        ]

    # -- signing in ------------------------------------------------------------------------

    async def sign_in_page(self, request: web.Request) -> web.StreamResponse:
        if await self._auth.signed_in(request) is not None:
            raise web.HTTPSeeOther("/staff/")
        ready = request.query.get("ready") == "1"
        message = "Your account is ready: sign in." if ready else None
        return self._pre_session_page(
            request, "sign_in.html", "Sign in", message=message, next=_next(request.query)
        )

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        form = await self._pre_session_form(request)
        email = form.get("email", "")
        result = await self._sign_in.sign_in(
            email, form.get("password", ""), form.get("code", ""), self._auth.address(request)
        )
        if isinstance(result, Refused):
            return self._pre_session_page(
                request,
                "sign_in.html",
                "Sign in",
                message=result.message,
                status=401,
                email=email,
                next=_next(form),
            )
        response = web.HTTPSeeOther(_next(form) or "/staff/")
        self._set_session_cookie(request, response, result)
        raise response

    # -- setup links -----------------------------------------------------------------------

    async def setup_page(self, request: web.Request) -> web.StreamResponse:
        if await self._changes.invitations.link(request.match_info["token"]) is not None:
            # An invitation's link (an account of another organisation): it sets nothing, it
            # sends its holder to sign in, where the invitation waits to be accepted.
            return self._render(
                "notice.html",
                "Invitation",
                message="You already have a Sauti account: sign in, and accept the invitation "
                "on your page.",
                link="/staff/sign-in?next=%2Fstaff%2F",
                link_text="Sign in",
            )
        link = await self._link(request)
        return await self._setup_form(request, link, message=None, status=200)

    async def setup(self, request: web.Request) -> web.StreamResponse:
        form = await self._pre_session_form(request)
        link = await self._link(request)
        refused = await self._sign_in.complete_setup(
            link, form.get("password", ""), form.get("repeated", ""), form.get("code", "")
        )
        if refused is not None:
            return await self._setup_form(request, link, message=refused.message, status=400)
        raise web.HTTPSeeOther("/staff/sign-in?ready=1")

    async def _link(self, request: web.Request) -> SetupLink:
        link = await self._sign_in.links.find(request.match_info["token"])
        if link is None:
            raise self._error(web.HTTPNotFound, "Setup link", LINK_GONE)
        return link

    async def _setup_form(
        self, request: web.Request, link: SetupLink, *, message: str | None, status: int
    ) -> web.StreamResponse:
        member = await self._sign_in.staff.get(link.email)
        if member is None or not link.opens(member.roles):
            raise self._error(web.HTTPNotFound, "Setup link", LINK_GONE)
        secret = self._sign_in.offered_secret(link)
        if secret is None:  # first view: offer one, kept with the link
            sealed = seal_secret(self._crypto, link.email, new_secret())
            kept = await self._sign_in.links.offer_totp(link, sealed)
            link = SetupLink(link.digest, link.email, kept, link.orgs)
            secret = self._sign_in.offered_secret(link)
        if secret is None:
            raise self._error(web.HTTPNotFound, "Setup link", LINK_GONE)
        uri = provisioning_uri(secret, link.email)
        return self._pre_session_page(
            request,
            "setup.html",
            "Set up your account",
            message=message,
            status=status,
            email=link.email,
            action=f"/staff/setup/{request.match_info['token']}",
            secret=secret,
            uri=uri,
            qr_svg=_qr_code(uri),
            required=needs_second_factor(member),
            min_length=MIN_LENGTH,
            max_length=MAX_LENGTH,
        )

    # -- signed in -------------------------------------------------------------------------

    async def home(self, request: web.Request) -> web.StreamResponse:
        current = await self._auth.signed_in(request)
        if current is None:
            raise web.HTTPSeeOther("/staff/sign-in")
        session, member = current.session, current.member
        names = {slug: await self._organisation_name(slug) for slug in member.roles}
        invitations = [
            (one.org, await self._organisation_name(one.org), one.role.value)
            for one in await self._changes.invitations.of_account(member.email)
        ]
        choices = [
            (slug, names[slug], role.value)
            for slug, role in sorted(member.roles.items())
            if slug != session.org
        ]
        return self._render(
            "home.html",
            "Sauti for staff",
            email=member.email,
            org=session.org,
            org_name=names.get(session.org or "", ""),
            role=session.role.value if session.role else "",
            choices=choices,
            invitations=invitations,
            csrf=session.csrf,
        )

    async def accept_invitation(self, request: web.Request) -> web.StreamResponse:
        current, form = await self._session_form(request)
        joined = await self._changes.accept(current.member.email, form.get("org", ""))
        if joined is None:
            raise self._error(
                web.HTTPNotFound, "Not possible", "No invitation of that organisation waits."
            )
        raise web.HTTPSeeOther("/staff/")

    async def to_home(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPPermanentRedirect("/staff/")

    async def switch_organisation(self, request: web.Request) -> web.StreamResponse:
        current, form = await self._session_form(request)
        org = form.get("org", "")
        role = current.member.role_in(org)
        if role is None:
            raise self._error(
                web.HTTPForbidden, "Not possible", "You are not staff of that organisation."
            )
        if reads_personal_data(role) and not current.session.mfa:
            raise self._error(
                web.HTTPForbidden,
                "Not possible",
                "Your role there reads personal data: sign out, and sign in again with your code.",
            )
        await self._sign_in.sessions.bind(current.session, org, role)
        raise web.HTTPSeeOther("/staff/")

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        current, _ = await self._session_form(request)
        await self._sign_in.sessions.end(current.session)
        await self._sign_in.events.signed_out(
            email=current.member.email,
            organisations=tuple(sorted(current.member.roles)),
            org=current.session.org,
            address=self._address(request),
        )
        raise self._signed_out(request)

    async def sign_out_everywhere(self, request: web.Request) -> web.StreamResponse:
        current, _ = await self._session_form(request)
        ended = await self._sign_in.sessions.end_all(current.member.email)
        await self._sign_in.events.signed_out_everywhere(
            email=current.member.email,
            organisations=tuple(sorted(current.member.roles)),
            address=self._address(request),
            sessions=ended,
        )
        raise self._signed_out(request)

    async def style(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text=_STYLE, content_type="text/css")

    # -- forms -----------------------------------------------------------------------------

    async def _pre_session_form(self, request: web.Request) -> dict[str, str]:
        """A form posted before sign-in, with a valid signed double submit; else 403."""
        form = await self._form(request)
        if not self._pre_session.valid(request.cookies.get(FORM_COOKIE), form.get("csrf", "")):
            raise self._forbidden()
        return form

    async def _session_form(self, request: web.Request) -> tuple[SignedInStaff, dict[str, str]]:
        """A form posted by a signed-in page with its session's token; else 403."""
        form = await self._form(request)
        current = await self._auth.signed_in(request)
        if current is None or not same_token(current.session.csrf, form.get("csrf", "")):
            raise self._forbidden()
        return current, form

    async def _form(self, request: web.Request) -> dict[str, str]:
        try:
            refuse_other_sites(request, self._http.public_url)
        except web.HTTPForbidden as refusal:
            raise self._forbidden() from refusal
        if request.content_type not in _FORM_TYPES:
            raise self._error(
                web.HTTPUnsupportedMediaType, "Not a form", "Send the form from its page."
            )
        try:
            posted = await request.post()
            return _fields(posted)
        except (ValueError, LookupError) as error:  # undecodable, or a field we refuse
            raise self._error(
                web.HTTPBadRequest,
                "Not a form",
                str(error)
                if isinstance(error, BadFormError)
                else "The form could not be read: send it again from its page.",
            ) from error

    # -- responses -------------------------------------------------------------------------

    def _pre_session_page(
        self, request: web.Request, template: str, title: str, *, status: int = 200, **context: Any
    ) -> web.Response:
        cookie = request.cookies.get(FORM_COOKIE)
        fresh = cookie is None or not self._pre_session.well_formed(cookie)
        value = PreSessionTokens.new_cookie_value() if fresh or cookie is None else cookie
        response = self._render(
            template, title, status=status, csrf=self._pre_session.form_token(value), **context
        )
        if fresh:
            self._cookie(request, response, FORM_COOKIE, value)
        return response

    def _set_session_cookie(
        self, request: web.Request, response: web.StreamResponse, result: SignedIn
    ) -> None:
        self._cookie(request, response, SESSION_COOKIE, result.token)

    def _cookie(
        self, request: web.Request, response: web.StreamResponse, name: str, value: str
    ) -> None:
        response.set_cookie(
            name,
            value,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self._auth.over_https(request),
        )

    def _signed_out(self, request: web.Request) -> web.HTTPSeeOther:
        response = web.HTTPSeeOther("/staff/sign-in")
        response.del_cookie(SESSION_COOKIE, path="/")
        return response

    def _render(
        self, template: str, title: str, *, status: int = 200, **context: Any
    ) -> web.Response:
        page = self._templates.get_template(template).render(title=title, **context)
        return web.Response(text=page, status=status, content_type="text/html")

    def _error(
        self, kind: Callable[..., web.HTTPException], title: str, message: str
    ) -> web.HTTPException:
        page = self._templates.get_template("notice.html").render(
            title=title, message=message, link="/staff/sign-in", link_text="Sign in"
        )
        return kind(text=page, content_type="text/html")

    def _forbidden(self) -> web.HTTPException:
        return self._error(
            web.HTTPForbidden,
            "Not accepted",
            "This form can only be sent from its own page, while it is open. Go back, reload "
            "the page and send it again.",
        )

    def _address(self, request: web.Request) -> str | None:
        address = self._auth.address(request)
        return str(address) if address is not None else None

    async def _organisation_name(self, slug: str) -> str:
        organisation = await self._organisations.get(slug)
        return organisation.name if organisation is not None else slug


def _next(values: Mapping[str, str]) -> str:
    """Where to go once signed in: a console page the person was sent away from, nothing else
    (never another site: no scheme, no `//`)."""
    wanted = values.get("next", "")
    safe = wanted.startswith("/console/") and "//" not in wanted and "\\" not in wanted
    return wanted if safe and len(wanted) <= _FIELD_LIMITS["next"] else ""


def _qr_code(uri: str) -> Markup:
    """The URI as a QR code, inline SVG (no script, no image request)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR code of the key")
    return Markup(svg)  # segno's own markup: the URI inside is encoded as modules, not text


def _fields(posted: MultiDictProxy[Any]) -> dict[str, str]:
    """The form's fields we know, as text; a file, a repeated field or an over-long value is
    no form of ours."""
    fields: dict[str, str] = {}
    for name, value in posted.items():
        if name not in _FIELD_LIMITS:
            continue
        if not isinstance(value, str) or name in fields:
            raise BadFormError(f"The field '{name}' is not what the page sends.")
        if len(value) > _FIELD_LIMITS[name]:
            raise BadFormError(f"The field '{name}' is too long.")
        fields[name] = value
    return fields


def _guarded(handler: Handler) -> Handler:
    """Every staff answer — page, redirect or refusal — with the security headers; Redis
    unavailable is a 503 page, not a traceback."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as answer:
            answer.headers.update(SECURITY_HEADERS)
            raise
        except STORAGE_FAILURE as error:
            log.warning("staff page answered 503: %s", type(error).__name__)
            raise web.HTTPServiceUnavailable(
                text="Sauti cannot answer just now: try again in a minute.",
                headers=SECURITY_HEADERS,
            ) from error
        response.headers.update(SECURITY_HEADERS)
        return response

    return guarded
