"""Signed-in browsers of staff: server-side sessions in Redis.

The browser holds only a random token (32 bytes) in a cookie; Redis holds the session under
the token's SHA-256, so whoever reads Redis (or a backup of it) cannot act as anyone. A
session ends after `idle_seconds` without use, `absolute_seconds` after signing in however
busy, when its owner signs out (here or everywhere), and — checked by whoever reads it — when
its owner's role in its organisation is no longer the one it was signed in with.

A session acts in one organisation at a time (`org`; empty for someone in several who has not
chosen yet). It carries its own token for the forms it shows (`csrf`, see bot.access.csrf).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.access.roles import Role
from bot.storage.keys import KeySchema
from bot.storage.replies import text

TOKEN_BYTES = 32
# The session's `seen` is written at most this often: one write per minute of use, not per
# request, at the price of an idle timeout up to this much longer.
_TOUCH_SECONDS = 60
# Redis expires a session a little after the code would refuse it: the code decides, Redis
# only cleans up.
_TTL_SLACK_SECONDS = 5


@dataclass(frozen=True, slots=True)
class SessionLimits:
    idle_seconds: int = 1800
    absolute_seconds: int = 12 * 3600


@dataclass(frozen=True, slots=True)
class StaffSession:
    digest: str  # SHA-256 of the token: what Redis knows it by
    email: str
    org: str | None
    role: Role | None  # the role in `org` when it was bound
    mfa: bool  # signed in with a second factor
    csrf: str
    created: float
    seen: float


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        limits: SessionLimits,
        clock: Callable[[], float],
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._limits = limits
        self._clock = clock

    async def create(self, email: str, org: str | None, role: Role | None, *, mfa: bool) -> str:
        """A new session; its token, for the cookie (shown nowhere else, stored nowhere)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        digest = token_digest(token)
        now = self._clock()
        key = self._schema.staff_session(digest)
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(
            key,
            mapping={
                "email": email,
                "org": org or "",
                "role": role.value if role is not None else "",
                "mfa": int(mfa),
                "csrf": secrets.token_urlsafe(TOKEN_BYTES),
                "created": repr(now),
                "seen": repr(now),
            },
        )
        pipe.expire(key, self._ttl(now, now))
        await pipe.execute()
        await self._remember(email, digest)
        return token

    async def get(self, token: str) -> StaffSession | None:
        """The live session of `token`, its use noted; None when there is none (unknown,
        signed out, timed out: a timed-out one is deleted)."""
        if not token or len(token) > 2 * TOKEN_BYTES:
            return None
        digest = token_digest(token)
        key = self._schema.staff_session(digest)
        raw = await self._redis.hgetall(key)
        session = _parsed(digest, raw)
        if session is None:
            return None
        now = self._clock()
        idle = now - session.seen >= self._limits.idle_seconds
        if idle or now - session.created >= self._limits.absolute_seconds:
            await self.end(session)
            return None
        if now - session.seen >= _TOUCH_SECONDS:
            pipe = self._redis.pipeline(transaction=True)
            pipe.hset(key, "seen", repr(now))
            pipe.expire(key, self._ttl(session.created, now))
            await pipe.execute()
        return session

    async def bind(self, session: StaffSession, org: str, role: Role) -> None:
        """Make `session` act in `org` (with the role its owner has there now)."""
        await self._redis.hset(
            self._schema.staff_session(session.digest), mapping={"org": org, "role": role.value}
        )

    async def end(self, session: StaffSession) -> None:
        await self._redis.delete(self._schema.staff_session(session.digest))
        await self._redis.srem(self._schema.staff_sessions(session.email), session.digest)

    async def end_all(self, email: str) -> int:
        """Sign `email` out everywhere; how many sessions were live."""
        index = self._schema.staff_sessions(email)
        digests = [text(member) for member in await self._redis.smembers(index)]
        # One DEL per key: on Redis Cluster the sessions are in different hash slots.
        pipe = self._redis.pipeline(transaction=False)
        for digest in digests:
            pipe.delete(self._schema.staff_session(digest))
        pipe.delete(index)
        ended = await pipe.execute()
        return sum(int(count) for count in ended[:-1])

    async def _remember(self, email: str, digest: str) -> None:
        """Add the session to its account's index, dropping the ones that have expired (so
        the index stays as small as the live sessions)."""
        index = self._schema.staff_sessions(email)
        known = [text(member) for member in await self._redis.smembers(index)]
        pipe = self._redis.pipeline(transaction=False)
        for member in known:
            pipe.exists(self._schema.staff_session(member))
        alive = await pipe.execute()
        gone = [member for member, live in zip(known, alive, strict=True) if not live]
        pipe = self._redis.pipeline(transaction=True)
        if gone:
            pipe.srem(index, *gone)
        pipe.sadd(index, digest)
        pipe.expire(index, self._limits.absolute_seconds + _TTL_SLACK_SECONDS)
        await pipe.execute()

    def _ttl(self, created: float, now: float) -> int:
        left = min(self._limits.idle_seconds, created + self._limits.absolute_seconds - now)
        return max(1, math.ceil(left)) + _TTL_SLACK_SECONDS


def _parsed(digest: str, raw: dict[bytes | str, bytes | str]) -> StaffSession | None:
    fields = {text(name): text(value) for name, value in raw.items()}
    try:
        return StaffSession(
            digest=digest,
            email=fields["email"],
            org=fields["org"] or None,
            role=Role(fields["role"]) if fields["role"] else None,
            mfa=fields["mfa"] == "1",
            csrf=fields["csrf"],
            created=float(fields["created"]),
            seen=float(fields["seen"]),
        )
    except (KeyError, ValueError):  # gone (or half-written while expiring): no session
        return None
