"""Senders: deliver outbox entries to push platforms, paced, in order, never twice.

Per shard (held by one sender at a time, like workers): replies before bulk; messages to one
recipient in order; different recipients concurrently. Before each platform call the sender
reserves a slot of the channel's global rate (bot.runtime.ratelimit) and sleeps until it
begins, then, in one script, checks the recipient's own pace and claims the entry's idempotency
key (a send claim, bot.runtime.claims), which marks the send in flight until the platform's
answer is recorded with the acknowledgement. So a message costs three round trips (slot, claim,
acknowledgement), however long it waits, and the Redis client sends the commands of all the
recipients served at once together (bot.storage.auto_pipeline).

A crash after the platform answered but before the acknowledgement leaves a finished claim, and
the next sender acknowledges the entry without sending it again. A crash between the claim and
the answer leaves the send in flight: the message may or may not have gone out. Then the kind
of message decides: a reply that asks something (a survey question, a menu to press) is sent
again (counted as `resent`) — a participant must never wait in silence for a question that
never came — and anything else, a bulk notice above all, is not (counted as `uncertain`): a
decision notice never arrives twice.

A participant who left with a quick exit (`hid` in their record) gets nothing until they are
back: only the exit's own entries go out (clearing the chat, then the neutral line), and every
other entry of theirs, queued before or since, is acknowledged unsent (`hidden`). The record is
read for each batch, and read again by the claim script just before each send (claim_send.lua):
an exit (or a /stop, for bulk) committed while the batch was being served refuses the claim
atomically, so nothing goes out after the exit was stored. Clearing the
chat runs only while they are still hidden, so one that comes late never deletes what they
said after coming back; a clearing left in flight by a crash is run again (deleting twice
deletes nothing more).

Platform answers: 429 → nothing was sent, the whole channel pauses exactly `retry_after`, then
the same entry is retried. A 429 does not say which of Telegram's limits it is about (the
chat's, or the bot's 30/s), so it pauses every chat: no request starts on the channel, in any
sender process, until `retry_after` has passed since the 429 was read. Requests already on the
wire then cannot be called back; a platform that refuses them too is waited out the same way.
Temporary failures → retried with backoff, dead-lettered after `max_attempts`; a refusal
(blocked, no such user) → the participant is marked unreachable and nothing more is sent to
them; a timeout → maybe delivered, so never retried.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from redis.asyncio import Redis

from bot.conversation.decisions.texts import shared_notice
from bot.conversation.inbound import Channel
from bot.conversation.outgoing import SHARED_NOTICE, Outgoing, TemplateHint
from bot.conversation.participants import hidden_since
from bot.privacy import (
    DecryptionError,
    ParticipantCrypto,
    ParticipantId,
    decrypt_field,
    field_aad,
    wrapped_key_id,
)
from bot.runtime.claims import Claim, Claimed, Pending, SendClaim
from bot.runtime.delivery import (
    ChannelClient,
    DeliveryError,
    RateLimitedError,
    Recipient,
    RecipientRefusedError,
    TemporaryDeliveryError,
    UncertainDeliveryError,
    UndeliverableError,
)
from bot.runtime.erasure_traces import forget_erased
from bot.runtime.leases import Ownership, ShardLeases, while_owned
from bot.runtime.metrics import Metrics
from bot.runtime.outbox import OutboxEntry, Priority, seal, unseal
from bot.runtime.ratelimit import ChatPace, GlobalRate
from bot.runtime.retries import Retries
from bot.runtime.streams import SENDERS, claim_all, ensure_group, trim_acknowledged
from bot.storage.erasure_marks import erasure_noted
from bot.storage.errors import is_storage_unavailable
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, run_batch
from bot.storage.scripts import MARK_IF_PRESENT

log = logging.getLogger(__name__)

GROUP = SENDERS
UNREACHABLE = b"unreachable"
Entry = tuple[bytes, dict[bytes, bytes]]


@dataclass(frozen=True)
class SenderConfig:
    batch_size: int = 100
    # Idle, a shard's read waits this long: a new message ends it at once (and giving the shard
    # up ends it too), so a long wait costs no latency, only fewer round trips.
    block_ms: int = 30_000
    concurrency: int = 32  # recipients served at once per shard
    max_attempts: int = 8
    backoff_seconds: float = 0.5  # doubles per temporary failure
    max_backoff_seconds: float = 30.0
    sent_ttl_seconds: int = 7 * 24 * 3600
    trim_every_seconds: float = 1.0  # a trim is two round trips: not after every batch


@dataclass(frozen=True, slots=True)
class _Queued:
    """An outbox entry as one batch serves it."""

    stream: str
    entry_id: bytes
    entry: OutboxEntry
    bulk: bool  # a notice to many, from the bulk stream: never sent twice, not after /stop


@dataclass(frozen=True)
class _Recipient:
    found: Recipient | None  # None: erased or unreachable: send nothing
    reason: str = ""
    opted_out: bool = False  # said /stop: replies still go, bulk notices do not
    hidden: bool = False  # left with a quick exit: only the exit's own messages go
    shared_phone: bool = False  # shared-phone mode, their choice: notices that name nothing


class Sender:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        *,
        clients: Mapping[str, ChannelClient],
        crypto: ParticipantCrypto,
        metrics: Metrics,
        consumer: str,
        config: SenderConfig | None = None,
        waits: Redis | None = None,
    ) -> None:
        self._redis = redis
        self._waits = waits or redis  # the client of the blocking read for new messages
        self._schema = schema
        self._clients = clients
        self._crypto = crypto
        self._metrics = metrics
        self._consumer = consumer
        self._config = config or SenderConfig()
        self._global = {
            channel: GlobalRate(redis, client.limits.global_rate, client.limits.global_burst)
            for channel, client in clients.items()
        }
        self._chat_pace = {
            channel: ChatPace.of(1 / client.limits.per_chat_interval, client.limits.per_chat_burst)
            for channel, client in clients.items()
        }
        # When each recipient's pace next allows a message (monotonic), as the claim script
        # last said: waited out here, before a global slot is taken, so that a slot is not
        # left unused while the recipient's pace holds their message back.
        self._chat_free_at: dict[str, float] = {}
        # One bulk message per channel at a time reserves a global slot (the others queue
        # here, in order), and bulk reserves at most one slot ahead: a reply that comes
        # meanwhile still finds a slot soon.
        self._global_turn = {channel: asyncio.Lock() for channel in clients}
        # Per shard: whether entries read before may still be pending (unacknowledged). Only
        # then is the pending list read again: reading it after every batch was a round trip.
        self._maybe_pending: dict[int, bool] = {}
        self._trimmed_at: dict[int, float] = {}
        self._retries: dict[int, Retries] = {}
        # Per channel, when the last 429 this process read stops pausing it (monotonic).
        self._paused_until: dict[str, float] = {}
        self.leases = ShardLeases(redis, schema, role="sender", owner=consumer)

    async def run(self, stop: asyncio.Event) -> None:
        await self.leases.run(stop, self._run_shard)

    async def _run_shard(self, shard: int, owned: Ownership) -> None:
        await self.prepare(shard)
        while owned.is_set():
            await self.poll(shard, block_ms=self._config.block_ms, owned=owned)

    async def prepare(self, shard: int) -> None:
        for priority in Priority:
            stream = self._schema.outbox(shard, priority)
            await ensure_group(self._redis, stream, GROUP)
            await claim_all(self._redis, stream, GROUP, self._consumer)
        self._maybe_pending[shard] = True  # whatever the shard's last holder left

    async def poll(
        self, shard: int, block_ms: int | None = None, owned: Ownership | None = None
    ) -> int:
        """Send one batch: pending entries that are due first, then new replies, then new bulk.
        Returns how many entries were handled (sent, skipped, dead-lettered or put off). A
        wait for new entries ends when the shard is given up (`owned`)."""
        streams = [self._schema.outbox(shard, p) for p in (Priority.REPLY, Priority.BULK)]
        state = self._state(shard)
        waiting = state.waiting_now()
        batch: list[tuple[str, Entry]] = []
        behind: set[str] = set()
        if self._maybe_pending.get(shard, True):
            batch, behind = await self._due_pending(streams, waiting)
            self._maybe_pending[shard] = bool(behind)
        if not batch:
            # Nothing pending is due: take new entries, but wake up when a retry is due.
            block = block_ms
            if behind and block is not None:
                block = min(block, state.ms_until_due())
            fresh = await self._read_new(streams, block, owned)
            # Someone with older messages pending gets the new ones after those.
            batch = [item for item in fresh if _recipient_of(item) not in behind | waiting]
            if not batch:
                return 0
        if await self._send_batch(shard, batch, state):
            self._maybe_pending[shard] = True
        await self._trim(shard, streams, batch)
        return len(batch)

    async def _trim(self, shard: int, streams: list[str], batch: list[tuple[str, Entry]]) -> None:
        """Drop acknowledged entries, so each stream holds only its backlog; at most once a
        second per shard."""
        now = time.monotonic()
        if now - self._trimmed_at.get(shard, -math.inf) < self._config.trim_every_seconds:
            return
        self._trimmed_at[shard] = now
        for stream in streams:
            last = [entry_id for name, (entry_id, _) in batch if name == stream]
            if last:
                pending = await trim_acknowledged(self._redis, stream, GROUP, last[-1])
                if pending.get(self._consumer):
                    self._maybe_pending[shard] = True

    async def _due_pending(
        self, streams: list[str], waiting: set[str]
    ) -> tuple[list[tuple[str, Entry]], set[str]]:
        """Pending entries (read before, not acknowledged) of recipients who do not wait for a
        retry, oldest first, and every recipient seen with entries pending. Read a page at a
        time, past pages whose entries all wait: a page full of waiting recipients must not
        hide someone else's older messages, or their new ones would overtake them."""
        starts = dict.fromkeys(streams, "0")
        behind: set[str] = set()
        while starts:
            page = await self._read(starts, None)
            behind |= {_recipient_of(item) for item in page}
            due = [item for item in page if _recipient_of(item) not in waiting]
            if due:
                return due, behind
            read = Counter(name for name, _ in page)
            last = {name: entry_id for name, (entry_id, _) in page}  # per stream, in order
            # A stream that filled its page may have more pending after it; others are done.
            starts = {s: _text(last[s]) for s in starts if read[s] == self._config.batch_size}
        return [], behind

    async def _read_new(
        self, streams: list[str], block_ms: int | None, owned: Ownership | None
    ) -> list[tuple[str, Entry]]:
        """New entries, waiting up to `block_ms` for some (on the client of blocking reads)."""
        starts = dict.fromkeys(streams, ">")
        if not block_ms:  # not BLOCK 0, which would wait for ever
            return await self._read(starts, None)
        reading = self._read(starts, block_ms, self._waits)
        return (await (reading if owned is None else while_owned(owned, reading))) or []

    async def _read(
        self, starts: dict[str, str], block_ms: int | None, redis: Redis | None = None
    ) -> list[tuple[str, Entry]]:
        """Entries of each stream from its start (">": new ones), replies first."""
        positions: Any = dict(starts)
        reply: Any = await (redis or self._redis).xreadgroup(
            GROUP, self._consumer, positions, count=self._config.batch_size, block=block_ms
        )
        by_stream = {_text(name): entries for name, entries in reply or []}
        batch: list[tuple[str, Entry]] = []
        for stream in starts:  # replies first
            batch += [(stream, entry) for entry in by_stream.get(stream, [])]
        return batch

    def _state(self, shard: int) -> Retries:
        return self._retries.setdefault(shard, Retries())

    async def _send_batch(self, shard: int, batch: list[tuple[str, Entry]], state: Retries) -> int:
        """Send a batch; returns how many of its entries are left pending (for a retry)."""
        queued: list[_Queued] = []
        unreadable: list[tuple[str, bytes, dict[bytes, bytes], Exception]] = []
        for stream, (entry_id, fields) in batch:
            try:
                queued.append(self._queued(stream, entry_id, unseal(fields, self._crypto)))
            except _UNREADABLE as error:
                unreadable.append((stream, entry_id, fields, error))
        if not queued and any(isinstance(item[3], DecryptionError) for item in unreadable):
            # Not one entry opens: this process most likely holds the wrong master key, and
            # every message would be set aside. Stop the shard loudly instead, as before.
            raise unreadable[0][3]
        for stream, entry_id, fields, broken in unreadable:  # damaged: not to stop the others
            await self._set_aside(shard, stream, entry_id, fields, _name(broken))
        recipients = await self._recipients({item.entry.participant_id for item in queued})
        gate = asyncio.Semaphore(self._config.concurrency)
        left = 0

        async def serve(queue: list[_Queued]) -> None:
            nonlocal left
            async with gate:
                pid = queue[0].entry.participant_id
                if state.waiting(pid):
                    left += len(queue)
                    return  # a retry of theirs is pending: everything of theirs waits
                for done, item in enumerate(queue):  # one recipient: strictly in order
                    outcome = await self._deliver(item, recipients[pid], state)
                    if outcome == "refused":
                        recipients[pid] = _Recipient(None, "unreachable")
                    elif outcome in ("later", "not_ours"):
                        left += len(queue) - done
                        return  # the rest waits behind the entry (or for the shard's holder)

        # Replies to people in a conversation first, all of them, then bulk notices: a bulk
        # send never takes a slot a waiting reply could have had.
        replies = [item for item in queued if not item.bulk]
        bulk = [item for item in queued if item.bulk]
        for phase in (replies, bulk):
            by_recipient: dict[str, list[_Queued]] = {}
            for item in phase:
                by_recipient.setdefault(item.entry.participant_id, []).append(item)
            try:
                # A task group, not gather: when Redis fails under one recipient's send, the
                # others stop too, rather than go on sending for a shard about to be given up.
                async with asyncio.TaskGroup() as group:
                    for queue in by_recipient.values():
                        group.create_task(serve(queue))
            except BaseExceptionGroup as failed:
                raise failed.exceptions[0] from None
        return left

    def _queued(self, stream: str, entry_id: bytes, entry: OutboxEntry) -> _Queued:
        return _Queued(stream, entry_id, entry, bulk=self._is_bulk(stream, entry))

    def _is_bulk(self, stream: str, entry: OutboxEntry) -> bool:
        return stream == self._schema.outbox(self._schema.shard_of(entry.participant_id), "bulk")

    async def _recipients(self, pids: set[str]) -> dict[str, _Recipient]:
        ordered = sorted(pids)
        pipe = self._redis.pipeline(transaction=False)
        for pid in ordered:
            pipe.hmget(
                self._schema.participant(pid),
                ["wk", "addr", "reach", "lang", "in", "stop", "hid", "shp"],
            )
        found: dict[str, _Recipient] = {}
        replies = await pipe.execute()
        for pid, (wrapped, sealed, reach, lang, inbound, stop, hidden, shared) in zip(
            ordered, replies, strict=True
        ):
            if wrapped is None or sealed is None:
                found[pid] = _Recipient(None, "erased")
            elif reach == UNREACHABLE:
                found[pid] = _Recipient(None, "unreachable")
            else:
                try:
                    key = self._crypto.unwrap_data_key(wrapped)
                    address = decrypt_field(key, sealed, field_aad(ParticipantId(pid), "address"))
                except DecryptionError:
                    # Erased (its master key destroyed) or damaged, unless the key that wrapped
                    # it is one this process lacks: a rotation it was not restarted for.
                    found[pid] = _Recipient(None, self._unopened(wrapped))
                else:
                    language = lang.decode() if lang else ""
                    last_inbound = int(inbound) if inbound else None
                    recipient = Recipient(pid, address, language, last_inbound)
                    found[pid] = _Recipient(
                        recipient,
                        opted_out=stop == b"1",
                        hidden=hidden_since(hidden) > 0,
                        shared_phone=shared == b"1",
                    )
        return found

    def _unopened(self, wrapped: bytes) -> str:
        try:
            key_id = wrapped_key_id(wrapped)
        except DecryptionError:
            return "erased"
        return "erased" if key_id in self._crypto.master_key_ids else _KEY_NOT_HELD

    async def _deliver(self, item: _Queued, recipient: _Recipient, state: Retries) -> str:
        """Send one entry; returns the outcome ("later": left pending for a retry)."""
        entry = item.entry
        client = self._clients.get(entry.channel)
        if client is None:
            return await self._unconfigured(item)
        if recipient.reason == _KEY_NOT_HELD:
            # Not an erasure: the message waits (with backoff) for a process that holds the
            # key, rather than being dropped as if its recipient were gone.
            log.error(
                "a recipient's data key is wrapped under a master key this process does not "
                "hold: restart it with every current key (the message is kept and retried)"
            )
            self._metrics.retries.labels(entry.channel).inc()
            state.failed(
                item.entry_id,
                entry.participant_id,
                self._config.backoff_seconds,
                self._config.max_backoff_seconds,
            )
            return "later"
        target = recipient.found or _addressed(entry)
        if target is None:
            return await self._finish(item, recipient.reason)
        if item.bulk and recipient.opted_out:  # /stop after the notice was queued: unsent
            return await self._finish(item, "opted_out")
        if recipient.hidden and not entry.message.quick_exit:
            # A quick exit: whatever was queued for them before it, and anything since, stays
            # unsent until they come back (`mydata` still shows decisions then).
            return await self._finish(item, "hidden")
        if recipient.shared_phone and entry.message.decision is not None:
            # Shared-phone mode turned on after the notice was composed (held for their
            # quiet hours, say): it goes out in the words that name nothing.
            item = replace(item, entry=replace(entry, message=_neutral(entry.message, target)))
            entry = item.entry
        if entry.message.clear_chat and not recipient.hidden:
            # They came back before the chat was cleared: what it shows now is theirs again,
            # and a late clearing would delete their new messages.
            return await self._finish(item, "came_back")
        lease = self._schema.lease("sender", self._schema.shard_of(entry.participant_id))
        pending = Pending(item.stream, GROUP, item.entry_id, self._consumer, lease)
        claim = SendClaim.of(
            self._schema, entry, pending, self._config.sent_ttl_seconds, bulk=item.bulk
        )
        while True:
            taken = await self._claim_in_turn(item, claim)
            claimed = taken.outcome
            if claimed is Claimed.REFUSED:
                # The record read for the batch was out of date: a quick exit (or /stop)
                # committed since. The claim script read it again, atomically.
                return await self._finish(item, taken.refused)
            if claimed is Claimed.NOT_OURS:  # the shard is another sender's now: hands off
                return "not_ours"
            if claimed is Claimed.BEFORE:  # the platform answered before a crash: never twice
                return await self._finish(item, "duplicate", claim)
            if not _goes_out(item, claimed):
                # Maybe sent: a notice, or a reply that asks nothing, never goes twice.
                return await self._finish(item, "uncertain", claim)
            # Claimed now, or a question whose sender stopped mid-send: it may not have arrived,
            # and a participant must not be left waiting for it (bot.runtime.claims).
            outcome = await self._send(
                client, target, item, claim=claim, claimed=claimed, state=state
            )
            if outcome is not None:
                return outcome
            # None: the whole channel paused for a 429: the same entry again, in its turn.

    # -- pacing ----------------------------------------------------------------------------

    async def _claim_in_turn(self, item: _Queued, claim: SendClaim) -> Claim:
        """Wait for the entry's turn under the pace, then claim its send. A send that may go
        out is never left claimed while a 429 this process read pauses the channel: the claim
        is given back and the entry waits its turn again."""
        channel = item.entry.channel
        pid = item.entry.participant_id
        while True:
            # The recipient's pace first, as far as this process knows it: a global slot taken
            # and then left unused while waiting for the recipient would be capacity lost.
            await _sleep_until(self._chat_free_at.get(pid, 0.0))
            ready = time.monotonic()
            slept = await self._global_slot(channel, item.bulk)
            waited_ms = (time.monotonic() - ready) * 1000
            taking = claim.take(self._redis, self._chat_pace[channel], waited_ms)
            if slept:
                # A slot reserved ahead: a 429 another process read since then holds this
                # message back too. Its pause is read with the claim (the same round trip).
                _, pause_key = self._schema.channel_rate(channel)
                taken, paused_ms = await asyncio.gather(taking, self._redis.pttl(pause_key))
            else:  # reserved just now, when the pause was read
                taken, paused_ms = await taking, 0
            self._note_chat_pace(pid, ready, taken.wait_ms)
            if taken.outcome is Claimed.NOT_YET:
                continue  # their pace, set by another sender before: the slot is lost, rarely
            if taken.outcome in (Claimed.NOT_OURS, Claimed.REFUSED):
                return taken
            paused = paused_ms > 0 or self._pause_left(channel) > 0
            if not _goes_out(item, taken.outcome) or not paused:
                return taken
            # A 429 read while claiming: not now. The next reservation waits the pause out.
            await claim.release(self._redis)

    def _note_chat_pace(self, participant_id: str, since: float, wait_ms: int) -> None:
        """The recipient's pace allows their next message `wait_ms` after `since`."""
        if len(self._chat_free_at) > _CHAT_PACES_KEPT:  # forget the recipients free already
            now = time.monotonic()
            self._chat_free_at = {p: t for p, t in self._chat_free_at.items() if t > now}
        self._chat_free_at[participant_id] = since + wait_ms / 1000

    async def _global_slot(self, channel: str, bulk: bool) -> bool:
        """Reserve a slot of the channel's global rate and sleep until it begins; never go
        while a 429 this process read pauses the channel. True when it slept."""
        slept = False
        while True:
            if bulk:  # bulk waits its turn; replies (few) reserve directly, and go first
                async with self._global_turn[channel]:
                    begins_ms = await self._reserve(channel, bulk=True)
            else:
                begins_ms = await self._reserve(channel, bulk=False)
            if begins_ms:
                await asyncio.sleep(begins_ms / 1000)
                slept = True
            # A 429 read while this message waited for its slot (a slot counted before the
            # pause began, on a busy event loop): wait the pause out, then take a fresh slot.
            # Every process sees the pause in Redis; this closes the gap within one process.
            remaining = self._pause_left(channel)
            if remaining <= 0:
                return slept
            await asyncio.sleep(remaining)
            slept = True

    async def _reserve(self, channel: str, *, bulk: bool) -> int:
        """A reserved slot: milliseconds until it begins. Asks again only when no slot is near
        enough (a bulk notice behind others, a channel paused by a 429)."""
        keys = self._schema.channel_rate(channel)
        # Not a busy wait: the rate lives in Redis, shared by every sender process, so there is
        # no local event to wait on; the script names the time until a slot is near.
        while not (slot := await self._global[channel].reserve(keys, bulk=bulk)).reserved:  # noqa: ASYNC110
            await asyncio.sleep(slot.in_ms / 1000)
        return slot.in_ms

    def _pause_left(self, channel: str) -> float:
        """Seconds until the last 429 this process read stops pausing the channel."""
        return self._paused_until.get(channel, 0.0) - time.monotonic()

    async def _pause(self, channel: str, seconds: float) -> None:
        self._paused_until[channel] = time.monotonic() + seconds
        _, pause_key = self._schema.channel_rate(channel)
        await self._redis.set(pause_key, b"1", px=_ms(seconds))

    # -- outcomes --------------------------------------------------------------------------

    async def _send(
        self,
        client: ChannelClient,
        target: Recipient,
        item: _Queued,
        *,
        claim: SendClaim,
        claimed: Claimed,
        state: Retries,
    ) -> str | None:
        """One platform call and what its answer means; None: send the same entry again."""
        entry = item.entry
        try:
            await client.deliver(target, entry.message, entry.key)
        except DeliveryError as error:
            return await self._undelivered(item, claim, state, error)
        except Exception as error:
            if is_storage_unavailable(error):
                raise  # maybe sent; the send stays in flight for whoever takes over
            return await self._broke(item, state, error)
        return await self._delivered(item, claim, claimed, state)

    async def _delivered(
        self, item: _Queued, claim: SendClaim, claimed: Claimed, state: Retries
    ) -> str:
        entry = item.entry
        state.forget(item.entry_id, entry.participant_id)
        self._metrics.send_latency.observe(max(0.0, time.time() - entry.enqueued_ms / 1000))
        return await self._finish(item, "resent" if claimed is Claimed.IN_FLIGHT else "sent", claim)

    async def _undelivered(
        self, item: _Queued, claim: SendClaim, state: Retries, error: DeliveryError
    ) -> str | None:
        """What a platform's refusal means for the entry; None: send it again now."""
        if isinstance(error, RateLimitedError):
            return await self._rate_limited(item, claim, state, error)
        if isinstance(error, TemporaryDeliveryError):
            return await self._failed_for_now(item, claim, state)
        state.forget(item.entry_id, item.entry.participant_id)
        if isinstance(error, UncertainDeliveryError):
            return await self._finish(item, "uncertain", claim)
        if isinstance(error, RecipientRefusedError):
            return await self._refused(item, claim)
        # Undeliverable (or a kind of refusal this sender does not know): nothing went out,
        # so a replay after the operator's fix may send it.
        await claim.release(self._redis)
        kind = "UndeliverableError" if isinstance(error, UndeliverableError) else _name(error)
        await self._dead_letter(item, kind)
        return "failed"

    async def _rate_limited(
        self, item: _Queued, claim: SendClaim, state: Retries, error: RateLimitedError
    ) -> str | None:
        """A 429: nothing was sent. The recipient alone waits (the entry stays pending, their
        later messages behind it) or the whole channel pauses and the entry goes again."""
        entry = item.entry
        await claim.release(self._redis)  # the platform took nothing
        self._metrics.rate_limited.labels(entry.channel).inc()
        if not error.per_recipient:
            await self._pause(entry.channel, error.retry_after)
            return None
        # Every sender sees the recipient's pause; the batch goes on without them.
        _, chat_pause = self._schema.chat_rate(entry.participant_id)
        await self._redis.set(chat_pause, b"1", px=_ms(error.retry_after))
        state.due[entry.participant_id] = time.monotonic() + error.retry_after
        return "later"

    async def _failed_for_now(self, item: _Queued, claim: SendClaim, state: Retries) -> str:
        """A temporary failure: retried with backoff, dead-lettered after `max_attempts`."""
        entry = item.entry
        await claim.release(self._redis)
        self._metrics.retries.labels(entry.channel).inc()
        attempts = state.failed(
            item.entry_id,
            entry.participant_id,
            self._config.backoff_seconds,
            self._config.max_backoff_seconds,
        )
        if attempts < self._config.max_attempts:
            return "later"
        state.forget(item.entry_id, entry.participant_id)
        await self._dead_letter(item, "TemporaryDeliveryError")
        return "failed"

    async def _refused(self, item: _Queued, claim: SendClaim) -> str:
        """The recipient cannot be reached: marked so, and nothing more goes to them."""
        participant = self._schema.participant(item.entry.participant_id)
        await MARK_IF_PRESENT(self._redis, [participant], ["reach", UNREACHABLE])
        return await self._finish(item, "refused", claim)

    async def _broke(self, item: _Queued, state: Retries, error: Exception) -> str:
        """A bug of ours (rendering, an address): set aside for the operator, once, rather
        than crash the shard and meet it again after every restart. The claim stays in
        flight: a replay after the fix resends only what asks something."""
        state.forget(item.entry_id, item.entry.participant_id)
        log.error("sending failed: %s", _name(error))
        await self._dead_letter(item, _name(error))
        return "failed"

    async def _unconfigured(self, item: _Queued) -> str:
        """No client for the entry's channel in this deployment (any more): set aside where
        the operator can see and replay it, instead of holding up the shard."""
        log.error("no %s client configured; message set aside as a dead letter", item.entry.channel)
        await self._dead_letter(item, "NoChannelClient")
        return "failed"

    async def _finish(self, item: _Queued, outcome: str, claim: SendClaim | None = None) -> str:
        """Acknowledge the entry (and end the send in flight, when this sender claimed it)."""
        if claim is None:
            await self._redis.xack(item.stream, GROUP, item.entry_id)
        else:
            await claim.finish(self._redis)
        if item.entry.message.address is not None:
            await self._forget_addressed(
                item.stream,
                item.entry_id,
                item.entry.participant_id,
                erased=item.entry.message.unrecorded,
            )
        self._metrics.sends.labels(item.entry.channel, outcome).inc()
        return outcome

    async def _forget_addressed(
        self, stream: str, entry_id: bytes, participant_id: str, *, erased: bool = True
    ) -> None:
        """A message carrying its address (a goodbye after an erasure, a first reply) is done
        with: the entry goes now, not at the next trim. After an erasure (`erased`: the goodbye,
        marked `unrecorded`) the keys its claim, pace and chat history wrote under the pseudonym
        go too when no record is left (forget_erased.lua), in one pipeline that notes the
        erasure first, so the data files are rewritten without them. A reply to someone who
        has no record yet erases nothing: its chat history (their "hi", the campaign menu) is
        what a quick exit after they join must find to clear."""
        steps: list[BatchStep] = [("XACK", stream, GROUP, entry_id), ("XDEL", stream, entry_id)]
        if erased:
            now_ms = int(time.time() * 1000)
            steps = [
                *erasure_noted(self._schema, now_ms),
                *steps,
                forget_erased(self._schema, participant_id, self._config.sent_ttl_seconds),
            ]
        for reply in await run_batch(self._redis, steps):
            if isinstance(reply, Exception):
                raise reply

    async def _set_aside(
        self, shard: int, stream: str, entry_id: bytes, fields: dict[bytes, bytes], error: str
    ) -> None:
        """An entry that cannot be read back goes to the dead letters as it was found, unless
        its participant has no record: then it may be a goodbye carrying an erased person's
        address, so only its key, channel and time are set aside (without body or pseudonym,
        and the entry deleted) rather than kept past every rewrite."""
        letter: dict[Any, Any] = {
            **fields,
            "kind": "outbox",
            "stream": stream,
            "entry": entry_id,
            "error": error,
        }
        pid = fields.get(b"pid", b"").decode(errors="replace")
        unknown = bool(pid) and not await self._redis.exists(self._schema.participant(pid))
        if unknown:
            letter = {k: v for k, v in letter.items() if k not in (b"body", b"pid")}
        pipe = self._redis.pipeline(transaction=True)
        pipe.xadd(self._schema.outbox_dead(shard), letter, maxlen=10_000, approximate=True)
        pipe.xack(stream, GROUP, entry_id)
        await pipe.execute()
        if unknown:
            await self._forget_addressed(stream, entry_id, pid)
        channel = fields.get(b"ch", b"").decode(errors="replace")
        self._metrics.sends.labels(channel if channel in _CHANNELS else "unknown", "failed").inc()
        log.error("an unreadable outbox entry was set aside as a dead letter (%s)", error)

    async def _dead_letter(self, item: _Queued, error: str) -> None:
        entry = item.entry
        if entry.message.address is not None:
            # Never kept with its address: an erased person's goodbye would outlive every
            # rewrite in the dead letters. They can write again; the message is dropped.
            await self._forget_addressed(
                item.stream, item.entry_id, entry.participant_id, erased=entry.message.unrecorded
            )
            self._metrics.sends.labels(entry.channel, "failed").inc()
            log.error("a message carrying its address was not delivered (%s): dropped", error)
            return
        shard = self._schema.shard_of(entry.participant_id)
        letter: dict[Any, Any] = {
            **seal(entry, self._crypto),
            "kind": "outbox",
            "stream": item.stream,
            "entry": item.entry_id,
            "error": error,
        }
        pipe = self._redis.pipeline(transaction=True)
        pipe.xadd(self._schema.outbox_dead(shard), letter, maxlen=10_000, approximate=True)
        pipe.xack(item.stream, GROUP, item.entry_id)
        await pipe.execute()
        self._metrics.sends.labels(entry.channel, "failed").inc()
        log.error("message dead-lettered (%s)", error)


