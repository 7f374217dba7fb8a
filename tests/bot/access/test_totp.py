"""The second factor's codes: a step of drift either way, each accepted once."""

from __future__ import annotations

import pyotp
from redis.asyncio import Redis

from bot.access.totp import CodeChecker, new_secret, open_secret, provisioning_uri, seal_secret
from bot.privacy import ParticipantCrypto
from bot.secret import Secret
from bot.storage.keys import KeySchema

NOW = 1_800_000_000.0
CRYPTO = ParticipantCrypto(master_key=Secret(b"m" * 32), id_secret=Secret(b"i" * 32))


async def test_codes_of_one_step_either_side_pass_once_and_never_an_older_one(
    redis_client: Redis,
) -> None:
    checker = CodeChecker(redis_client, KeySchema(prefix="t-totp"))
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    assert not await checker.accept("a@x.example", secret, totp.at(NOW - 60), NOW)  # too old
    assert not await checker.accept("a@x.example", secret, totp.at(NOW + 60), NOW)  # too early
    assert await checker.accept("a@x.example", secret, totp.at(NOW - 30), NOW)  # drift
    assert await checker.accept("a@x.example", secret, totp.at(NOW), NOW)
    assert not await checker.accept("a@x.example", secret, totp.at(NOW), NOW)  # replayed
    assert not await checker.accept("a@x.example", secret, totp.at(NOW - 30), NOW)  # older
    assert await checker.accept("a@x.example", secret, totp.at(NOW + 30), NOW)
    assert not await checker.accept("a@x.example", secret, "12345", NOW)
    # Another account's codes are its own.
    other = new_secret()
    assert await checker.accept("b@x.example", other, pyotp.TOTP(other).at(NOW), NOW)


def test_a_sealed_secret_opens_only_for_its_own_account() -> None:
    secret = new_secret()
    sealed = seal_secret(CRYPTO, "a@x.example", secret)
    assert secret.encode() not in sealed
    assert open_secret(CRYPTO, "a@x.example", sealed) == secret
    assert open_secret(CRYPTO, "b@x.example", sealed) is None


def test_the_uri_names_sauti_and_the_account() -> None:
    secret = new_secret()
    uri = provisioning_uri(secret, "ama@acme.example")
    assert uri.startswith(f"otpauth://totp/Sauti:ama%40acme.example?secret={secret}")
    assert "issuer=Sauti" in uri
