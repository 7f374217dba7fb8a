"""Ingest: deduplicate an inbound event on its platform message id and append it to its
participant's shard stream — one atomic script. Channels acknowledge the platform only after
this returns; when Redis is unreachable it raises, and the channel answers 503 so the platform
retries instead of the event being lost."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.runtime import scripts
from bot.runtime.events import InboundEvent, encode
from bot.runtime.keys import Keys
from bot.runtime.markers import MAX_MARKERS, EventMarker, marker_member, marker_time
from bot.runtime.metrics import Metrics


class Ingestor:
    def __init__(
        self, redis: Redis, keys: Keys, transit_key: bytes, metrics: Metrics, dedupe_ttl: int
    ) -> None:
        self._keys = keys
        self._transit_key = transit_key
        self._metrics = metrics
        self._dedupe_ttl = dedupe_ttl
        self._redis = redis

    async def ingest(self, event: InboundEvent) -> bool:
        """True when stored, False when it is a duplicate of an event already stored."""
        fields = encode(event, self._transit_key)
        marker = self.marker(event)
        args: list[str | bytes | int] = [
            marker.member,
            marker_time(event.received_at_ms),
            self._dedupe_ttl,
            MAX_MARKERS,
        ]
        for name, value in fields.items():
            args += [name, value]
        shard = self._keys.shard_of(event.participant_id)
        older = self._keys.older_event_marker(event.participant_id, event.event_id)
        entry = await scripts.INGEST(
            self._redis, [marker.key, self._keys.inbound(shard), older], args
        )
        if entry is None:
            self._metrics.duplicates.labels(event.channel.value).inc()
            return False
        self._metrics.ingested.labels(event.channel.value).inc()
        return True

    def marker(self, event: InboundEvent) -> EventMarker:
        """The event's marker: committed once its score is odd (the web chat waits on it)."""
        return EventMarker(
            self._keys.event_markers(event.participant_id), marker_member(event.event_id)
        )
