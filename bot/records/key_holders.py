"""Which master keys each running process holds, and which one it wraps and seals under.

A rotation is safe only once every live process holds the new key and uses it as current: a
process started before it still wraps new participants' data keys under the old key (so a
retire would make them unreadable) and cannot open what the others wrap under the new one.
Each `sauti run` process says what it holds in `sauti:master-keys:holders`, again every
`HEARTBEAT_SECONDS`; an entry older than `_STALE_MS` is a process gone. `sauti keys rewrap`
and `retire` refuse while any live process is behind (`behind`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.privacy import ParticipantCrypto
from bot.storage.errors import STORAGE_FAILURE
from bot.storage.keys import KeySchema
from bot.storage.replies import text

HEARTBEAT_SECONDS = 10.0
_STALE_MS = 3 * int(HEARTBEAT_SECONDS * 1000)  # three heartbeats missed: the process is gone


@dataclass(frozen=True)
class Holder:
    name: str
    current: int
    held: frozenset[int]
    seen_ms: int


def _encode(crypto: ParticipantCrypto, now_ms: int) -> str:
    held = ",".join(str(key_id) for key_id in crypto.master_key_ids)
    return f"{crypto.master_key_id}|{held}|{now_ms}"


def _decode(name: str, value: str) -> Holder | None:
    try:
        current, held, seen = value.split("|")
        return Holder(name, int(current), frozenset(map(int, held.split(","))), int(seen))
    except ValueError:
        return None


async def announce(
    redis: Redis, schema: KeySchema, name: str, crypto: ParticipantCrypto, now_ms: int
) -> None:
    await redis.hset(schema.master_key_holders, name, _encode(crypto, now_ms))


async def live_holders(redis: Redis, schema: KeySchema, now_ms: int) -> list[Holder]:
    """The processes alive now; entries of those gone are removed."""
    raw: Any = await redis.hgetall(schema.master_key_holders)
    live, gone = [], []
    for name, value in raw.items():
        holder = _decode(text(name), text(value))
        if holder is None or now_ms - holder.seen_ms > _STALE_MS:
            gone.append(name)
        else:
            live.append(holder)
    if gone:
        await redis.hdel(schema.master_key_holders, *gone)
    return sorted(live, key=lambda holder: holder.name)


def behind(holders: list[Holder], current: int) -> list[str]:
    """Why each live process that would lose data is behind a rotation to `current`."""
    reasons = []
    for holder in holders:
        if current not in holder.held:
            reasons.append(f"{holder.name} does not hold master key {current}")
        elif holder.current != current:
            reasons.append(f"{holder.name} still wraps under master key {holder.current}")
    return reasons


class KeyHolderHeartbeat:
    """This process's entry, renewed until `stop`, then removed."""

    def __init__(
        self, redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, name: str
    ) -> None:
        self._redis, self._schema, self._crypto, self._name = redis, schema, crypto, name

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                with contextlib.suppress(*STORAGE_FAILURE):  # Redis away: try at the next beat
                    now_ms = int(time.time() * 1000)
                    await announce(self._redis, self._schema, self._name, self._crypto, now_ms)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), HEARTBEAT_SECONDS)
        finally:
            with contextlib.suppress(*STORAGE_FAILURE):
                await self._redis.hdel(self._schema.master_key_holders, self._name)
