"""Staff: the people of a company (or of a civil-society organisation) who work in Sauti, and
their role in each organisation they belong to.

A staff member is one account across organisations, named by e-mail address, with a role per
organisation (`r:<org>` fields of their hash). Their credentials (password hash, second factor)
live on the same hash and are set by the sign-in code. Each organisation also keeps the set of
its staff, for listings; the account's own `r:<org>` field is what grants access.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from redis.asyncio import Redis

from bot.access.roles import Role
from bot.storage.keys import KeySchema
from bot.storage.replies import as_bytes, text

# An address as the audit log can name it (`staff:<email>`, bot.audit.entry): no colon, a
# local part of at most 64 characters and a domain of at most 190, printable, 194 in all.
EMAIL = re.compile(r"^[^@\s:]{1,64}@(?=[^@\s:]{1,190}$)[^@\s:]+\.[^@\s:]+$")
MAX_EMAIL = 194
ROLE_FIELD = "r:"


class StaffError(ValueError):
    """An address or change that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    email: str
    roles: dict[str, Role] = field(default_factory=dict)  # organisation slug -> role
    password_hash: str | None = None
    totp_secret: bytes | None = None  # sealed
    created_at: int = 0

    def role_in(self, org: str) -> Role | None:
        return self.roles.get(org)


def normal_email(email: str) -> str:
    """The address as stored: trimmed and lower-case; StaffError when it is not one."""
    email = email.strip().lower()
    if len(email) > MAX_EMAIL or not EMAIL.match(email) or not email.isprintable():
        raise StaffError(f"'{email}' is not an e-mail address")
    return email


class StaffStore:
    def __init__(self, redis: Redis, schema: KeySchema) -> None:
        self._redis = redis
        self._schema = schema

    async def add(self, email: str, org: str, role: Role) -> bool:
        """Give `email` a role in `org`, making the account if it is new (True then). An
        existing member of `org` keeps their role: StaffError (use `set_role`)."""
        email = normal_email(email)
        key = self._schema.staff(email)
        if await self._redis.hget(key, ROLE_FIELD + org) is not None:
            raise StaffError(f"{email} is already staff of '{org}'")
        created = await self._redis.hsetnx(key, "created", int(time.time()))
        await self._redis.hset(key, ROLE_FIELD + org, role.value)
        await self._redis.sadd(self._schema.organisation_staff(org), email)
        return bool(created)

    async def set_role(self, email: str, org: str, role: Role) -> Role:
        """Change a member's role; the role they had. StaffError when not a member."""
        email = normal_email(email)
        member = await self.get(email)
        before = member.role_in(org) if member is not None else None
        if before is None:
            raise StaffError(f"{email} is not staff of '{org}'")
        await self._redis.hset(self._schema.staff(email), ROLE_FIELD + org, role.value)
        return before

    async def remove(self, email: str, org: str) -> None:
        """Take `email` out of `org`. Their account stays for their other organisations (and
        goes with its credentials when this was the last one)."""
        email = normal_email(email)
        key = self._schema.staff(email)
        if not await self._redis.hdel(key, ROLE_FIELD + org):
            raise StaffError(f"{email} is not staff of '{org}'")
        await self._redis.srem(self._schema.organisation_staff(org), email)
        member = await self.get(email)
        if member is not None and not member.roles:
            await self._redis.delete(key)

    async def get(self, email: str) -> StaffMember | None:
        try:
            email = normal_email(email)
        except StaffError:
            return None
        raw = await self._redis.hgetall(self._schema.staff(email))
        if not raw:
            return None
        fields = {text(name): value for name, value in raw.items()}
        roles: dict[str, Role] = {}
        for name, value in fields.items():
            if name.startswith(ROLE_FIELD):
                try:
                    roles[name[len(ROLE_FIELD) :]] = Role(text(value))
                except ValueError:  # a role this version does not know grants nothing
                    continue
        password, totp = fields.get("pw"), fields.get("totp")
        return StaffMember(
            email=email,
            roles=roles,
            password_hash=text(password) if password is not None else None,
            totp_secret=as_bytes(totp) if totp is not None else None,
            created_at=int(fields.get("created", b"0")),
        )

    async def members(self, org: str) -> list[tuple[str, Role]]:
        """(email, role) of everyone in `org`, by address."""
        return [(member.email, member.roles[org]) for member in await self.accounts(org)]

    async def accounts(self, org: str) -> list[StaffMember]:
        """The accounts of everyone in `org`, by address."""
        emails = sorted(
            text(member)
            for member in await self._redis.smembers(self._schema.organisation_staff(org))
        )
        found = []
        for email in emails:
            member = await self.get(email)
            # The account's own field is the truth; the set an index.
            if member is not None and member.role_in(org) is not None:
                found.append(member)
        return found

    async def set_password_hash(self, email: str, password_hash: str) -> None:
        await self._redis.hset(self._schema.staff(normal_email(email)), "pw", password_hash)

    async def set_totp_secret(self, email: str, sealed: bytes | None) -> None:
        key = self._schema.staff(normal_email(email))
        if sealed is None:
            await self._redis.hdel(key, "totp")
        else:
            await self._redis.hset(key, "totp", sealed)
