"""Sign-in attempts, counted per account and per client address in fixed windows, before the
password is checked; a successful one is taken back.

An account (any e-mail address typed, whether or not it has an account: counting only real
ones would tell which exist) with `account_limit` failures in a window is locked until that
window ends, even for the right password; a client address with `address_limit` failures
likewise. Both counters live in Redis under keyed hashes (HMAC with the id secret) of the
address typed and of the client address (IPv6 by its /64, which one household holds whole),
and expire with their window: no address is ever stored.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.privacy import ParticipantCrypto
from bot.storage.keys import KeySchema

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    account_limit: int = 5
    address_limit: int = 20
    window_seconds: int = 900


@dataclass(frozen=True, slots=True)
class Attempt:
    """Whether an attempt may go on, and whether it is the first its window refuses (the one
    worth an audit entry: the rest of a flood of guesses would only fill the log)."""

    allowed: bool
    first_refused: bool


class SignInThrottle:
    def __init__(
        self, redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, limits: ThrottleLimits
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._crypto = crypto
        self._limits = limits

    async def attempt(self, email: str, address: Address | None) -> Attempt:
        """Count an attempt against both the account and the address, BEFORE its password is
        checked, and say whether it may go on (False: one of them has used up its window).
        Counting first is what holds against attempts sent all at once: each is counted
        before any is checked, so the (limit + 1)-th is refused however many run together."""
        counts = []
        for key in self._keys(email, address):
            # Each counter in a transaction of its own (one key: one hash slot, so also on
            # Redis Cluster): made with its TTL, then counted; never counted without a TTL,
            # even when the window ends between the two commands.
            pipe = self._redis.pipeline(transaction=True)
            pipe.set(key, 0, ex=self._limits.window_seconds, nx=True)
            pipe.incr(key)
            counts.append(int((await pipe.execute())[1]))
        account, client = counts
        limits = self._limits
        return Attempt(
            allowed=account <= limits.account_limit and client <= limits.address_limit,
            first_refused=account == limits.account_limit + 1 or client == limits.address_limit + 1,
        )

    async def succeeded(self, email: str, address: Address | None) -> None:
        """A sign-in went through: the account's earlier failures are forgiven, and this
        attempt is taken back from its address (its earlier failures stay: one success must not
        let a guesser carry on; many colleagues behind one address are not failures)."""
        account, client = self._keys(email, address)
        await self._redis.delete(account)
        await _take_back(self._redis, client)

    def _keys(self, email: str, address: Address | None) -> tuple[str, str]:
        typed = email.strip().lower().encode()[:320]
        bucket = address_bucket(address) if address is not None else "unknown"
        account = self._digest(b"account\x00" + typed)
        client = self._digest(b"address\x00" + bucket.encode())
        return (
            self._schema.sign_in_failures("account", account),
            self._schema.sign_in_failures("address", client),
        )

    def _digest(self, what: bytes) -> str:
        return self._crypto.keyed_digest(b"staff sign-in throttle\x00" + what).hex()[:32]


def address_bucket(address: Address) -> str:
    """What counts as one client: an IPv4 address, or an IPv6 /64."""
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


async def _take_back(redis: Redis, key: str) -> None:
    """One attempt less, never below zero, keeping the window's TTL (DECR keeps it)."""
    if int(await redis.decr(key)) < 0:
        await redis.delete(key)
