"""Changes to an organisation's staff and API tokens — add someone, change their role, remove
them, reset their account, make and revoke tokens — with their rules and their audit entries,
in one place: the command line (as the operator) and the API and the console (as a signed-in
admin) call these same functions, so the rules cannot differ between them.

The rules, beyond those of the stores:
- an organisation keeps at least one admin: its last admin can be neither removed nor given
  another role, by anyone (the operator too: make someone else admin first);
- a setup link opens the account in every organisation it belongs to, so it goes only to
  someone who answers for all of them: the operator, or an admin of the account's only
  organisation. An admin is refused a link (or a reset) for an account that is also staff of
  another organisation: the operator resets it (`sauti staff reset`). A link opens the account
  only in the organisations it was in when the link was made (bot.access.setup_links), and
  adding an account still waiting for its setup to another organisation cancels its link: no
  link handed out earlier opens an organisation its holder does not answer for;
- a member or token of another organisation is not found, exactly as a missing one.

Every change is in the organisation's audit log, as whoever made it (`Principal.actor`). Its
entry is checked before the change is made, so that no change is left without one.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis

from bot.access.invitations import Invitation, Invitations
from bot.access.permissions import ForbiddenError, NotFoundError, Principal, authorize
from bot.access.roles import Permission, Role, permissions_of, reads_personal_data
from bot.access.signin import SignIn
from bot.access.staff import StaffError, StaffMember, StaffStore, normal_email
from bot.access.tokens import (
    TOKEN_ID,
    ApiToken,
    IssuedToken,
    TokenError,
    TokenStore,
    effective_role,
)
from bot.audit.entry import OPERATOR, AuditAction, AuditRecord
from bot.audit.recorder import AuditRecorder
from bot.storage.keys import KeySchema
from bot.storage.scripts import RELEASE_LEASE

# One change to an organisation's roles at a time, across every process: how long the lock
# lasts (a change takes milliseconds; a process that died holding it blocks for this long at
# most), and how long a change waits for another before it is refused.
LOCK_MS = 5_000
WAIT_SECONDS = 3.0
_WAIT_STEP = 0.02


class Conflict(StrEnum):
    """Why a change was refused, for a page to say it in its reader's language."""

    ALREADY_STAFF = "already_staff"
    OPERATOR_RESETS = "operator_resets"  # an account of several organisations
    LAST_ADMIN = "last_admin"
    BUSY = "busy"  # another change to the organisation's staff is under way


