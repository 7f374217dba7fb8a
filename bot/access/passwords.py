"""Staff passwords: which ones Sauti accepts, and how it keeps them (Argon2id).

A password is refused when it is too short (fewer than 12 characters, counted as characters,
not bytes: a passphrase in any script counts the same), absurdly long (over 256: nobody types
that, and Argon2 would hash it anyway), or easy to guess: zxcvbn (its own lists of common
passwords, names and words, bundled; nothing is looked up online) scores it below 3, which
includes any password built around the person's e-mail address or their organisation's name.

Hashing and verifying take a fraction of a second and tens of MiB each on purpose (the
parameters are settings, chosen in docs/benchmarks.md "Sign-in cost"): they run in a worker
thread, at most `CONCURRENT_HASHES` at once, so sign-ins never stall the event loop and a
flood of them cannot take all the memory.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn  # type: ignore[import-untyped]

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: "safely unguessable", which an offline attack on an Argon2 hash needs
CONCURRENT_HASHES = 2  # this size of server has 2 cores; each hash holds its memory meanwhile
# zxcvbn's time grows with the length; past this it has seen enough to judge.
_SCORED_PREFIX = 100


class PasswordRefusedError(ValueError):
    """A password Sauti does not accept; the message says why, in words for the person."""


@dataclass(frozen=True, slots=True)
class HashParameters:
    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


def check_password(password: str, *, email: str, organisation_names: tuple[str, ...]) -> None:
    """Raise PasswordRefusedError unless `password` is long enough and hard to guess."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefusedError(
            f"The password is too short: use at least {MIN_LENGTH} characters "
            "(a few words you will remember make a good one)."
        )
    if len(password) > MAX_LENGTH:
        raise PasswordRefusedError(f"The password is too long: at most {MAX_LENGTH} characters.")
    own = _own_words(email, organisation_names)
    lowered = password.lower()
    if any(word in lowered for word in own if len(word) >= 4):
        raise PasswordRefusedError(
            "The password contains your e-mail address or your organisation's name: "
            "choose one that does not."
        )
    verdict = zxcvbn(password[:_SCORED_PREFIX], user_inputs=list(own))
    if verdict["score"] < MIN_SCORE:
        advice = " ".join(
            part
            for part in (verdict["feedback"].get("warning"), *verdict["feedback"]["suggestions"])
            if part
        )
        raise PasswordRefusedError(
            "The password is too easy to guess (it is common, or close to a common one)."
            + (f" {advice}" if advice else "")
        )


def _own_words(email: str, organisation_names: tuple[str, ...]) -> tuple[str, ...]:
    """The account's own words that a password must not be built on: the address, its local
    part, the domain's first label, each organisation name and its words."""
    local, _, domain = email.lower().partition("@")
    words = {email.lower(), local, domain.split(".")[0], *re.split(r"[._+-]", local)}
    for name in organisation_names:
        words.add(name.lower())
        words.update(re.findall(r"\w+", name.lower()))
    return tuple(sorted(word for word in words if word))


class Passwords:
    """Hash and verify passwords with the deployment's Argon2id parameters."""

    def __init__(self, parameters: HashParameters) -> None:
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_kib,
            parallelism=parameters.parallelism,
            type=Type.ID,
        )
        self._slots = asyncio.Semaphore(CONCURRENT_HASHES)
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` matches `stored`. With nothing stored (no such account, or no
        password set yet) a dummy hash is verified all the same: the answer takes as long,
        so its timing does not tell whether the account exists."""
        # Made on the first check of any kind, so that no one kind of answer is the slower.
        dummy = await self._dummy_hash()
        if stored is None:
            await self._verify(dummy, password)
            return False
        return await self._verify(stored, password)

    def needs_rehash(self, stored: str) -> bool:
        """Whether `stored` was made with other parameters than today's (then it is hashed
        again at the sign-in that proved the password)."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True

    async def _verify(self, stored: str, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(self._check, stored, password)

    def _check(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = await self.hash("no account has this password, it is only timed")
        return self._dummy
