"""Send claims: an outbox entry's idempotency key, claimed just before the platform call.

Claimed before, not after: a sender killed after the call but before acknowledging the entry
leaves the claim behind, and whoever takes the entry over does not send it again blindly. While
the call is under way the claim is also marked *in flight* (one per recipient: their messages go
one at a time); the mark goes with the acknowledgement. So whoever takes an entry over knows
which of two things happened before:

- the claim is there and finished: the platform answered (sent, refused, or a timeout that
  may have delivered it) and only the acknowledgement was lost: acknowledge, send nothing;
- the claim is still in flight: the sender stopped between the claim and the answer, and the
  message may or may not have gone out. The sender decides by the kind of message
  (bot.runtime.sender): a reply that asks something (a question, a menu) goes again — a
  question seen twice is better than a participant left waiting for one — and anything else
  does not, as a decision notice must never arrive twice.

Taking a claim also checks the recipient's own pace (how often one chat may be written to), in
the same script: one round trip where there were two.

A claim lives in the recipient's claim set (bot.runtime.markers) only while its entry is pending:
the acknowledgement removes it, and a claim is refused for an entry no longer pending. That is
what keeps a send from happening twice when a sender that lost its shard's lease (stalled, not
dead) sends and acknowledges an entry its successor also read: the successor finds the entry
acknowledged. A sender whose shard lease another sender holds now claims nothing at all (it is
fenced, as a worker's commit is). A claim left by a crash stays until its entry is sent or its
TTL (the dedupe window) passes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum

from redis.asyncio import Redis

from bot.runtime.markers import MAX_MARKERS, marker_member, marker_time
from bot.runtime.outbox import OutboxEntry
from bot.runtime.ratelimit import ChatPace
from bot.storage.keys import KeySchema
from bot.storage.scripts import CLAIM_SEND, FINISH_SEND, RELEASE_SEND_CLAIM

# A slot's wait counted against the recipient's pace at most: longer waits (a paused channel)
# do not let a recipient's messages bunch up afterwards.
MAX_WAIT_COUNTED_MS = 5_000


class Claimed(Enum):
    NOW = 1  # ours: send it
    BEFORE = 0  # claimed and finished before: it may have gone out; never again
    IN_FLIGHT = 2  # claimed before by a sender that stopped mid-send: maybe sent, maybe not
    NOT_YET = 3  # not claimed: the recipient's own pace says wait
    NOT_OURS = 4  # not claimed: another sender holds the shard's lease now
    REFUSED = 5  # not claimed: the recipient may not get it now (`Claim.refused` says why)


# Why a claim was refused (REFUSED), as the claim script answers it.
_REFUSALS = {1: "hidden", 2: "opted_out", 3: "came_back"}


@dataclass(frozen=True, slots=True)
class Claim:
    """What taking a claim found, and how long the recipient's pace asks to wait: before their
    next message (NOW, IN_FLIGHT), or before this one may be claimed (NOT_YET)."""

    outcome: Claimed
    wait_ms: int

    @property
    def refused(self) -> str:
        """Why a REFUSED claim was: the outcome the entry is acknowledged with."""
        return _REFUSALS.get(self.wait_ms, "hidden")


@dataclass(frozen=True, slots=True)
class Pending:
    """Where the entry waits (its outbox stream, the senders' group, its id) and who reads it:
    the sender, and the lease it must hold on the entry's shard."""

    stream: str
    group: str
    entry_id: bytes
    consumer: str
    lease: str


@dataclass(frozen=True, slots=True)
class SendClaim:
    key: str  # the recipient's claim set
    member: str  # the entry in it
    in_flight_key: str  # the recipient's send under way
    chat_rate: tuple[str, str]  # the recipient's limiter and pause
    pending: Pending
    ttl_seconds: int
    record: str  # the recipient's participant record: may they get it now?
    kind: str  # what the claim script checks in it (`kind_of`)

    @classmethod
    def of(
        cls,
        schema: KeySchema,
        entry: OutboxEntry,
        pending: Pending,
        ttl_seconds: int,
        *,
        bulk: bool = False,
    ) -> SendClaim:
        return cls(
            schema.send_claims(entry.participant_id),
            marker_member(entry.key),
            schema.send_in_flight(entry.participant_id),
            schema.chat_rate(entry.participant_id),
            pending,
            ttl_seconds,
            schema.participant(entry.participant_id),
            kind_of(entry, bulk),
        )

    async def take(self, redis: Redis, pace: ChatPace, waited_ms: float = 0.0) -> Claim:
        """Claim the entry (and mark it in flight) if the recipient's pace allowed a message
        `waited_ms` ago (when the sender began waiting for a slot of the channel's rate), or
        say who claimed it before; one round trip. Waits are counted from that moment."""
        now = marker_time(int(time.time() * 1000))
        args: list[str | bytes | int | float] = [
            self.member,
            now,
            self.ttl_seconds,
            MAX_MARKERS,
            pace.interval_ms,
            pace.tolerance_ms,
            round(min(waited_ms, MAX_WAIT_COUNTED_MS)),
            self.pending.group,
            self.pending.entry_id,
            self.pending.consumer,
            self.kind,
        ]
        keys = [
            self.key,
            self.in_flight_key,
            *self.chat_rate,
            self.pending.stream,
            self.pending.lease,
            self.record,
        ]
        outcome, wait_ms = await CLAIM_SEND(redis, keys, args)
        return Claim(Claimed(int(outcome)), int(wait_ms))

    async def finish(self, redis: Redis) -> None:
        """The platform answered (or nothing is to be sent): acknowledge the entry; the send is
        no longer in flight, and its claim goes with it."""
        pending = self.pending
        keys = [pending.stream, self.in_flight_key, self.key]
        await FINISH_SEND(redis, keys, [pending.group, pending.entry_id, self.member])

    async def release(self, redis: Redis) -> None:
        """The platform took nothing: a later attempt (or a replay) may send it."""
        await RELEASE_SEND_CLAIM(redis, [self.key, self.in_flight_key], [self.member])


def kind_of(entry: OutboxEntry, bulk: bool) -> str:
    """What the claim script checks in the recipient's record before this entry may go: part
    of a quick exit ('q': always), the clearing of the chat ('c': only while still hidden), a
    bulk notice ('b': not hidden, not stopped), anything else ('r': not hidden)."""
    if entry.message.clear_chat:
        return "c"
    if entry.message.quick_exit:
        return "q"
    return "b" if bulk else "r"
