"""Send claims: an outbox entry's idempotency key, claimed just before the platform call.

Claimed before, not after: a sender killed after the call but before acknowledging the entry
leaves the claim behind, and whoever takes the entry over acknowledges it without sending it
again. The cost: one killed between the claim and the call loses that one message rather than
risk a duplicate (bot.runtime.sender). Claims live in the recipient's claim set for the dedupe
window (bot.runtime.markers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.runtime.keys import Keys
from bot.runtime.markers import MAX_MARKERS, marker_member, marker_time
from bot.runtime.outbox import OutboxEntry
from bot.runtime.scripts import CLAIM


@dataclass(frozen=True, slots=True)
class SendClaim:
    key: str  # the recipient's claim set
    member: str  # the entry in it
    older_key: str  # the claim as written before claims were kept per recipient
    ttl_seconds: int

    @classmethod
    def of(cls, keys: Keys, entry: OutboxEntry, ttl_seconds: int) -> SendClaim:
        return cls(
            keys.send_claims(entry.participant_id),
            marker_member(entry.key),
            keys.older_send_claim(entry.participant_id, entry.key),
            ttl_seconds,
        )

    async def take(self, redis: Redis) -> bool:
        """True when claimed now; False when claimed before: it may have gone out."""
        now = marker_time(int(time.time() * 1000))
        args: list[str | int] = [self.member, now, self.ttl_seconds, MAX_MARKERS]
        return bool(await CLAIM(redis, [self.key, self.older_key], args))

    async def release(self, redis: Redis) -> None:
        """The platform took nothing: a later attempt (or a replay) may send it."""
        await redis.zrem(self.key, self.member)
