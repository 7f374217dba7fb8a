"""Invitations: an organisation's admin asks an account that already exists (as staff of
another organisation) to join; the account joins only when its owner accepts, once signed in.

Why not add it at once: the admin's answer would then differ from the one for a new address
(no setup link, a password already set, an earlier "since"), and so tell an admin of one
organisation who is staff of another. An invitation answers as a new account does — a link,
nothing set up yet — and is listed as one is, until it is accepted. Its link leads to sign-in,
never to setting a password: whoever holds it can change nothing of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.access.roles import Role
from bot.storage.keys import KeySchema
from bot.storage.replies import text

TOKEN_BYTES = 32  # as a setup link's: the two links look alike
_MAX_TOKEN = 64


@dataclass(frozen=True, slots=True)
class Invitation:
    email: str
    org: str
    role: Role
    asked_ms: int
    link: str = ""  # the digest of its live link's token ("": made before links were kept)


class Invitations:
    def __init__(self, redis: Redis, schema: KeySchema, ttl_seconds: int) -> None:
        self._redis = redis
        self._schema = schema
        self._ttl = ttl_seconds

    async def invite(self, email: str, org: str, role: Role, now_ms: int) -> str:
        """Ask `email` to join `org` as `role` (again: the latest role, and a new link: the one
        handed out before stops); its link's token."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        theirs = self._schema.staff_invitations(email)
        listed = self._schema.organisation_invitations(org)
        before = await self.get(email, org)
        digest = _digest(token)
        pipe = self._redis.pipeline(transaction=False)
        if before is not None and before.link:  # one live link per invitation, as a setup's
            pipe.delete(self._schema.staff_invitation_link(before.link))
        pipe.hset(theirs, org, f"{role.value}:{now_ms}:{digest}")
        pipe.expire(theirs, self._ttl)
        pipe.sadd(listed, email)
        pipe.set(self._schema.staff_invitation_link(digest), f"{email} {org}", ex=self._ttl)
        await pipe.execute()
        return token

    async def change_role(self, invitation: Invitation, role: Role) -> None:
        """Ask with another role; the link handed out keeps working (as a new account's setup
        link does when its role changes)."""
        value = f"{role.value}:{invitation.asked_ms}:{invitation.link}"
        await self._redis.hset(
            self._schema.staff_invitations(invitation.email), invitation.org, value
        )

    async def of_account(self, email: str) -> list[Invitation]:
        """The organisations waiting for the account's answer."""
        raw = await self._redis.hgetall(self._schema.staff_invitations(email))
        found = [_invitation(email, text(org), text(value)) for org, value in raw.items()]
        return sorted((one for one in found if one is not None), key=lambda one: one.org)

    async def of_organisation(self, org: str) -> list[Invitation]:
        """Those the organisation asked and who have not answered yet."""
        listed = self._schema.organisation_invitations(org)
        found = []
        for member in sorted(await self._redis.smembers(listed)):
            email = text(member)
            value = await self._redis.hget(self._schema.staff_invitations(email), org)
            one = _invitation(email, org, text(value)) if value is not None else None
            if one is None:  # lapsed or answered: drop it from the index
                await self._redis.srem(listed, email)
            else:
                found.append(one)
        return found

    async def get(self, email: str, org: str) -> Invitation | None:
        value = await self._redis.hget(self._schema.staff_invitations(email), org)
        return _invitation(email, org, text(value)) if value is not None else None

    async def take(self, email: str, org: str) -> Invitation | None:
        """End the invitation (accepted, or withdrawn) and its link: the one it was, for the one
        caller that ended it; None when there was none."""
        found = await self.get(email, org)
        if found is None:
            return None
        ended = await self._redis.hdel(self._schema.staff_invitations(email), org)
        await self._redis.srem(self._schema.organisation_invitations(org), email)
        if found.link:
            await self._redis.delete(self._schema.staff_invitation_link(found.link))
        return found if ended else None

    async def link(self, token: str) -> tuple[str, str] | None:
        """(email, organisation) of an invitation's live link, or None."""
        if not token or len(token) > _MAX_TOKEN:
            return None
        value = await self._redis.get(self._schema.staff_invitation_link(_digest(token)))
        if value is None:
            return None
        email, _, org = text(value).partition(" ")
        return email, org


def _invitation(email: str, org: str, value: str) -> Invitation | None:
    role, _, rest = value.partition(":")
    asked, _, link = rest.partition(":")
    try:
        return Invitation(email, org, Role(role), int(asked), link)
    except ValueError:
        return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
