"""Signing in, setting up an account from its link, and resetting one: the rules, without HTTP.

Signing in takes an e-mail address, a password and (when the account has a second factor) a
code. Every refusal a stranger could provoke — no such account, wrong password, wrong or
replayed code, too many failures — is the same sentence, after the same work (an unknown
account's password is checked against a dummy hash), so nothing tells which accounts exist.
Only someone who gave the right password hears that their account still needs a second
factor it does not have.

A second factor is required when the account has, in any organisation, a role that reads
personal data (bot.access.roles.reads_personal_data); for other accounts it is optional
(enrolled on the setup page or not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.access.organisations import OrganisationStore
from bot.access.passwords import PasswordRefusedError, Passwords, check_password
from bot.access.roles import Role, reads_personal_data
from bot.access.sessions import SessionStore
from bot.access.setup_links import SetupLink, SetupLinks
from bot.access.sign_in_events import SignInEvents
from bot.access.staff import StaffError, StaffMember, StaffStore, normal_email
from bot.access.throttle import Address, SignInThrottle
from bot.access.totp import CodeChecker, matching_step, open_secret, seal_secret
from bot.privacy import ParticipantCrypto
from bot.storage.keys import KeySchema

NOT_ACCEPTED = "E-mail, password or code not accepted."
NO_SECOND_FACTOR = (
    "Your role reads personal data, so signing in needs a second factor, and this account has "
    "none yet. Ask an administrator of your organisation for a new setup link."
)
LINK_GONE = "This setup link does not work (any more): ask an administrator for a new one."
CODE_NOT_ACCEPTED = (
    "The code was not accepted. Type the code your authenticator app shows now (check that "
    "the phone's clock is right)."
)


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str  # for the session cookie
    email: str
    org: str | None


@dataclass(frozen=True, slots=True)
class Refused:
    message: str  # for the person


@dataclass(frozen=True, slots=True)
class Parts:
    """What sign-in works with (the composition root builds them from the settings)."""

    redis: Redis
    schema: KeySchema
    crypto: ParticipantCrypto
    staff: StaffStore
    organisations: OrganisationStore
    passwords: Passwords
    throttle: SignInThrottle
    sessions: SessionStore
    links: SetupLinks
    events: SignInEvents
    clock: Callable[[], float]


class SignIn:
    def __init__(self, parts: Parts) -> None:
        self._parts = parts
        self._codes = CodeChecker(parts.redis, parts.schema)

    @property
    def sessions(self) -> SessionStore:
        return self._parts.sessions

    @property
    def links(self) -> SetupLinks:
        return self._parts.links

    @property
    def staff(self) -> StaffStore:
        return self._parts.staff

    @property
    def events(self) -> SignInEvents:
        return self._parts.events

    async def sign_in(
        self, email: str, password: str, code: str, address: Address | None
    ) -> SignedIn | Refused:
        parts = self._parts
        typed = email.strip().lower()
        where = str(address) if address is not None else None
        member = await parts.staff.get(typed) if len(typed) <= 320 else None
        organisations = tuple(sorted(member.roles)) if member is not None else ()

        async def refuse(reason: str) -> Refused:
            await parts.events.sign_in_failed(
                email=typed, organisations=organisations, address=where, reason=reason
            )
            return Refused(NOT_ACCEPTED)

        attempt = await parts.throttle.attempt(typed, address)
        if not attempt.allowed:
            await parts.passwords.verify(None, password)  # the same time as any refusal
            if not attempt.first_refused:  # recorded once per window, not once per guess
                return Refused(NOT_ACCEPTED)
            return await refuse("throttled")
        stored = member.password_hash if member is not None and member.roles else None
        if not await parts.passwords.verify(stored, password) or member is None:
            return await refuse("unknown" if stored is None else "password")
        has_code = member.totp_secret is not None
        if has_code and not await self._code_accepted(member, code):
            return await refuse("code")
        if not has_code and needs_second_factor(member):
            await parts.events.sign_in_failed(
                email=typed, organisations=organisations, address=where, reason="no_second_factor"
            )
            return Refused(NO_SECOND_FACTOR)
        if stored is not None and parts.passwords.needs_rehash(stored):
            await parts.staff.set_password_hash(member.email, await parts.passwords.hash(password))
        await parts.throttle.succeeded(typed, address)
        org, role = only_organisation(member)
        token = await parts.sessions.create(member.email, org, role, mfa=has_code)
        await parts.events.signed_in(
            email=member.email, organisations=organisations, org=org, address=where
        )
        return SignedIn(token, member.email, org)

    async def _code_accepted(self, member: StaffMember, code: str) -> bool:
        assert member.totp_secret is not None
        secret = open_secret(self._parts.crypto, member.email, member.totp_secret)
        if secret is None:  # sealed under another master key: the account needs a reset
            return False
        return await self._codes.accept(member.email, secret, code, self._parts.clock())

    # -- setup links -----------------------------------------------------------------------

    async def complete_setup(
        self, link: SetupLink, password: str, repeated: str, code: str
    ) -> Refused | None:
        """Set the account's password (and second factor) from its setup link; None when
        done (the link is spent), else why not (the link still works)."""
        parts = self._parts
        member = await parts.staff.get(link.email)
        if member is None or not member.roles or not link.opens(member.roles):
            return Refused(LINK_GONE)
        if password != repeated:
            return Refused("The two passwords are not the same.")
        names = await self._organisation_names(member)
        try:
            check_password(password, email=member.email, organisation_names=names)
        except PasswordRefusedError as refusal:
            return Refused(str(refusal))
        secret = self.offered_secret(link)
        enrol = bool(code.strip()) or needs_second_factor(member)
        if enrol and (secret is None or matching_step(secret, code, parts.clock()) is None):
            return Refused(CODE_NOT_ACCEPTED)
        if not await parts.links.use(link):
            return Refused(LINK_GONE)
        if enrol and secret is not None:
            await self._codes.forget(member.email)
            await self._codes.accept(member.email, secret, code, parts.clock())
        await parts.staff.set_password_hash(member.email, await parts.passwords.hash(password))
        sealed = seal_secret(parts.crypto, member.email, secret) if enrol and secret else None
        await parts.staff.set_totp_secret(member.email, sealed)
        await parts.sessions.end_all(member.email)
        return None

    def offered_secret(self, link: SetupLink) -> str | None:
        if link.sealed_totp is None:
            return None
        return open_secret(self._parts.crypto, link.email, link.sealed_totp)

    async def reset(self, email: str) -> str:
        """Take the account's password and second factor away, sign it out everywhere, and
        give it a new setup link (its token). StaffError when there is no such account."""
        parts = self._parts
        email = normal_email(email)
        member = await parts.staff.get(email)
        if member is None or not member.roles:
            raise StaffError(f"{email} is no staff member")
        await parts.redis.hdel(parts.schema.staff(email), "pw", "totp")
        await self._codes.forget(email)
        # Recorded by whoever resets (the command line, as the operator), not as an event of
        # the person's own.
        await parts.sessions.end_all(email)
        return await parts.links.issue(email, member.roles)

    async def _organisation_names(self, member: StaffMember) -> tuple[str, ...]:
        names = []
        for slug in sorted(member.roles):
            organisation = await self._parts.organisations.get(slug)
            names.extend([slug, organisation.name] if organisation is not None else [slug])
        return tuple(names)


def needs_second_factor(member: StaffMember) -> bool:
    return any(reads_personal_data(role) for role in member.roles.values())


def only_organisation(member: StaffMember) -> tuple[str | None, Role | None]:
    """The organisation a new session acts in: the person's only one; none yet when they
    belong to several (they choose)."""
    if len(member.roles) != 1:
        return None, None
    [(org, role)] = member.roles.items()
    return org, role
