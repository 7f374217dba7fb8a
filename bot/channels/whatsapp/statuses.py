"""What became of the messages we sent: WhatsApp reports sent / delivered / read / failed in
separate webhooks, possibly out of order and more than once.

After each send the client stores, under the participant's shard tag, a small record keyed by
an HMAC of the wamid (a wamid encodes the phone number): the outbox entry's key and the latest
status (`SAUTI_WHATSAPP_STATUS_TTL_SECONDS`). For a short while it also keeps the message,
sealed (`SAUTI_WHATSAPP_RESEND_WINDOW_SECONDS`), so that a `failed` status whose error code says
a retry helps can queue it again: once, under a new idempotency key; error 131047 (window
closed) queues it to go out as a template. A failed status saying the number cannot receive
WhatsApp messages marks the participant unreachable, as a refused send does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace

from redis.asyncio import Redis

from bot.channels.whatsapp import errors
from bot.channels.whatsapp.inbound import message_digest
from bot.channels.whatsapp.metrics import WhatsAppMetrics
from bot.channels.whatsapp.payload import StatusUpdate
from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing
from bot.privacy import ParticipantCrypto
from bot.runtime.message_codec import message_from_plain, message_to_plain
from bot.runtime.outbox import OutboxEntry, Priority, seal
from bot.storage.keys import KeySchema
from bot.storage.scripts import APPLY_WHATSAPP_STATUS

RANKS = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
RESEND_SUFFIX = ":r"  # an entry queued again gets its key plus this, and is not resent again


class StatusStore:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        *,
        crypto: ParticipantCrypto,
        metrics: WhatsAppMetrics,
        record_ttl_seconds: int,
        body_ttl_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._crypto = crypto
        self._metrics = metrics
        self._record_ttl = record_ttl_seconds
        self._body_ttl = body_ttl_seconds
        self._clock = clock

    async def remember(self, participant_id: str, wamid: str, key: str, message: Outgoing) -> None:
        """Note a message WhatsApp accepted, so its statuses find their way back."""
        digest = message_digest(self._crypto, wamid)
        record = json.dumps({"k": key, "r": 0}, separators=(",", ":"))
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(self._schema.whatsapp_status(participant_id, digest), record, ex=self._record_ttl)
        # A message that carries its address (the goodbye after an erasure) is not kept to
        # resend: it would be one more copy of that address to take off the disk.
        if self._body_ttl > 0 and not key.endswith(RESEND_SUFFIX) and message.address is None:
            plain = message_to_plain(message)
            body = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
            sealed = self._crypto.seal_in_transit(body, digest.encode())
            pipe.set(self._schema.whatsapp_body(participant_id, digest), sealed, ex=self._body_ttl)
            # Indexed by participant, so that an erasure finds and deletes their copies
            # (forget_erased.lua) rather than leaving them for the rewrite to write again.
            index = self._schema.whatsapp_bodies(participant_id)
            pipe.sadd(index, digest)
            pipe.expire(index, self._body_ttl)
        await pipe.execute()

    async def apply(self, update: StatusUpdate) -> str:
        """Record one status webhook; returns what happened (for tests and metrics)."""
        pid = self._crypto.participant_id(Channel.WHATSAPP.value, update.recipient)
        digest = message_digest(self._crypto, update.wamid)
        record_key = self._schema.whatsapp_status(pid, digest)
        body_key = self._schema.whatsapp_body(pid, digest)
        rank = RANKS.get(update.status)
        if rank is None or rank == 0:
            return "ignored"  # a status kind we do not track (e.g. "deleted", "warning")
        failed = update.status == "failed"
        code = update.error_code
        resend: list[str | bytes] = []
        if failed:
            self._metrics.failed.labels(str(code)).inc()
            if code in errors.RESEND_STATUS or code in errors.WINDOW_CLOSED:
                resend = await self._resend_fields(pid, record_key, body_key, digest, code)
        unreachable = failed and code in errors.REFUSED
        shard = self._schema.shard_of(pid)
        result = await APPLY_WHATSAPP_STATUS(
            self._redis,
            [
                record_key,
                body_key,
                self._schema.outbox(shard, Priority.REPLY),
                self._schema.participant(pid),
            ],
            [
                update.status,
                rank,
                "" if code is None else code,
                "1" if unreachable else "0",
                *resend,
            ],
        )
        outcome = {-1: "unmatched", 0: "stale", 1: "applied", 2: "applied"}[int(result)]
        self._metrics.statuses.labels(update.status, outcome).inc()
        if int(result) == 2:
            reason = "window_closed" if code in errors.WINDOW_CLOSED else "temporary"
            self._metrics.resent.labels(reason).inc()
            return "resent"
        return outcome

    async def _resend_fields(
        self, pid: str, record_key: str, body_key: str, digest: str, code: int | None
    ) -> list[str | bytes]:
        pipe = self._redis.pipeline(transaction=False)
        pipe.get(record_key)
        pipe.get(body_key)
        raw_record, sealed = await pipe.execute()
        if raw_record is None or sealed is None:
            return []  # unknown, already resent, or kept too short a while: nothing to resend
        key = json.loads(raw_record)["k"]
        if key.endswith(RESEND_SUFFIX):
            return []
        message = message_from_plain(
            json.loads(self._crypto.open_in_transit(sealed, digest.encode()))
        )
        if code in errors.WINDOW_CLOSED:
            message = replace(message, template_only=True)
        entry = OutboxEntry(
            key + RESEND_SUFFIX, pid, Channel.WHATSAPP.value, message, int(self._clock() * 1000)
        )
        fields = seal(entry, self._crypto)
        return [item for pair in fields.items() for item in pair]
