"""Who is signed in on a request: the one answer the staff pages and the JSON API share.

`StaffAuth.principal_from_session(request)` reads the `sauti_session` cookie and answers the
`Principal` it acts as, or None. Every request re-reads the account: a session whose owner
left its organisation, or whose role there is no longer the one it was signed in with, ends
at once (the person signs in again, with a second factor if the new role needs one).

The web app holds the one instance under `STAFF_AUTH` (`request.app[STAFF_AUTH]`). A browser
calling the API with the session cookie must also send the session's form token
(`SignedInStaff.session.csrf`, e.g. in an `X-CSRF-Token` header) with anything that changes
data; `csrf_matches` compares it.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.access.csrf import same_token
from bot.access.permissions import Principal
from bot.access.sessions import SessionStore, StaffSession
from bot.access.staff import StaffMember, StaffStore
from bot.channels.webchat.joins import Address, client_address
from bot.settings import HttpSettings

SESSION_COOKIE = "sauti_session"


@dataclass(frozen=True, slots=True)
class SignedInStaff:
    session: StaffSession
    member: StaffMember
    principal: Principal | None  # None until someone in several organisations chose one


class StaffAuth:
    def __init__(self, sessions: SessionStore, staff: StaffStore, http: HttpSettings) -> None:
        self._sessions = sessions
        self._staff = staff
        self._http = http

    async def principal_from_session(self, request: web.Request) -> Principal | None:
        """The principal the request's session acts as; None without a live session (or
        before its owner chose an organisation)."""
        current = await self.signed_in(request)
        return current.principal if current is not None else None

    async def signed_in(self, request: web.Request) -> SignedInStaff | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        session = await self._sessions.get(token)
        if session is None:
            return None
        member = await self._staff.get(session.email)
        if member is None or not member.roles:
            await self._sessions.end(session)
            return None
        if session.org is None:
            return SignedInStaff(session, member, None)
        role = member.role_in(session.org)
        if role is None or role is not session.role:
            await self._sessions.end(session)  # removed, or the role changed: sign in again
            return None
        address = self.address(request)
        principal = Principal.staff(
            member.email, session.org, role, str(address) if address is not None else None
        )
        return SignedInStaff(session, member, principal)

    def address(self, request: web.Request) -> Address | None:
        return client_address(request, self._http.trusted_proxies)

    def over_https(self, request: web.Request) -> bool:
        """Whether the browser reached Sauti over https: directly, through a trusted proxy
        that says so, or whenever the public URL is https (a proxy in front terminates it)."""
        if request.secure or (self._http.public_url or "").startswith("https://"):
            return True
        peer = client_address_of_peer(request)
        trusted = peer is not None and any(peer in net for net in self._http.trusted_proxies)
        return trusted and request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def csrf_matches(current: SignedInStaff, given: str) -> bool:
    return same_token(current.session.csrf, given)


def client_address_of_peer(request: web.Request) -> Address | None:
    return client_address(request, ())


# Where the web app keeps its one StaffAuth: `request.app[STAFF_AUTH]` (set by bot.web).
STAFF_AUTH = web.AppKey("staff_auth", StaffAuth)
