"""API tokens: how a company's scripts and integrations act for a staff member, in one
organisation, through the JSON API (`Authorization: Bearer sauti_<id>_<secret>`).

Only a hash of the secret is stored, keyed by the token's id; the token is shown once, when it
is made. The secret is 256 random bits, so a plain SHA-256 is enough: nobody can search a space
of 2^256 secrets, however fast the hash, and Argon2's slowness — which protects passwords people
choose — would cost every API request tens of milliseconds of CPU for nothing.

A token carries at most its owner's *current* role (`effective_role`): it is checked against
the owner's role in the organisation on every request, so taking someone out of an organisation
stops their tokens at once, and demoting them narrows what their tokens may do.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.access.roles import Role, within
from bot.access.staff import ROLE_FIELD, normal_email
from bot.storage.keys import KeySchema
from bot.storage.replies import text
from bot.storage.scripts import MARK_IF_PRESENT

PREFIX = "sauti"
MAX_DAYS = 365
DAY = 86400
# A token: sauti_<12 hex id>_<64 hex secret>. The id names it in listings and the audit log.
_TOKEN = re.compile(r"^sauti_([0-9a-f]{12})_([0-9a-f]{64})$")
TOKEN_ID = re.compile(r"^[0-9a-f]{12}$")
# How stale the "last used" time may be: written at most once a minute per token, so busy
# scripts do not add a write to every request.
USED_RESOLUTION = 60


class TokenError(ValueError):
    """A token that cannot be made or found; the message says why."""


@dataclass(frozen=True, slots=True)
class ApiToken:
    token_id: str
    email: str  # the staff member it acts for
    org: str
    role: Role  # the role it was given; what it grants is `effective_role`
    created_at: int  # epoch seconds
    expires_at: int
    last_used_at: int | None

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    secret_token: str  # sauti_<id>_<secret>: shown once, never stored


def effective_role(token_role: Role, owner_role: Role | None) -> Role | None:
    """What a token may do now: its own role while its owner still holds at least that; the
    owner's current role when they were moved to one within it (demoted: the token does less);
    None — the token no longer works — when the owner left the organisation or now holds a role
    unrelated to the token's (a caseworker's token of a former analyst)."""
    if owner_role is None:
        return None
    if within(token_role, owner_role):
        return token_role
    if within(owner_role, token_role):
        return owner_role
    return None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_token(presented: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed token, else None."""
    match = _TOKEN.match(presented.strip())
    return (match.group(1), match.group(2)) if match else None


class TokenStore:
    def __init__(self, redis: Redis, schema: KeySchema) -> None:
        self._redis = redis
        self._schema = schema

    async def create(
        self, email: str, org: str, role: Role, days: int, now: float | None = None
    ) -> IssuedToken:
        """A new token for a member of `org`, with a role within theirs. TokenError when they
        are not staff there, the role exceeds theirs, or `days` is not 1..365."""
        email = normal_email(email)
        if not 1 <= days <= MAX_DAYS:
            raise TokenError(f"a token lasts 1 to {MAX_DAYS} days, not {days}")
        owner_role = await self.owner_role(email, org)
        if owner_role is None:
            raise TokenError(f"{email} is not staff of '{org}'")
        if not within(role, owner_role):
            raise TokenError(
                f"{email} is {owner_role.value} in '{org}': a token cannot be {role.value}"
            )
        created = int(time.time() if now is None else now)
        token_id, secret = secrets.token_hex(6), secrets.token_hex(32)
        token = ApiToken(token_id, email, org, role, created, created + days * DAY, None)
        key = self._schema.api_token(token_id)
        pipe = self._redis.pipeline(transaction=False)
        pipe.hset(
            key,
            mapping={
                "hash": digest(secret),
                "email": email,
                "org": org,
                "role": role.value,
                "created": created,
                "expires": token.expires_at,
            },
        )
        pipe.expireat(key, token.expires_at)
        pipe.sadd(self._schema.organisation_tokens(org), token_id)
        await pipe.execute()
        return IssuedToken(token, f"{PREFIX}_{token_id}_{secret}")

    async def get(self, token_id: str) -> ApiToken | None:
        if not TOKEN_ID.match(token_id):
            return None
        return _token(token_id, await self._redis.hgetall(self._schema.api_token(token_id)))

    async def verify(self, presented: str, now: float | None = None) -> ApiToken | None:
        """The token a bearer presented, if it is one Sauti made, unrevoked and unexpired."""
        parsed = parse_token(presented)
        if parsed is None:
            return None
        token_id, secret = parsed
        raw = await self._redis.hgetall(self._schema.api_token(token_id))
        stored = raw.get(b"hash")
        # Compared in constant time: how much of a guess matched must not show in the timing.
        if stored is None or not hmac.compare_digest(text(stored), digest(secret)):
            return None
        token = _token(token_id, raw)
        moment = time.time() if now is None else now
        if token is None or token.expired(moment):
            return None
        return token

    async def owner_role(self, email: str, org: str) -> Role | None:
        raw = await self._redis.hget(self._schema.staff(email), ROLE_FIELD + org)
        try:
            return Role(text(raw)) if raw is not None else None
        except ValueError:  # a role this version does not know grants nothing
            return None

    async def mark_used(self, token: ApiToken, now: float) -> None:
        if token.last_used_at is None or now - token.last_used_at >= USED_RESOLUTION:
            # Only onto a token still there: a plain HSET after a revocation would make the
            # token's key again, without its expiry.
            key = self._schema.api_token(token.token_id)
            await MARK_IF_PRESENT(self._redis, [key], ["used", int(now)])

    async def revoke(self, token_id: str) -> ApiToken:
        """Delete a token; the token it was. TokenError when there is none of that id."""
        token = await self.get(token_id)
        if token is None:
            raise TokenError(f"no token '{token_id}' (sauti token list --org ORG)")
        await self._redis.delete(self._schema.api_token(token_id))
        await self._redis.srem(self._schema.organisation_tokens(token.org), token_id)
        return token

    async def listed(self, org: str) -> list[ApiToken]:
        """The organisation's tokens, oldest first; ids of tokens gone (expired) are dropped."""
        ids = sorted(
            text(member)
            for member in await self._redis.smembers(self._schema.organisation_tokens(org))
        )
        found: list[ApiToken] = []
        gone: list[str] = []
        for token_id in ids:
            token = await self.get(token_id)
            if token is None:
                gone.append(token_id)
            else:
                found.append(token)
        if gone:
            await self._redis.srem(self._schema.organisation_tokens(org), *gone)
        return sorted(found, key=lambda token: (token.created_at, token.token_id))


def _token(token_id: str, raw: Mapping[Any, Any]) -> ApiToken | None:
    if b"hash" not in raw:
        return None
    try:
        role = Role(text(raw[b"role"]))
    except (KeyError, ValueError):  # a role this version does not know grants nothing
        return None
    used = raw.get(b"used")
    return ApiToken(
        token_id=token_id,
        email=text(raw.get(b"email", b"")),
        org=text(raw.get(b"org", b"")),
        role=role,
        created_at=int(raw.get(b"created", b"0")),
        expires_at=int(raw.get(b"expires", b"0")),
        last_used_at=int(used) if used is not None else None,
    )
