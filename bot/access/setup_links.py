"""One-time setup links: how a new staff member gets in, and how one who lost their password or
phone gets back in.

`sauti staff add` and `sauti staff reset` print `<public URL>/staff/setup/<token>`. The token is
random (32 bytes); Redis keeps only its SHA-256, for `ttl_seconds`. The page it opens lets its
holder set a password and enrol a second factor (the secret it offers is kept with the link,
sealed, so reloading the page shows the same one). The link works once: using it deletes it,
and only one caller can delete it. A new link for the same account ends the one before.

A link opens the account only as it was when the link was made: it records the organisations the
account was in then, and the link stops working once the account is in another (whoever was
given it answered for those only; bot.access.membership). Adding a waiting account to another
organisation also cancels its link.

A reset also takes the account's password and second factor away and signs it out
everywhere (`reset_credentials`): whoever had them can do nothing any more.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.storage.keys import KeySchema
from bot.storage.replies import as_bytes, text
from bot.storage.scripts import MARK_IF_PRESENT

TOKEN_BYTES = 32
_MAX_TOKEN = 64


@dataclass(frozen=True, slots=True)
class SetupLink:
    digest: str
    email: str
    sealed_totp: bytes | None  # the secret the page offers, once it has shown one
    # The organisations the account was in when the link was made (empty for a link made
    # before links recorded them: it opens nothing).
    orgs: frozenset[str] = frozenset()

    def opens(self, orgs: Iterable[str]) -> bool:
        """Whether the link may open an account now in `orgs`: none it was not made for."""
        return set(orgs) <= self.orgs


class SetupLinks:
    def __init__(self, redis: Redis, schema: KeySchema, ttl_seconds: int) -> None:
        self._redis = redis
        self._schema = schema
        self._ttl = ttl_seconds

    async def issue(self, email: str, orgs: Iterable[str]) -> str:
        """A new link's token for `email`, an account in `orgs` now (the account's earlier link
        stops working)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        digest = _digest(token)
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(
            self._schema.staff_setup(digest),
            mapping={"email": email, "orgs": ",".join(sorted(set(orgs)))},
        )
        pipe.expire(self._schema.staff_setup(digest), self._ttl)
        await pipe.execute()
        earlier = await self._redis.set(
            self._schema.staff_setup_of(email), digest, ex=self._ttl, get=True
        )
        if isinstance(earlier, bytes | str) and text(earlier) != digest:
            await self._redis.delete(self._schema.staff_setup(text(earlier)))
        return token

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    async def find(self, token: str) -> SetupLink | None:
        """The live link of `token`, or None (unknown, used, expired, replaced)."""
        if not token or len(token) > _MAX_TOKEN:
            return None
        digest = _digest(token)
        email, sealed, orgs = await self._redis.hmget(
            self._schema.staff_setup(digest), ["email", "totp", "orgs"]
        )
        if email is None:
            return None
        made_for = frozenset(text(orgs).split(",")) - {""} if orgs is not None else frozenset()
        return SetupLink(
            digest, text(email), as_bytes(sealed) if sealed is not None else None, made_for
        )

    async def cancel(self, email: str) -> None:
        """End the account's live link, if it has one."""
        digest = await self._redis.getdel(self._schema.staff_setup_of(email))
        if isinstance(digest, bytes | str):
            await self._redis.delete(self._schema.staff_setup(text(digest)))

    async def offer_totp(self, link: SetupLink, sealed: bytes) -> bytes:
        """Keep the second factor's secret the page offers (sealed); the one kept first wins,
        so two tabs show the same secret. Returns the one kept."""
        key = self._schema.staff_setup(link.digest)
        # Only onto a link still there (not spent meanwhile): else the key comes back without
        # its expiry. HSETNX semantics, inside the same check.
        if await self._redis.hget(key, "totp") is None:
            await MARK_IF_PRESENT(self._redis, [key], ["totp", sealed])
        kept = await self._redis.hget(key, "totp")
        return as_bytes(kept) if kept is not None else sealed

    async def use(self, link: SetupLink) -> bool:
        """Spend the link: True for the one caller that did (the link is gone after)."""
        deleted = await self._redis.delete(self._schema.staff_setup(link.digest))
        if not deleted:
            return False
        await self._redis.delete(self._schema.staff_setup_of(link.email))
        return True


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
