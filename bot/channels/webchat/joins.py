"""How many joins one client address may make: each join makes a participant, so an unlimited
stream of them from one machine would fill Redis and skew a campaign's counts.

The address is never stored: the counter's key holds a keyed hash of it (HMAC with the
participant-id secret, under a label of its own so it can never equal a participant id), and
the key expires with the window. IPv6 clients are counted by their /64, which one household or
phone usually holds whole (it can pick any address in it). X-Forwarded-For is believed only
from a configured reverse proxy: anyone else could send one per request and never be counted.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from aiohttp import web
from redis.asyncio import Redis

from bot.privacy import ParticipantCrypto
from bot.settings.parsers import Network
from bot.storage.keys import KeySchema
from bot.storage.scripts import COUNT_JOIN

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class JoinLimit:
    redis: Redis
    schema: KeySchema
    crypto: ParticipantCrypto
    limit: int
    window_seconds: int
    trusted_proxies: tuple[Network, ...] = ()

    async def wait_seconds(self, request: web.Request) -> int:
        """Count a join from this request's client: 0 when it may go ahead, else how many
        seconds until it may join again."""
        address = client_address(request, self.trusted_proxies)
        key = self.schema.webchat_joins(self._digest(address))
        waited: int = await COUNT_JOIN(self.redis, [key], [self.window_seconds, self.limit])
        return int(waited)

    def _digest(self, address: Address | None) -> str:
        bucket = _bucket(address) if address is not None else "unknown"
        label = b"web chat join limit\x00" + bucket.encode()
        return self.crypto.keyed_digest(label).hex()[:32]


def client_address(request: web.Request, trusted: tuple[Network, ...]) -> Address | None:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the nearest
    address in X-Forwarded-For that is not one (the ones further left are the client's word)."""
    address = _parsed(request.remote)
    if address is None or not _within(address, trusted):
        return address
    hops = ",".join(request.headers.getall("X-Forwarded-For", [])).split(",")
    for hop in reversed(hops):
        forwarded = _parsed(hop.strip())
        if forwarded is None:  # a malformed hop: trust nothing further left
            return address
        address = forwarded
        if not _within(address, trusted):
            return address
    return address


def _parsed(text: str | None) -> Address | None:
    try:
        address = ipaddress.ip_address(text or "")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _within(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def _bucket(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)