# What a damaged outbox entry raises when read back: a body that does not open with the transit
# key, is not JSON, or lacks what its kind of message needs.
_UNREADABLE = (DecryptionError, KeyError, TypeError, ValueError, AttributeError)
_CHANNELS = frozenset(channel.value for channel in Channel)


# Why a recipient's data key did not open when the master key that wrapped it is not held here.
_KEY_NOT_HELD = "key_not_held"

# Recipients whose pace this process remembers before it forgets those already free again.
_CHAT_PACES_KEPT = 10_000


async def _sleep_until(moment: float) -> None:
    """Sleep until a `time.monotonic()` moment (at once if it has passed)."""
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _neutral(message: Outgoing, recipient: Recipient) -> Outgoing:
    """A decision notice in shared-phone words, with its Read button (and, outside WhatsApp's
    window, only the neutral template), whatever it said when it was composed."""
    assert message.decision is not None
    language = recipient.language or "en"
    text, menu = shared_notice(message.decision.ref, language)
    hint = TemplateHint(SHARED_NOTICE, None, language)
    return replace(message, text=text, menu=menu, template=hint)


def _addressed(entry: OutboxEntry) -> Recipient | None:
    """A reply to someone without a record (a first message, a goodbye after erasure) carries
    its address. They wrote just now, so their conversation window is open."""
    address = entry.message.address
    if address is None:
        return None
    return Recipient(entry.participant_id, address, "", entry.enqueued_ms)


def _recipient_of(item: tuple[str, Entry]) -> str:
    return item[1][1].get(b"pid", b"").decode()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _goes_out(item: _Queued, claimed: Claimed) -> bool:
    """Whether a claimed send goes to the platform: when claimed now, or when a sender
    stopped mid-send (it may or may not have gone out) and it is a reply that waits for the
    participant. Anything else never arrives twice."""
    if claimed is Claimed.IN_FLIGHT:
        # Clearing a chat again deletes nothing twice (deleted messages are skipped).
        message = item.entry.message
        return not item.bulk and (_asks(message) or message.clear_chat)
    return claimed is Claimed.NOW


def _asks(message: Outgoing) -> bool:
    """A message of the conversation that waits for the participant: a survey question, or
    buttons to press. Not a notice of the loop (a decision, which carries its decision and
    template hint), even one queued again as a reply: that must never arrive twice."""
    if message.decision is not None or message.template is not None:
        return False
    return message.prompt is not None or bool(message.menu)


def _name(error: BaseException) -> str:
    return type(error).__name__
