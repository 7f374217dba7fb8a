"""Ingest: deduplicate an inbound event on its platform message id and append it to its
participant's shard stream — one atomic script. Channels acknowledge the platform only after
this returns; when Redis is unreachable it raises, and the channel answers 503 so the platform
retries instead of the event being lost. With SAUTI_ACK_REPLICAS, "stored" also means that
many replicas hold it (docs/redis.md)."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.conversation.inbound import InboundEvent
from bot.privacy import ParticipantCrypto
from bot.runtime.event_codec import encode
from bot.runtime.markers import MAX_MARKERS, EventMarker, marker_member, marker_time
from bot.runtime.metrics import Metrics
from bot.storage import lua, scripts
from bot.storage.errors import StorageError
from bot.storage.keys import KeySchema
from bot.storage.redis_command import RedisCommand


class ReplicasBehindError(StorageError):
    """Fewer replicas than asked confirmed an inbound event in time: it is on the primary, but
    the platform is not told it arrived (it retries, and the retry is deduplicated)."""


class Ingestor:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        crypto: ParticipantCrypto,
        metrics: Metrics,
        dedupe_ttl: int,
        *,
        ack_replicas: int = 0,
        ack_replica_timeout_ms: int = 1000,
    ) -> None:
        self._schema = schema
        self._crypto = crypto
        self._metrics = metrics
        self._dedupe_ttl = dedupe_ttl
        self._redis = redis
        self._ack_replicas = ack_replicas
        self._ack_replica_timeout_ms = ack_replica_timeout_ms

    async def ingest(self, event: InboundEvent) -> bool:
        """True when stored, False when it is a duplicate of an event already stored."""
        fields = encode(event, self._crypto)
        marker = self.marker(event)
        args: list[str | bytes | int] = [
            marker.member,
            marker_time(event.received_at_ms),
            self._dedupe_ttl,
            MAX_MARKERS,
        ]
        for name, value in fields.items():
            args += [name, value]
        shard = self._schema.shard_of(event.participant_id)
        keys = [marker.key, self._schema.inbound(shard), marker.erased_key]
        if self._ack_replicas:
            entry = await self._ingest_on_replicas(keys, args)
        else:
            entry = await scripts.INGEST(self._redis, keys, args)
        if entry is None:
            self._metrics.duplicates.labels(event.channel.value).inc()
            return False
        self._metrics.ingested.labels(event.channel.value).inc()
        return True

    async def _ingest_on_replicas(self, keys: list[str], args: list[str | bytes | int]) -> Any:
        """The ingest script and WAIT on one connection (a pipeline): WAIT counts the replicas
        that hold this connection's writes, so it must follow the write on the same one."""
        wait: RedisCommand = ("WAIT", self._ack_replicas, self._ack_replica_timeout_ms)
        entry, confirmed = await lua.run_batch(
            self._redis, [lua.ScriptCall(scripts.INGEST, keys, args), wait]
        )
        for reply in (entry, confirmed):
            if isinstance(reply, Exception):
                raise reply
        if int(confirmed) < self._ack_replicas:
            raise ReplicasBehindError(
                f"{confirmed} of {self._ack_replicas} replicas confirmed an inbound event"
            )
        return entry

    def marker(self, event: InboundEvent) -> EventMarker:
        """The event's marker: committed once its score is odd (the web chat waits on it)."""
        pid = event.participant_id
        return EventMarker(
            self._schema.event_markers(pid),
            marker_member(event.event_id),
            self._schema.erased_events(self._schema.shard_of(pid)),
        )
