"""Turn a `Turn` into the one atomic Redis commit of its inbound event.

The commit is keyed by the event id (its marker turns "committed" in the same script), so
processing the same event twice — a redelivery after a crash — records nothing twice.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from bot.conversation.inbound import Channel
from bot.conversation.inbox import INBOX_CAP, Notice, seal_notice
from bot.conversation.outgoing import Outgoing, Sender, messages_for
from bot.conversation.turns import Turn, started
from bot.loop.reactions import reaction_commands
from bot.privacy import ParticipantCrypto, encrypt_field, field_aad
from bot.runtime.feedback import case_commands
from bot.runtime.markers import marker_member, marker_time
from bot.runtime.outbox import OutboxEntry, Priority, seal
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep
from bot.storage.redis_command import RedisCommand
from dialogues import to_dict
from dialogues.events import (
    AnswerOutcome,
    AnswerRecorded,
    AnswerWithdrawn,
    QuestionAsked,
    SurveyCompleted,
    SurveyStarted,
)

# Channels that edit a question's message after the answer (showing the choice, dropping the
# buttons) or after a tick: they get echoes and re-rendered questions; other chat apps already
# show people their own messages, and a message spent on nothing counts against pacing.
EDITING_CHANNELS = frozenset({Channel.TELEGRAM.value})
# What the web chat page rebuilds from survey, session and answers: not kept in the inbox.
_REBUILT = (SurveyStarted, QuestionAsked, AnswerRecorded, SurveyCompleted)


@dataclass(frozen=True)
class AnswerWrites:
    """What a commit writes to one campaign's answers of a participant."""

    campaign_id: str
    sets: dict[str, str]  # question id -> the stored answer (JSON; free text sealed)
    deletes: tuple[str, ...]  # questions whose answer no longer counts

    def apply(self, answers: dict[bytes, bytes]) -> None:
        """`answers` (as HGETALL returns them) as they will be once committed."""
        for question_id, stored in self.sets.items():
            answers[question_id.encode()] = stored.encode()
        for question_id in self.deletes:
            answers.pop(question_id.encode(), None)


@dataclass
class CommitPlan:
    keys: list[str]
    args: list[str | bytes | int]
    answers: AnswerWrites
    outgoing: list[Outgoing] = field(default_factory=list)
    # Idempotent Redis commands run just before the commit script, in the same pipeline
    # (erasure, feedback cases): safe to repeat if the commit itself has to be replayed.
    before: list[BatchStep] = field(default_factory=list)


def plan_commit(
    turn: Turn,
    *,
    schema: KeySchema,
    shard: int,
    participant_id: str,
    event_id: str,
    entry_id: str,
    group: str,
    owner: str,
    channel: str,
    marker_ttl: int,
    crypto: ParticipantCrypto,
    now_ms: int,
    inbox_cap: int = INBOX_CAP,
    awaiting: str | None = None,
    after_event_id: str | None = None,
) -> CommitPlan:
    """`awaiting`: the question that awaited an answer before the event (web chat notices of an
    event that leaves the session alone, such as a help text, are shown with it).
    `after_event_id`: the participant's event planned just before this one in the same batch;
    this one commits only once that one has."""
    campaign = turn.campaign_id or "-"
    answer_sets: dict[str, str] = {}
    answer_dels: list[str] = []
    counters: dict[str, int] = {}
    for event in turn.events:
        if isinstance(event, AnswerRecorded):
            answer_sets[event.question_id] = _answer_json(turn, campaign, event)
            counters["answers"] = counters.get("answers", 0) + 1
        elif isinstance(event, AnswerWithdrawn):
            answer_dels.append(event.question_id)
        elif isinstance(event, SurveyCompleted):
            counters["completed"] = counters.get("completed", 0) + 1
    if started(turn):
        counters["started"] = counters.get("started", 0) + 1
    outgoing = [*turn.notices, *messages_for(turn.events)]
    outgoing += [Outgoing(p.text, prompt=p, edit=True) for p in turn.refreshed]
    outbox = _outbox_entries(
        turn,
        participant_id=participant_id,
        event_id=event_id,
        outgoing=outgoing,
        now_ms=now_ms,
        channel=channel,
    )
    before: list[BatchStep] = []
    if turn.erase:
        before += erase_commands(schema, shard, participant_id, turn)
        inbox: list[bytes] = []
        participant_fields: dict[str, str | bytes] = {}
    else:
        inbox = _sealed_notices(turn, participant_id, awaiting)
        participant_fields = _participant_fields(turn)
    if turn.feedback is not None and turn.participant is not None and turn.data_key is not None:
        before += case_commands(
            schema,
            shard,
            participant_id=participant_id,
            language=turn.participant.language,
            channel=turn.participant.channel,
            data_key=turn.data_key,
            feedback=turn.feedback,
            now_ms=now_ms,
        )
    if turn.reaction is not None and turn.participant is not None and turn.data_key is not None:
        before += reaction_commands(
            schema,
            participant_id=participant_id,
            language=turn.participant.language,
            channel=turn.participant.channel,
            data_key=turn.data_key,
            reaction=turn.reaction,
            now_ms=now_ms,
        )
    args: list[str | bytes | int] = [
        group,
        entry_id,
        marker_member(event_id),
        json.dumps(to_dict(turn.session), separators=(",", ":")) if turn.session else "",
        owner,
        marker_time(now_ms),
        marker_ttl,
        len(participant_fields),
        *[item for pair in participant_fields.items() for item in pair],
        len(answer_sets),
        *[item for pair in answer_sets.items() for item in pair],
        len(answer_dels),
        *answer_dels,
        len(counters),
        *[item for pair in counters.items() for item in pair],
        participant_id if started(turn) else "",
        len(inbox),
        *inbox,
        inbox_cap,
        len(outbox),
        *[value for entry in outbox for value in seal(entry, crypto).values()],
        marker_member(after_event_id) if after_event_id else "",
    ]
    redis_keys = [
        schema.inbound(shard),
        schema.event_markers(participant_id),
        schema.participant(participant_id),
        schema.session(participant_id, campaign),
        schema.answers(participant_id, campaign),
        schema.counters(shard, campaign),
        schema.respondents(shard, campaign),
        schema.webchat_inbox(participant_id),
        schema.outbox(shard, Priority.REPLY),
        schema.lease("worker", shard),
        schema.older_event_marker(participant_id, event_id),
    ]
    answers = AnswerWrites(campaign, answer_sets, tuple(answer_dels))
    return CommitPlan(redis_keys, args, answers, outgoing, before)


