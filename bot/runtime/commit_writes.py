"""What one inbound event's commit writes, by name (`CommitWrites`), and the one function that
lays it out as the COMMIT script's KEYS and ARGV (`commit_call`).

The per-event write builders (bot.runtime.commit) fill a `CommitWrites`; nothing else knows
the script's positional arguments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.conversation.inbox import INBOX_CAP
from bot.conversation.stored_answers import chunk_prefix
from bot.conversation.stored_sessions import encode_session
from bot.privacy import ParticipantCrypto
from bot.runtime.markers import marker_member, marker_time
from bot.runtime.outbox import OutboxEntry, Priority, seal
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall
from bot.storage.scripts import COMMIT
from dialogues import Session

NO_CAMPAIGN = "-"  # the campaign part of the keys of an event outside any campaign


@dataclass(frozen=True, slots=True)
class CommittedEvent:
    """The inbound event a commit records, and where it stands in its shard's pipeline."""

    shard: int
    participant_id: str
    event_id: str
    entry_id: str  # its inbound stream entry, acknowledged by the commit
    channel: str
    now_ms: int
    # The question that awaited an answer before the event: web chat notices of an event that
    # leaves the session alone (a help text, say) are shown with it.
    awaiting: str | None = None
    # The participant's event planned just before this one in the same batch: this one
    # commits only once that one has.
    after_event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Committer:
    """What stays the same for every commit one worker makes."""

    schema: KeySchema
    group: str  # the inbound stream's consumer group
    owner: str  # the worker holding the shard's lease: no one else's commit goes through
    marker_ttl: int  # seconds an event marker outlives its last event (the dedupe window)
    crypto: ParticipantCrypto  # seals outbox bodies in transit
    inbox_cap: int = INBOX_CAP


@dataclass(frozen=True)
class AnswerWrites:
    """What a commit writes to one campaign's answers of a participant."""

    campaign_id: str
    # Hash fields to set: each answer's header and a free text's sealed chunks
    # (bot.conversation.stored_answers).
    sets: dict[str, bytes]
    # Questions whose stored answer goes (with its chunks) before `sets` are written: those
    # answered again and those whose answer no longer counts.
    deletes: tuple[str, ...]

    def apply(self, answers: dict[bytes, bytes]) -> None:
        """`answers` (as HGETALL returns them) as they will be once committed."""
        for question_id in self.deletes:
            prefix = chunk_prefix(question_id).encode()
            for gone in [f for f in answers if f == question_id.encode() or f.startswith(prefix)]:
                del answers[gone]
        for stored_field, value in self.sets.items():
            answers[stored_field.encode()] = value


@dataclass
class CommitWrites:
    """Everything one event's commit writes, filled in by the per-event write builders."""

    event: CommittedEvent
    campaign_id: str = NO_CAMPAIGN
    session: Session | None = None  # the campaign session after the event; None: unchanged
    participant: dict[str, str | bytes] = field(default_factory=dict)  # record fields to set
    answers: AnswerWrites = field(default_factory=lambda: AnswerWrites(NO_CAMPAIGN, {}, ()))
    counters: Counter[str] = field(default_factory=Counter)  # campaign counter -> increment
    respondent: bool = False  # the participant joins the campaign's respondents
    # The campaign the record names (`cid`) after the event, when the commit writes it: the
    # participant is one of its joiners, whom its retention reaches.
    joined: str | None = None
    # Free-text answers for the triage queue (bot.loop.triage): item -> when (ms); and items
    # whose answer no longer counts, which leave the queue with their flags and alert.
    triaged: dict[str, int] = field(default_factory=dict)
    untriaged: list[str] = field(default_factory=list)
    inbox: list[bytes] = field(default_factory=list)  # sealed web chat notices
    outbox: list[OutboxEntry] = field(default_factory=list)  # replies for push channels
    # Idempotent Redis commands run just before the commit script, in the same pipeline
    # (erasure, feedback cases, reactions): safe to repeat if the commit has to be replayed.
    before: list[BatchStep] = field(default_factory=list)


def commit_call(writes: CommitWrites, committer: Committer) -> ScriptCall:
    """The COMMIT script's call for `writes`: the only place that knows its positional layout
    (`bot/storage/lua/commit.lua`, whose header is the reference).

    KEYS: 1 inbound stream, 2 the participant's event markers, 3 participant, 4 session,
    5 answers, 6 counters, 7 respondents, 8 web chat inbox, 9 reply outbox, 10 the shard's
    worker lease, 11 joiners who have not started (7 and 11: of the campaign the event starts,
    else of the one the record names), 12 the campaign's triage queue in the shard, 13 its
    triage marks, 14 its open safety alerts, 15 the campaign's changed set in the shard.

    ARGV: 1 group, 2 entry id, 3 marker member, 4 session as stored ('' = unchanged), 5 lease
    owner, 6 now (marker time), 7 marker TTL; then counted groups (a count, then its items):
    participant field/value pairs ('' removes the field), answer field/value pairs, answers to
    delete first (with their chunks), counter field/delta pairs; then the respondent member
    ('' = none); then the joiner member ('' = none); then the changed member ('' = none); then
    counted inbox items and the inbox
    cap; then counted outbox entries (k, pid, ch, t, body each); then counted triage items to
    add (item, ms each) and counted items to take off; last the marker member of the
    participant's event just before this one in the batch ('' = none).
    """
    event, schema = writes.event, committer.schema
    pid, shard, campaign = event.participant_id, event.shard, writes.campaign_id
    # The sets the participant is listed in: of the campaign they start, else of the one their
    # record names (only one of the two is ever written).
    listed = campaign if writes.respondent else writes.joined or campaign
    args: list[str | bytes | int] = [
        committer.group,
        event.entry_id,
        marker_member(event.event_id),
        encode_session(writes.session) if writes.session is not None else "",
        committer.owner,
        marker_time(event.now_ms),
        committer.marker_ttl,
        *_counted_pairs(writes.participant),
        *_counted_pairs(writes.answers.sets),
        len(writes.answers.deletes),
        *writes.answers.deletes,
        *_counted_pairs(writes.counters),
        pid if writes.respondent else "",
        pid if writes.joined else "",
        pid if writes.counters else "",  # moved the counters: waits for the next snapshot
        len(writes.inbox),
        *writes.inbox,
        committer.inbox_cap,
        len(writes.outbox),
        *[value for entry in writes.outbox for value in seal(entry, committer.crypto).values()],
        *_counted_pairs(writes.triaged),
        len(writes.untriaged),
        *writes.untriaged,
        marker_member(event.after_event_id) if event.after_event_id else "",
    ]
    redis_keys = [
        schema.inbound(shard),
        schema.event_markers(pid),
        schema.participant(pid),
        schema.session(pid, campaign),
        schema.answers(pid, campaign),
        schema.counters(shard, campaign),
        schema.respondents(shard, listed),
        schema.webchat_inbox(pid),
        schema.outbox(shard, Priority.REPLY),
        schema.lease("worker", shard),
        schema.joiners(shard, listed),
        schema.triage(shard, campaign),
        schema.triage_marks(shard, campaign),
        schema.safety_alerts(shard, campaign),
        schema.changed(shard, campaign),
    ]
    return ScriptCall(COMMIT, redis_keys, args)


def _counted_pairs(pairs: Mapping[str, str | bytes | int]) -> list[str | bytes | int]:
    """A counted group of field/value pairs, as the script reads them."""
    return [len(pairs), *[item for pair in pairs.items() for item in pair]]
