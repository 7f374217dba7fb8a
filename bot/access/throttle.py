"""Failed sign-ins, counted per account and per client address in fixed windows.

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


class SignInThrottle:
    def __init__(
        self, redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, limits: ThrottleLimits
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._crypto = crypto
        self._limits = limits

    async def locked(self, email: str, address: Address | None) -> bool:
        """Whether this account or this address has used up its failures for the window."""
        account, client = self._keys(email, address)
        # Two GETs, not one MGET: the keys are in different hash slots on Redis Cluster.
        pipe = self._redis.pipeline(transaction=False)
        pipe.get(account)
        pipe.get(client)
        counts = await pipe.execute()
        failures = [int(count or 0) for count in counts]
        return failures[0] >= self._limits.account_limit or (
            failures[1] >= self._limits.address_limit
        )

    async def failed(self, email: str, address: Address | None) -> None:
        """Count one failure against both. The window starts with the first failure."""
        for key in self._keys(email, address):
            # Each counter in a transaction of its own (one key: one hash slot, so also on
            # Redis Cluster): made with its TTL, then counted; never counted without a TTL,
            # even when the window ends between the two commands.
            pipe = self._redis.pipeline(transaction=True)
            pipe.set(key, 0, ex=self._limits.window_seconds, nx=True)
            pipe.incr(key)
            await pipe.execute()

    async def succeeded(self, email: str) -> None:
        """A sign-in went through: the account's earlier failures are forgiven (its address's
        are not: one success must not let a guesser carry on)."""
        account, _ = self._keys(email, None)
        await self._redis.delete(account)

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