class StaffConflictError(StaffError):
    """A change the organisation's staff as they are now does not allow (already a member, the
    last admin, a link for an account of several organisations); `reason` says which, about
    `email` (the member concerned, or "")."""

    def __init__(self, message: str, reason: Conflict, email: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.email = email


@dataclass(frozen=True, slots=True)
class Added:
    email: str
    role: Role
    new_account: bool
    # The one-time setup link's token, for an account that cannot sign in yet and whose link
    # the adder may give out (None: the account signs in as it already does, or waits for the
    # link it was given in its other organisation).
    setup_token: str | None
    # The role reads personal data and the account (which has a password) has no second
    # factor yet: a reset gives it a link to set one up.
    second_factor_missing: bool


class StaffChanges:
    def __init__(
        self, redis: Redis, schema: KeySchema, sign_in: SignIn, audit: AuditRecorder
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._staff = StaffStore(redis, schema)
        self._tokens = TokenStore(redis, schema)
        self._sign_in = sign_in
        self._audit = audit
        self.invitations = Invitations(redis, schema, sign_in.links.ttl_seconds)

    async def add(self, by: Principal, email: str, role: Role) -> Added:
        """Give `email` a role in `by`'s organisation (StaffConflictError: already there).
        An admin adding an account of another organisation only invites it (it joins when it
        accepts): the answer is a new account's, so it tells nothing of the other one."""
        authorize(by, Permission.STAFF_MANAGE)
        email = normal_email(email)
        entry = self._entry(by, AuditAction.STAFF_ADDED, f"staff:{email}", {"role": role.value})
        async with self._lock(by.org):
            await self._still_allowed(by)
            if (
                await self._member(by.org, email) is not None
                or await self.invitations.get(email, by.org) is not None
            ):  # asked already counts as here: a new address added twice is refused too
                raise StaffConflictError(
                    f"{email} is already staff of '{by.org}'", Conflict.ALREADY_STAFF, email
                )
            elsewhere = await self._staff.get(email) if by.role is not None else None
            if elsewhere is not None:
                if elsewhere.password_hash is None:  # its waiting link answers for the others
                    await self._sign_in.links.cancel(email)
                invitation = await self.invitations.invite(email, by.org, role, _now_ms())
                await self._record(by, entry)
                return Added(email, role, True, invitation, False)
            new = await self._staff.add(email, by.org, role)
        await self._record(by, entry)
        member = await self._staff.get(email)
        token = None
        if member is not None and member.password_hash is None:
            if not new:  # a link made for its other organisations must not open this one
                await self._sign_in.links.cancel(email)
            if _may_give_link(by, member):
                token = await self._sign_in.links.issue(email, member.roles)
        missing = (
            member is not None
            and member.password_hash is not None
            and reads_personal_data(role)
            and member.totp_secret is None
        )
        return Added(email, role, new, token, missing)

    async def set_role(self, by: Principal, email: str, role: Role) -> Role:
        """Change a member's role; the role they had. Their signed-in sessions in the
        organisation end at once (bot.staff_web.auth), their tokens carry the new role at most.
        Someone invited and not yet joined is asked to join with the new role."""
        authorize(by, Permission.STAFF_MANAGE)
        target = f"staff:{normal_email(email)}"
        async with self._lock(by.org):
            await self._still_allowed(by)
            invited = await self._invited(by.org, email)
            if invited is not None:
                changed = {"from": invited.role.value, "to": role.value}
                entry = self._entry(by, AuditAction.ROLE_CHANGED, target, changed)
                await self.invitations.change_role(invited, role)
                await self._record(by, entry)
                return invited.role
            before = await self._role_of(by.org, email)
            if role is not Role.ADMIN:
                await self._keep_an_admin(by.org, email, before)
            changed = {"from": before.value, "to": role.value}
            entry = self._entry(by, AuditAction.ROLE_CHANGED, target, changed)
            await self._staff.set_role(email, by.org, role)
        await self._record(by, entry)
        return before

    async def remove(self, by: Principal, email: str) -> None:
        """Take a member out of the organisation: their sessions in it end at once, their
        tokens of it stop working (the account goes with its last organisation)."""
        authorize(by, Permission.STAFF_MANAGE)
        entry = self._entry(by, AuditAction.STAFF_REMOVED, f"staff:{normal_email(email)}")
        async with self._lock(by.org):
            await self._still_allowed(by)
            invited = await self._invited(by.org, email)
            if invited is not None:  # asked, not joined: the invitation is withdrawn
                await self.invitations.take(invited.email, by.org)
                await self._record(by, entry)
                return
            before = await self._role_of(by.org, email)
            await self._keep_an_admin(by.org, email, before)
            await self._staff.remove(email, by.org)
        await self._record(by, entry)

    async def reset(self, by: Principal, email: str) -> str:
        """Take the account's password and second factor away, sign it out everywhere and give
        it a new setup link (its token). Recorded in each organisation the account is in.
        The link records the organisations it was made for: if another adds the account
        meanwhile, the link does not open it (bot.access.setup_links). Someone invited and
        not yet joined gets a new invitation link instead (the old one stops), and the reset
        is recorded as a new account's: nothing tells the admin the account exists elsewhere,
        and nothing of that account changes."""
        authorize(by, Permission.STAFF_MANAGE)
        target = f"staff:{normal_email(email)}"
        self._entry(by, AuditAction.SIGN_OUT_EVERYWHERE, target, _RESET)
        async with self._lock(by.org):
            await self._still_allowed(by)
            invited = await self._invited(by.org, email)
            if invited is not None:
                token = await self.invitations.invite(
                    invited.email, by.org, invited.role, invited.asked_ms
                )
                await self._record(
                    by, self._entry(by, AuditAction.SIGN_OUT_EVERYWHERE, target, _RESET)
                )
                return token
            member = await self._member(by.org, email)
            if member is None:
                raise NotFoundError(f"no staff member {email} in '{by.org}'")
            if not _may_give_link(by, member):
                raise StaffConflictError(
                    f"{member.email} is also staff of another organisation: its setup link "
                    "would open that one too, so only the operator can reset it "
                    "(sauti staff reset)",
                    Conflict.OPERATOR_RESETS,
                    member.email,
                )
            token = await self._sign_in.reset(member.email)
            after = await self._member(by.org, email)
            if after is None or not _may_give_link(by, after):
                # Added elsewhere (or removed) while the link was made: it would not open
                # the account anyway; take it back and say why.
                await self._sign_in.links.cancel(member.email)
                raise StaffConflictError(
                    f"{member.email} changed organisations during the reset: only the operator "
                    "can reset it now (sauti staff reset)",
                    Conflict.OPERATOR_RESETS,
                    member.email,
                )
        for org in sorted(member.roles):
            await self._audit.record(
                org,
                actor=by.actor,
                action=AuditAction.SIGN_OUT_EVERYWHERE,
                target=f"staff:{member.email}",
                address=by.address,
                details=_RESET,
            )
        return token

    async def accept(self, email: str, org: str) -> Role | None:
        """The account joins `org` with the role it was invited to (None: no invitation of
        that organisation waits for it). Recorded in the organisation, as the account."""
        email = normal_email(email)
        async with self._lock(org):
            invitation = await self.invitations.take(email, org)
            if invitation is None or await self._member(org, email) is not None:
                return None
            await self._staff.add(email, org, invitation.role)
        await self._audit.record(
            org,
            actor=f"staff:{email}",
            action=AuditAction.STAFF_INVITATION_ACCEPTED,
            target=f"staff:{email}",
            details={"role": invitation.role.value},
        )
        return invitation.role

    async def create_token(
        self, by: Principal, email: str, role: Role | None, days: int
    ) -> IssuedToken:
        """A token for a member, with a role within theirs (None: their own role); its secret
        is in the answer only. TokenError for a role beyond theirs or days out of range."""
        authorize(by, Permission.STAFF_MANAGE)
        await self._still_allowed(by)
        owner_role = await self._role_of(by.org, email)
        # The entry is about the owner (an address may be longer than a detail may be); the
        # token is named by its id, which has a fixed shape: checking the entry with a stand-in
        # id checks the real one.
        target = f"staff:{normal_email(email)}"
        details: dict[str, str | int] = {"token": "0" * 12, "role": (role or owner_role).value}
        details["days"] = days
        self._entry(by, AuditAction.TOKEN_CREATED, target, details)
        issued = await self._tokens.create(email, by.org, role or owner_role, days)
        token = issued.token
        details["token"] = token.token_id
        await self._record(by, self._entry(by, AuditAction.TOKEN_CREATED, target, details))
        return issued

    async def revoke_token(self, by: Principal, token_id: str) -> ApiToken:
        """Stop a token of the organisation at once; the token it was."""
        authorize(by, Permission.STAFF_MANAGE)
        token = await self.token_of(by, token_id)
        await self._still_allowed(by)
        details = {"token": token.token_id, "role": token.role.value}
        entry = self._entry(by, AuditAction.TOKEN_REVOKED, f"staff:{token.email}", details)
        try:
            await self._tokens.revoke(token.token_id)
        except TokenError:  # revoked by another at the same moment
            raise NotFoundError(f"no token '{token_id}'") from None
        await self._record(by, entry)
        return token

    async def token_of(self, by: Principal, token_id: str) -> ApiToken:
        """A token of `by`'s organisation (NotFoundError: none of that id there)."""
        token = await self._tokens.get(token_id) if TOKEN_ID.match(token_id) else None
        if token is None:
            raise NotFoundError(f"no token '{token_id}'")
        authorize(by, Permission.STAFF_MANAGE, owner=token.org)
        return token

    # -- the rules' parts ------------------------------------------------------------------

    @asynccontextmanager
    async def _lock(self, org: str) -> AsyncIterator[None]:
        """Changes to one organisation's roles wait for each other, in every process, so that
        two admins demoting each other at once cannot leave it with none."""
        key, owner = self._schema.staff_changes(org), secrets.token_hex(8)
        waited = 0.0
        while not await self._redis.set(key, owner, nx=True, px=LOCK_MS):
            if waited >= WAIT_SECONDS:
                raise StaffConflictError(
                    f"another change to the staff of '{org}' is under way: try again",
                    Conflict.BUSY,
                )
            await asyncio.sleep(_WAIT_STEP)
            waited += _WAIT_STEP
        try:
            yield
        finally:  # only our own lock: one that expired may be another change's by now
            await RELEASE_LEASE(self._redis, [key], [owner])

    async def _still_allowed(self, by: Principal) -> None:
        """Refuse a change whose caller may no longer manage staff: their role was read when
        their request came in, and another change (their demotion) may have come first."""
        if by.actor == OPERATOR or by.role is None:
            return
        kind, _, name = by.actor.partition(":")
        role: Role | None = None
        if kind == "staff":
            member = await self._staff.get(name)
            role = member.role_in(by.org) if member is not None else None
        elif kind == "token":
            token = await self._tokens.get(name)
            if token is not None and token.org == by.org:
                owner = await self._tokens.owner_role(token.email, by.org)
                role = effective_role(token.role, owner)
        if role is None or Permission.STAFF_MANAGE not in permissions_of(role):
            raise ForbiddenError(by, Permission.STAFF_MANAGE)

    async def _member(self, org: str, email: str) -> StaffMember | None:
        member = await self._staff.get(normal_email(email))
        return member if member is not None and member.role_in(org) is not None else None

    async def _invited(self, org: str, email: str) -> Invitation | None:
        """The invitation waiting for `email` from `org`, unless it is a member already."""
        email = normal_email(email)
        if await self._member(org, email) is not None:
            return None
        return await self.invitations.get(email, org)

    async def _role_of(self, org: str, email: str) -> Role:
        member = await self._member(org, email)
        role = member.role_in(org) if member is not None else None
        if role is None:
            raise NotFoundError(f"no staff member {email} in '{org}'")
        return role

    async def _keep_an_admin(self, org: str, email: str, role: Role) -> None:
        """Refuse to take away the organisation's last admin."""
        if role is not Role.ADMIN:
            return
        admins = [other for other, held in await self._staff.members(org) if held is Role.ADMIN]
        if admins == [normal_email(email)]:
            raise StaffConflictError(
                f"{normal_email(email)} is the last admin of '{org}': make someone else admin "
                "first",
                Conflict.LAST_ADMIN,
                normal_email(email),
            )

    def _entry(
        self,
        by: Principal,
        action: AuditAction,
        target: str,
        details: Mapping[str, str | int] | None = None,
    ) -> AuditRecord:
        """The change's audit entry, checked now, before the change (ValueError: it could not
        be recorded, and so is not made); its time is set when it is recorded."""
        return AuditRecord.checked(
            at_ms=0,
            actor=by.actor,
            action=action,
            target=target,
            count=None,
            address=by.address,
            details=details,
        )

    async def _record(self, by: Principal, entry: AuditRecord) -> None:
        await self._audit.record(
            by.org,
            actor=entry.actor,
            action=AuditAction(entry.action),
            target=entry.target,
            address=entry.address,
            details=entry.details,
        )


_RESET = {"reason": "reset"}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _may_give_link(by: Principal, member: StaffMember) -> bool:
    """Whether `by` may hold the account's setup link: it opens every organisation the account
    is in, so the operator, or an admin of its only organisation."""
    return by.role is None or set(member.roles) == {by.org}
