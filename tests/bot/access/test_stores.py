"""Organisations, staff and pseudonyms, stored in a real Redis."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.access.organisations import OrganisationError, OrganisationStore
from bot.access.pseudonyms import Pseudonyms
from bot.access.roles import Role
from bot.access.staff import StaffError, StaffStore
from bot.privacy import ParticipantCrypto
from bot.secret import Secret
from bot.storage.keys import KeySchema

SCHEMA = KeySchema(prefix="t-access")


def _crypto() -> ParticipantCrypto:
    return ParticipantCrypto(master_key=Secret(b"m" * 32), id_secret=Secret(b"i" * 32))


async def test_an_organisation_is_created_once_and_read_back(redis_client: Redis) -> None:
    store = OrganisationStore(redis_client, SCHEMA)
    made = await store.create("acme", "  Acme   Telecom ")
    assert made.name == "Acme Telecom"
    assert await store.get("acme") == made
    with pytest.raises(OrganisationError, match="exists already"):
        await store.create("acme", "Another")
    await store.create("globex", "Globex")
    assert await store.slugs() == ["acme", "globex"]


@pytest.mark.parametrize("slug", ["A", "acme corp", "-acme", "x" * 40, "acme/../x", ""])
async def test_a_malformed_slug_is_refused_with_the_rule(redis_client: Redis, slug: str) -> None:
    with pytest.raises(OrganisationError, match="lower-case letters"):
        await OrganisationStore(redis_client, SCHEMA).create(slug, "Name")
    assert await OrganisationStore(redis_client, SCHEMA).get(slug) is None


async def test_one_person_has_a_role_in_each_of_their_organisations(redis_client: Redis) -> None:
    staff = StaffStore(redis_client, SCHEMA)
    assert await staff.add("Ama@Example.org ", "acme", Role.ANALYST) is True
    assert await staff.add("ama@example.org", "globex", Role.VIEWER) is False
    member = await staff.get("AMA@example.org")
    assert member is not None
    assert member.roles == {"acme": Role.ANALYST, "globex": Role.VIEWER}
    assert await staff.members("acme") == [("ama@example.org", Role.ANALYST)]

    assert await staff.set_role("ama@example.org", "acme", Role.ADMIN) is Role.ANALYST
    await staff.remove("ama@example.org", "globex")
    member = await staff.get("ama@example.org")
    assert member is not None
    assert member.roles == {"acme": Role.ADMIN}
    assert await staff.members("globex") == []

    await staff.remove("ama@example.org", "acme")  # the last one: the account goes
    assert await staff.get("ama@example.org") is None


async def test_staff_changes_that_make_no_sense_are_refused(redis_client: Redis) -> None:
    staff = StaffStore(redis_client, SCHEMA)
    with pytest.raises(StaffError, match="not an e-mail address"):
        await staff.add("not-an-address", "acme", Role.VIEWER)
    await staff.add("kofi@example.org", "acme", Role.VIEWER)
    with pytest.raises(StaffError, match="already staff"):
        await staff.add("kofi@example.org", "acme", Role.ADMIN)
    with pytest.raises(StaffError, match="not staff of 'globex'"):
        await staff.set_role("kofi@example.org", "globex", Role.ADMIN)
    with pytest.raises(StaffError, match="not staff of 'globex'"):
        await staff.remove("kofi@example.org", "globex")


async def test_one_person_in_two_organisations_gets_unrelated_pseudonyms(
    redis_client: Redis,
) -> None:
    store = OrganisationStore(redis_client, SCHEMA)
    acme, globex = await store.create("acme", "Acme"), await store.create("globex", "Globex")
    crypto = _crypto()
    pid = crypto.participant_id("telegram", "424242")
    in_acme, in_globex = Pseudonyms(crypto, acme).of(pid), Pseudonyms(crypto, globex).of(pid)

    assert in_acme != in_globex
    assert pid not in in_acme
    assert pid not in in_globex
    assert Pseudonyms(crypto, acme).of(pid) == in_acme  # stable within one organisation
    other = crypto.participant_id("telegram", "515151")
    assert Pseudonyms(crypto, acme).of(other) != in_acme
    # A new organisation of the same slug (made again after a wipe) is not the old one.
    await redis_client.delete(SCHEMA.organisation("acme"))
    again = await store.create("acme", "Acme")
    assert Pseudonyms(crypto, again).of(pid) != in_acme
