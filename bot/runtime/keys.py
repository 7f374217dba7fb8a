"""Redis key names, in one place (documented in docs/keys.md).

Everything one inbound event touches lives under its participant's shard hash tag `{sN}`, so a
single Lua script can commit it atomically and the same code runs on Redis Cluster.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = "sauti"
    shards: int = 16

    def shard_of(self, participant_id: str) -> int:
        """A participant's shard: stable, and uniform because ids are HMAC outputs."""
        return zlib.crc32(participant_id.encode()) % self.shards

    def tag(self, shard: int) -> str:
        return f"{self.prefix}:{{s{shard}}}"

    # -- deployment-wide (single-key operations only) --------------------------------------
    @property
    def meta(self) -> str:
        return f"{self.prefix}:meta"

    @property
    def campaigns(self) -> str:
        return f"{self.prefix}:campaigns"

    def campaign(self, campaign_id: str) -> str:
        return f"{self.prefix}:campaign:{campaign_id}"

    def lease(self, role: str, shard: int) -> str:
        """In the shard's hash slot, so the commit script can check it (fencing)."""
        return f"{self.tag(shard)}:lease:{role}"

    def members(self, role: str) -> str:
        return f"{self.prefix}:members:{role}"

    # -- per shard -------------------------------------------------------------------------
    def inbound(self, shard: int) -> str:
        return f"{self.tag(shard)}:in"

    def dead_letters(self, shard: int) -> str:
        return f"{self.tag(shard)}:dead"

    def counters(self, shard: int, campaign_id: str) -> str:
        return f"{self.tag(shard)}:c:{campaign_id}"

    def respondents(self, shard: int, campaign_id: str) -> str:
        return f"{self.tag(shard)}:r:{campaign_id}"

    def outbox(self, shard: int, priority: str) -> str:
        """Outgoing messages of push channels; `priority` is "reply" or "bulk"."""
        return f"{self.tag(shard)}:out:{priority}"

    def outbox_dead(self, shard: int) -> str:
        """Messages a platform kept failing on (not inbound events: not replayed as such)."""
        return f"{self.tag(shard)}:out:dead"

    def channel_rate(self, channel: str) -> tuple[str, str]:
        """A channel's global limiter and pause keys (one hash slot per channel)."""
        tag = f"{self.prefix}:{{rate:{channel}}}"
        return f"{tag}:tat", f"{tag}:pause"

    def chat_rate(self, participant_id: str) -> tuple[str, str]:
        """One recipient's limiter and pause keys (WhatsApp pauses a pair on error 131056)."""
        tag = self.tag(self.shard_of(participant_id))
        return f"{tag}:rate:{participant_id}", f"{tag}:pause:{participant_id}"

    # -- per participant (their shard's tag) -------------------------------------------------
    def participant(self, participant_id: str) -> str:
        return f"{self.tag(self.shard_of(participant_id))}:p:{participant_id}"

    def session(self, participant_id: str, campaign_id: str) -> str:
        return f"{self.tag(self.shard_of(participant_id))}:s:{participant_id}:{campaign_id}"

    def answers(self, participant_id: str, campaign_id: str) -> str:
        return f"{self.tag(self.shard_of(participant_id))}:a:{campaign_id}:{participant_id}"

    def event_markers(self, participant_id: str) -> str:
        """Their inbound events: stored (deduplication) and committed (bot.runtime.markers)."""
        return f"{self.tag(self.shard_of(participant_id))}:e:{participant_id}"

    def older_event_marker(self, participant_id: str, event_id: str) -> str:
        """An event's marker as written before markers were kept per participant (still read
        for one dedupe window after an upgrade: bot.runtime.scripts)."""
        return f"{self.tag(self.shard_of(participant_id))}:e:{event_id}"

    def older_send_claim(self, participant_id: str, idempotency_key: str) -> str:
        """A send claim as written before claims were kept per participant."""
        return f"{self.tag(self.shard_of(participant_id))}:sent:{idempotency_key}"

    def send_claims(self, participant_id: str) -> str:
        """Outbox entries handed to a platform for them: never twice (bot.runtime.markers)."""
        return f"{self.tag(self.shard_of(participant_id))}:sent:{participant_id}"

    def send_in_flight(self, participant_id: str) -> str:
        """The claim member of the one message being handed to a platform for this participant
        (their messages go one at a time), from the claim until the platform's answer is
        recorded. Still there after a sender died mid-send: bot.runtime.claims."""
        return f"{self.tag(self.shard_of(participant_id))}:sending:{participant_id}"

    def webchat_inbox(self, participant_id: str) -> str:
        return f"{self.tag(self.shard_of(participant_id))}:wc:{participant_id}"

    def telegram_questions(self, participant_id: str) -> str:
        """Telegram's question messages of a participant (to edit them after an answer)."""
        return f"{self.tag(self.shard_of(participant_id))}:tg:q:{participant_id}"
