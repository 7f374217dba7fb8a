"""Organisations: who a deployment hosts. A campaign belongs to exactly one (its hash's `org`
field); its decisions, cases and exports belong to the campaign's organisation.

Each organisation keeps a random salt that, with the server's id secret, makes its pseudonyms
(`bot.access.pseudonyms`): the salt alone, read from Redis, computes nothing.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.storage.keys import KeySchema
from bot.storage.replies import as_bytes, text

DEFAULT_ORG = "default"  # where a deployment's campaigns from before organisations live
DEFAULT_ORG_NAME = "Default organisation"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")
MAX_NAME = 120


class OrganisationError(ValueError):
    """A slug or name that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Organisation:
    slug: str
    name: str
    created_at: int  # epoch seconds
    salt: bytes  # for pseudonyms; never shown


def check_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise OrganisationError(
            f"'{slug}' is not an organisation slug: 2-32 characters, lower-case letters, "
            "digits and '-', starting with a letter or digit"
        )
    return slug


class OrganisationStore:
    def __init__(self, redis: Redis, schema: KeySchema) -> None:
        self._redis = redis
        self._schema = schema

    async def create(self, slug: str, name: str) -> Organisation:
        """A new organisation; OrganisationError when the slug is taken or malformed."""
        check_slug(slug)
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise OrganisationError(f"an organisation's name is 1-{MAX_NAME} characters")
        organisation = Organisation(slug, name, int(time.time()), secrets.token_bytes(16))
        key = self._schema.organisation(slug)
        # HSETNX on the name claims the slug: two operators creating it at once get one each
        # answer, never a mix of both records.
        if not await self._redis.hsetnx(key, "name", name):
            raise OrganisationError(f"organisation '{slug}' exists already")
        await self._redis.hset(
            key, mapping={"created": organisation.created_at, "salt": organisation.salt}
        )
        await self._redis.sadd(self._schema.organisations, slug)
        return organisation

    async def ensure(self, slug: str, name: str) -> Organisation:
        """The organisation, created first if there is none (for the default one)."""
        found = await self.get(slug)
        if found is not None:
            return found
        try:
            return await self.create(slug, name)
        except OrganisationError:
            found = await self.get(slug)  # another process made it meanwhile
            if found is None:
                raise
            return found

    async def get(self, slug: str) -> Organisation | None:
        if not SLUG.match(slug):
            return None
        name, created, salt = await self._redis.hmget(
            self._schema.organisation(slug), ["name", "created", "salt"]
        )
        if name is None or salt is None:
            return None
        return Organisation(slug, text(name), int(created or 0), as_bytes(salt))

    async def slugs(self) -> list[str]:
        return sorted(
            text(member) for member in await self._redis.smembers(self._schema.organisations)
        )

    async def all(self) -> list[Organisation]:
        found = [await self.get(slug) for slug in await self.slugs()]
        return [organisation for organisation in found if organisation is not None]
