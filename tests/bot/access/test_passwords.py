"""Which passwords staff may choose, and how they are kept."""

from __future__ import annotations

import pytest

from bot.access.passwords import HashParameters, PasswordRefusedError, Passwords, check_password

CHEAP = HashParameters(time_cost=1, memory_kib=64, parallelism=1)


def refusal(password: str) -> str:
    with pytest.raises(PasswordRefusedError) as refused:
        check_password(password, email="ama.otieno@acme.example", organisation_names=("Acme",))
    return str(refused.value)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("", "too short"),
        ("abcdefghijk", "too short"),
        ("ሰላምሰላምዓለምዓ", "too short"),  # 11 characters, 33 bytes
        ("correct horse battery staple " * 9, "too long"),
        ("password12345", "too easy to guess"),
        ("qwertyuiop123", "too easy to guess"),
        ("iloveyou1234567", "too easy to guess"),
        ("otieno-was-here-2026", "e-mail address"),
        ("my acme account 1", "organisation's name"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(password: str, why: str) -> None:
    assert why in refusal(password)


@pytest.mark.parametrize(
    "password",
    ["seven sleepy otters paddle north", "Maji-ya-Ziwa-Victoria-78", "ሰላም ዓለም አዲስ ቀን ነው"],
)
def test_a_long_uncommon_password_is_accepted(password: str) -> None:
    check_password(password, email="ama.otieno@acme.example", organisation_names=("Acme",))


async def test_a_hash_verifies_only_its_password_and_needs_no_rehash_until_the_cost_changes() -> (
    None
):
    passwords = Passwords(CHEAP)
    stored = await passwords.hash("seven sleepy otters paddle north")
    assert stored.startswith("$argon2id$")
    assert await passwords.verify(stored, "seven sleepy otters paddle north")
    assert not await passwords.verify(stored, "seven sleepy otters paddle south")
    assert not await passwords.verify(None, "anything")  # no account: a dummy is verified
    assert not await passwords.verify("not a hash", "anything")
    assert not passwords.needs_rehash(stored)
    assert Passwords(HashParameters(time_cost=2, memory_kib=64)).needs_rehash(stored)