def erase_commands(
    schema: KeySchema, shard: int, participant_id: str, turn: Turn
) -> list[RedisCommand]:
    """Everything of one participant, gone: the record with its data key (which makes every
    sealed copy elsewhere unreadable), sessions and answers in every campaign they joined, their
    place in respondent lists and their web chat inbox, what they were told of decisions, their
    notice budget and the themes on their answers (`KeySchema.keys_of`). Aggregate counters
    stay: they hold no one's data. Keys that expire on their own are left to expire
    (`KEPT_ON_ERASURE`): the sender's claims, and their event markers, which hold hashes of
    message ids only and must stay so that a platform redelivering an old message after the
    erasure still finds it seen."""
    record = turn.participant
    campaigns = set(record.joined if record is not None else ())
    if record is not None and record.campaign_id:
        campaigns.add(record.campaign_id)
    commands: list[RedisCommand] = [
        ("DEL", key) for key in schema.keys_of(participant_id, campaigns)
    ]
    return commands + [
        ("SREM", schema.respondents(shard, campaign), participant_id)
        for campaign in sorted(campaigns)
    ]


def _participant_fields(turn: Turn) -> dict[str, str | bytes]:
    """A new participant is written whole; later changes write only what can change, so a
    commit never writes back a data key that an erasure deleted meanwhile."""
    record = turn.participant
    if record is None:
        return {}
    # When they last wrote: WhatsApp's 24-hour window opens from here.
    fields: dict[str, str | bytes] = {} if turn.inbound_ms is None else {"in": str(turn.inbound_ms)}
    if not turn.participant_changed:
        return fields
    if turn.participant_created:
        return record.to_fields() | fields
    return record.state_fields() | fields


def _answer_json(turn: Turn, campaign: str, event: AnswerRecorded) -> str:
    stored: dict[str, object] = {"o": event.outcome.value, "t": event.at}
    if event.outcome is AnswerOutcome.ANSWERED:
        if isinstance(event.value, str) and _is_free_text(turn, event.question_id):
            assert turn.data_key is not None
            assert turn.participant is not None
            aad = field_aad(
                turn.participant.participant_id, f"answer:{campaign}:{event.question_id}"
            )
            sealed = encrypt_field(turn.data_key, event.value, aad)
            stored["x"] = base64.b64encode(sealed).decode()
        else:
            value = event.value
            stored["v"] = list(value) if isinstance(value, tuple) else value
    return json.dumps(stored, separators=(",", ":"))


def _is_free_text(turn: Turn, question_id: str) -> bool:
    return turn.session is not None and question_id in turn.session.texts


def _outbox_entries(
    turn: Turn,
    *,
    participant_id: str,
    event_id: str,
    outgoing: list[Outgoing],
    now_ms: int,
    channel: str,
) -> list[OutboxEntry]:
    """Push channels get their messages through the outbox, one entry per message, each with
    an idempotency key derived from the event (a replayed event is not committed again).
    Without a participant record (never created, or just erased) the reply carries its
    address, sealed like the rest of the message: the sender has no record to read it from."""
    if channel == Channel.WEBCHAT.value:
        return []
    if turn.participant is None or turn.erase:
        if turn.reply_address is None:
            return []
        extra = {"to": turn.reply_address}
    else:
        extra = {}
    return [
        OutboxEntry(f"{event_id}:{n}", participant_id, channel, m.to_plain() | extra, now_ms)
        for n, m in enumerate(outgoing)
        if channel in EDITING_CHANNELS or not (m.sender is Sender.PARTICIPANT or m.edit)
    ]


def _sealed_notices(turn: Turn, participant_id: str, awaiting: str | None) -> list[bytes]:
    """Web chat participants find what they were told in their inbox, sealed with their key:
    only the notices, since the page rebuilds questions, answers and thanks
    (bot.conversation.inbox), each with its menu (the page shows it as buttons). Each notice is
    tied to the question that awaited an answer, if any, to be shown there."""
    if turn.participant is None or turn.participant.channel != "webchat" or turn.data_key is None:
        return []
    told = list(turn.notices)
    for event in turn.events:
        if not isinstance(event, _REBUILT):
            told += messages_for([event])
    question = turn.session.current if turn.session is not None else awaiting
    return [
        seal_notice(Notice(message.text, question, message.menu), participant_id, turn.data_key)
        for message in told
    ]
