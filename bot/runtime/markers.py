"""Markers: what Sauti must remember of each message for the dedupe window, per participant.

Two things are remembered, per participant, for at most the window (SAUTI_DEDUPE_TTL_SECONDS;
Telegram keeps an update for 24 h, WhatsApp retries a webhook for 7 days):

- **event markers** (`KeySchema.event_markers`): each inbound event, so ingest drops a platform's
  redelivery and the commit recognises an event it already committed (the score is even once
  stored, odd once committed; the web chat waits for odd);
- **send claims** (`KeySchema.send_claims`): each outbox entry the sender is about to hand to a
  platform, so that no entry is ever sent twice. Unlike event markers, a claim goes with its
  entry's acknowledgement (bot.runtime.claims); only one a crash left behind lasts the window.

Each participant's markers live in one sorted set rather than one key per message: a key
costs about 80 bytes of Redis memory before it holds anything, a member of a small sorted set
about 16 (`bench/ingest.py` measures it).

- member: 8 characters of a hash of the event id or idempotency key (48 bits: unique among one
  participant's messages; the id itself can be long, and the set only has to tell them apart);
- score: seconds since `EPOCH_S` (times two plus the committed bit, for event markers).
  Relative to 2026 so that the score fits a 32-bit integer, stored in 5 bytes instead of 9.

Each write drops members older than the window and keeps at most `MAX_MARKERS`; the set expires
one window after the participant's last message.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

EPOCH_S = 1_767_225_600  # 2026-01-01T00:00:00Z
# A participant who sends more than this within the dedupe window loses deduplication of the
# oldest of them, rather than Redis memory growing without bound under a flood.
MAX_MARKERS = 2000


@dataclass(frozen=True, slots=True)
class EventMarker:
    key: str  # the participant's marker set
    member: str  # the event in it
    # Where it moves if the event erases its participant (`KeySchema.erased_events`): "" none
    erased_key: str = ""


def marker_member(message_id: str) -> str:
    """The member standing for an event id or an idempotency key."""
    digest = hashlib.sha256(message_id.encode()).digest()
    return base64.urlsafe_b64encode(digest[:6]).decode()


def marker_time(epoch_ms: int) -> int:
    """What the scripts store: seconds since EPOCH_S (never negative)."""
    return max(0, epoch_ms // 1000 - EPOCH_S)


def is_committed(score: float | None) -> bool:
    """True for the score of an event the worker committed (odd); False for stored or absent."""
    return score is not None and int(score) % 2 == 1
