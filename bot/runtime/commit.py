"""Turn a `Turn` into the writes of the one atomic Redis commit of its inbound event.

Each fact of a turn (the session saved, answers recorded, counters, replies queued, a web chat
notice, an erasure, a feedback case, a reaction to a decision) has its own small builder that
adds its writes to a `CommitWrites`; `bot.runtime.commit_writes.commit_call` lays them out for
the COMMIT script.

The commit is keyed by the event id (its marker turns "committed" in the same script), so
processing the same event twice — a redelivery after a crash — records nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.conversation.case_view import WHY, why_aad
from bot.conversation.decisions.reaction import CONCERN
from bot.conversation.inbound import Channel
from bot.conversation.inbox import Notice, seal_notice
from bot.conversation.outgoing import SHARED_CONTINUE, Outgoing, Sender, TemplateHint, messages_for
from bot.conversation.stored_answers import encode_answer
from bot.conversation.turns import Turn, started
from bot.privacy import encrypt_field, field_aad
from bot.records.cases import NewCase, Urgency, case_commands
from bot.records.triage_items import forget_triage, triage_item
from bot.records.triage_marks import safety_alert_steps
from bot.runtime.commit_writes import NO_CAMPAIGN, AnswerWrites, CommittedEvent, CommitWrites
from bot.runtime.erasure_traces import erasure_traces
from bot.runtime.outbox import OutboxEntry
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall
from bot.storage.scripts import ANSWER_CASE, FORGET_CASES, RECORD_REACTION
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


# One builder per fact of a turn; each adds that fact's writes to the commit. Their order is
# the order of the steps run before the commit script (erasure first).
WriteBuilder = Callable[[Turn, KeySchema, CommitWrites], None]


def writes_for_turn(turn: Turn, event: CommittedEvent, schema: KeySchema) -> CommitWrites:
    """Everything the commit of `event` writes for `turn`, fact by fact."""
    writes = CommitWrites(event, campaign_id=turn.campaign_id or NO_CAMPAIGN)
    for build in BUILDERS:
        build(turn, schema, writes)
    return writes


def save_session(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """The campaign session as the event left it."""
    writes.session = turn.session


def record_answers(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """Answers recorded (free text sealed with the participant's key) and withdrawn."""
    sets: dict[str, dict[str, bytes]] = {}
    # Every answer replaced or withdrawn: its old fields (a free text's chunks) go first.
    cleared: dict[str, None] = {}
    for event in turn.events:
        if isinstance(event, AnswerRecorded):
            sets[event.question_id] = _answer_fields(turn, writes.campaign_id, event)
            cleared[event.question_id] = None
        elif isinstance(event, AnswerWithdrawn):
            sets.pop(event.question_id, None)
            cleared[event.question_id] = None
    fields = {field: value for answer in sets.values() for field, value in answer.items()}
    writes.answers = AnswerWrites(writes.campaign_id, fields, tuple(cleared))
    _triage(turn, writes, set(sets))


def _triage(turn: Turn, writes: CommitWrites, recorded: set[str]) -> None:
    """Free-text answers given join the triage queue at the event's time; an answer withdrawn,
    skipped or declined leaves it (with its flags and alert), should it have been a free text:
    the session no longer says so once it is gone, and these are rare, so each one's item is
    taken off whatever its question (taking off one not there changes nothing)."""
    pid = writes.event.participant_id
    for event in turn.events:
        if not isinstance(event, AnswerRecorded | AnswerWithdrawn):
            continue
        item = triage_item(pid, event.question_id)
        if isinstance(event, AnswerWithdrawn) or event.outcome is not AnswerOutcome.ANSWERED:
            writes.triaged.pop(item, None)
            if item not in writes.untriaged:
                writes.untriaged.append(item)
        elif event.question_id in recorded and _is_free_text(turn, event.question_id):
            writes.triaged[item] = writes.event.now_ms
            if item in writes.untriaged:
                writes.untriaged.remove(item)


def count(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """The campaign's counters, and its respondents when the participant starts it."""
    for event in turn.events:
        if isinstance(event, AnswerRecorded):
            writes.counters["answers"] += 1
        elif isinstance(event, SurveyCompleted):
            writes.counters["completed"] += 1
    if started(turn):
        writes.counters["started"] += 1
        writes.respondent = True


def keep_participant(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """A new participant is written whole; later changes write only what can change, so a
    commit never writes back a data key that an erasure deleted meanwhile."""
    record = turn.participant
    if record is None or turn.erase:
        return
    # When they last wrote: WhatsApp's 24-hour window opens from here.
    if turn.inbound_ms is not None:
        writes.participant["in"] = str(turn.inbound_ms)
    if not turn.participant_changed:
        return
    fields = record.to_fields() if turn.participant_created else record.state_fields()
    if not turn.participant_created and not turn.came_back and not record.hidden:
        # Not hidden when loaded: a quick exit the web page stored since must stay
        # (commit.lua never lowers `hid`; only a come-back writes "0").
        del fields["hid"]
    writes.participant = fields | writes.participant
    if record.campaign_id:
        writes.joined = record.campaign_id
    left = turn.campaign_before
    if left and left != record.campaign_id:
        # Joined and left for another before starting it: nothing names them for that
        # campaign any more, so neither may its joiners set (an erasure finds only what the
        # record names). Started, they were never in it: the SREM does nothing.
        pid = record.participant_id
        writes.before.append(("SREM", schema.joiners(writes.event.shard, left), pid))


def queue_replies(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """Push channels get their messages through the outbox, one entry per message, each with
    an idempotency key derived from the event (a replayed event is not committed again).
    Without a participant record (never created, or just erased) the reply carries its
    address, sealed like the rest of the message: the sender has no record to read it from."""
    event = writes.event
    if event.channel == Channel.WEBCHAT.value:
        return
    address = None
    if turn.participant is None or turn.erase:
        if turn.reply_address is None:
            return
        address = turn.reply_address
    writes.outbox = [
        OutboxEntry(
            f"{event.event_id}:{n}",
            event.participant_id,
            event.channel,
            # The goodbye after an erasure: the chat's history keeps nothing under their id.
            replace(message, address=address, unrecorded=turn.erase),
            event.now_ms,
        )
        for n, message in enumerate(_outgoing(turn))
        if event.channel in EDITING_CHANNELS
        or not (message.sender is Sender.PARTICIPANT or message.edit)
    ]


def notify_inbox(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """Web chat participants find what they were told in their inbox, sealed with their key:
    only the notices, since the page rebuilds questions, answers and thanks
    (bot.conversation.inbox), each with its menu (the page shows it as buttons). Each notice is
    tied to the question that awaited an answer, if any, to be shown there."""
    record, data_key = turn.participant, turn.data_key
    if turn.erase or record is None or record.channel != "webchat" or data_key is None:
        return
    told = list(turn.notices)
    for event in turn.events:
        if not isinstance(event, _REBUILT):
            told += messages_for([event])
    question = turn.session.current if turn.session is not None else writes.event.awaiting
    pid = writes.event.participant_id
    writes.inbox = [
        seal_notice(Notice(message.text, question, message.menu), pid, data_key) for message in told
    ]


def erase(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """A confirmed /delete: everything of the participant goes before the commit."""
    if turn.erase:
        event = writes.event
        writes.before += erase_commands(schema, event.shard, event.participant_id, turn)
        writes.before += erasure_traces(
            schema,
            event.participant_id,
            event.now_ms,
            keep_entry=event.entry_id,
            keep_event=event.event_id,
        )


def open_case(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """Feedback outside the survey becomes a case on the grievance desk; a message flagged for
    someone's safety too, marked `safety` (first on the desk) with its campaign's alert raised.
    Both from one message are one case (the same reference)."""
    feedback, record, data_key = turn.feedback or turn.flagged, turn.participant, turn.data_key
    if feedback is None or record is None or data_key is None:
        return
    flagged = turn.flagged is not None
    case = NewCase(
        reference=feedback.reference,
        participant_id=writes.event.participant_id,
        campaign_id=feedback.campaign_id or "",
        language=record.language,
        channel=record.channel,
        text=feedback.text,
        created_ms=writes.event.now_ms,
        due_ms=feedback.due_ms,
        urgency=Urgency.SAFETY if flagged else Urgency.NORMAL,
        org=feedback.org,
    )
    writes.before += case_commands(schema, case, data_key)
    if flagged and case.campaign_id:
        writes.before += safety_alert_steps(
            schema, case.participant_id, case.campaign_id, case.reference, case.created_ms
        )


def record_reaction(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """A reaction to a decision notice: counted once per participant and decision ("tell me
    more" once per participant); a written concern becomes a case linked to the decision."""
    reaction, record, data_key = turn.reaction, turn.participant, turn.data_key
    if reaction is None or record is None or data_key is None:
        return
    pid, now_ms = writes.event.participant_id, writes.event.now_ms
    shard = schema.shard_of(pid)
    if reaction.kind != CONCERN:
        told, totals = schema.told(pid), schema.reactions(shard, reaction.ref)
        writes.before.append(
            ScriptCall(RECORD_REACTION, [told, totals], [reaction.ref, reaction.kind])
        )
        return
    concern = NewCase(
        reference=reaction.reference,
        participant_id=pid,
        campaign_id=reaction.campaign_id,
        language=record.language,
        channel=record.channel,
        text=reaction.text,
        created_ms=now_ms,
        due_ms=reaction.due_ms,
        decision_ref=reaction.ref,
        org=reaction.org,
    )
    writes.before += case_commands(schema, concern, data_key)


def answer_case(turn: Turn, schema: KeySchema, writes: CommitWrites) -> None:
    """Their answer about one of their cases (satisfied or not, or reopened): written on the
    case only if it is still theirs and resolved, so a replayed event changes nothing."""
    answer = turn.case_answer
    if answer is None or turn.participant is None:
        return
    pid = writes.event.participant_id
    case = schema.case(schema.shard_of(pid), answer.reference)
    arguments: list[str | bytes | int] = [answer.kind, pid, writes.event.now_ms, answer.due_ms]
    if answer.kind == WHY and turn.data_key is not None:
        # Their words, sealed with their key like every free text (erasure makes them unreadable).
        arguments.append(encrypt_field(turn.data_key, answer.text, why_aad(pid, answer.reference)))
    writes.before.append(ScriptCall(ANSWER_CASE, [case], arguments))


BUILDERS: tuple[WriteBuilder, ...] = (
    save_session,
    record_answers,
    count,
    keep_participant,
    queue_replies,
    notify_inbox,
    erase,
    open_case,
    record_reaction,
    answer_case,
)


def erase_commands(
    schema: KeySchema, shard: int, participant_id: str, turn: Turn
) -> list[BatchStep]:
    """Everything of one participant, gone: the record with its data key (which makes every
    sealed copy elsewhere unreadable), sessions and answers in every campaign they joined, their
    place in respondent lists and their web chat inbox, what they were told of decisions, their
    notice budget and the themes on their answers (`KeySchema.keys_of`), and their free-text
    answers' places in the triage queues, with their flags and alerts. `started` and
    `completed` stay: they hold no one's data; the worker puts a script first that takes each
    session out of the result counters as it deletes it, in place of its DEL here. Keys that
    expire on their own are left to expire (`KEPT_ON_ERASURE`): the sender's claims, and their
    event markers, which hold hashes of message ids only and must stay so that a platform
    redelivering an old message after the erasure still finds it seen. Their grievance cases
    stay for the desk's figures but stop naming them first (forget_cases.lua): someone writing
    later from the same number has the same pseudonym and must not find them."""
    record = turn.participant
    campaigns = set(record.joined if record is not None else ())
    if record is not None and record.campaign_id:
        campaigns.add(record.campaign_id)
    if turn.campaign_before:  # "delete" from a join of another campaign in the same event
        campaigns.add(turn.campaign_before)
    # Their triage items first; the script deletes the keys it finds them in (their answers,
    # what they were told), which the DELs below then leave to it. Then their cases stop naming
    # them; that script deletes their case index itself, in place of its DEL here: a batch runs
    # again whole after NOSCRIPT, and a DEL run first would leave the script nothing to find.
    triage = forget_triage(schema, participant_id, campaigns)
    index = schema.participant_cases(participant_id)
    own_tag = schema.tag(schema.shard_of(participant_id))
    forget = ScriptCall(FORGET_CASES, [index], [own_tag, participant_id])
    commands: list[BatchStep] = [triage, forget]
    scripted = {*triage.keys, index}
    commands += [
        ("DEL", key) for key in schema.keys_of(participant_id, campaigns) if key not in scripted
    ]
    return commands + [
        ("SREM", members(shard, campaign), participant_id)
        for campaign in sorted(campaigns)
        for members in (schema.respondents, schema.joiners)
    ]


def _answer_fields(turn: Turn, campaign: str, event: AnswerRecorded) -> dict[str, bytes]:
    """The answer's fields in the answers hash (bot.conversation.stored_answers)."""
    outcome, question_id = event.outcome.value, event.question_id
    if event.outcome is not AnswerOutcome.ANSWERED:
        return encode_answer(question_id, outcome, event.at)
    if isinstance(event.value, str) and _is_free_text(turn, question_id):
        assert turn.data_key is not None
        assert turn.participant is not None
        aad = field_aad(turn.participant.participant_id, f"answer:{campaign}:{question_id}")
        sealed = encrypt_field(turn.data_key, event.value, aad)
        return encode_answer(question_id, outcome, event.at, sealed=sealed)
    return encode_answer(question_id, outcome, event.at, value=event.value)


def _is_free_text(turn: Turn, question_id: str) -> bool:
    return turn.session is not None and question_id in turn.session.texts


def _outgoing(turn: Turn) -> list[Outgoing]:
    """What the turn says, in order: notices, the engine's messages, re-rendered questions."""
    outgoing = [*turn.notices, *messages_for(turn.events)]
    outgoing += [Outgoing(p.text, prompt=p, edit=True) for p in turn.refreshed]
    if turn.shared_phone and turn.participant is not None:
        # Where only a template may go, a question asks for the one that names nothing.
        hint = TemplateHint(SHARED_CONTINUE, None, turn.participant.language)
        outgoing = [
            replace(m, template=hint) if _asks(m) and m.template is None else m for m in outgoing
        ]
    return outgoing


def _asks(message: Outgoing) -> bool:
    return message.prompt is not None or bool(message.menu)
