"""What one inbound event changes (`Turn`), and the survey side of applying it.

No Redis here: the worker loads the state, `bot.conversation.take_turn` applies the
event, and the commit writes the `Turn` atomically.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bot.conversation.campaign import Campaign
from bot.conversation.case_view import CaseAnswer, CaseSummary
from bot.conversation.decisions.reaction import Reaction
from bot.conversation.decisions.view import LoopView
from bot.conversation.inbound import Answer, InboundEvent
from bot.conversation.outgoing import MenuItem, Outgoing
from bot.conversation.participants import ParticipantRecord, Stage, new_record
from bot.conversation.understood import SafetyFlag
from bot.privacy import ParticipantCrypto, ParticipantId
from bot.settings.loop import DEFAULT_REOPEN_DAYS, DEFAULT_RESPONSE_DAYS
from dialogues import Session, advance, start
from dialogues.events import (
    AnswerOutcome,
    AnswerRecorded,
    Event,
    Prompt,
    SelectionChanged,
    SurveyStarted,
)
from dialogues.inbound import Resume
from dialogues.localization import builtin_catalog
from dialogues.overrides import campaign_catalog
from dialogues.prompts import build_prompt

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class Feedback:
    """Something a participant said outside the survey, for the company to answer."""

    reference: str
    campaign_id: str | None
    text: str
    due_ms: int  # the answer promised by then (kept with the case)
    org: str = ""  # the campaign's organisation: whose desk lists the case


@dataclass
class Turn:
    """Everything an event changes; the commit writes exactly this."""

    participant: ParticipantRecord | None
    data_key: bytes | None
    # The campaign the record named before the event: left for another, it must stop listing
    # them among its joiners (bot.runtime.commit.keep_participant).
    campaign_before: str | None = None
    participant_changed: bool = False
    participant_created: bool = False
    # They asked to go on after a quick exit (start, a join): only this clears a stored `hid`.
    came_back: bool = False
    campaign_id: str | None = None
    session: Session | None = None  # the campaign session after the event
    events: tuple[Event, ...] = ()
    notices: list[Outgoing] = field(default_factory=list)  # messages outside the survey
    refreshed: list[Prompt] = field(default_factory=list)  # questions whose ticks changed
    inbound_ms: int | None = None  # when the participant wrote (None: not their own doing)
    erase: bool = False  # erase everything of this participant (they confirmed /delete)
    reply_address: str | None = None  # where to send when the record is gone (after erasure)
    feedback: Feedback | None = None
    # A message flagged for someone's safety: its case is urgent (`safety`) and raises an alert
    # (with `feedback` from the same message, one case: the same reference).
    flagged: Feedback | None = None
    reaction: Reaction | None = None  # to a decision notice (bot.loop)
    case_answer: CaseAnswer | None = None  # about one of their cases (satisfied, reopen)
    # Shared-phone mode (their choice, or the campaign's): a question sent where only an
    # approved template may go (WhatsApp's closed window) uses the one that names nothing.
    shared_phone: bool = False

    def notice(self, text: str, menu: tuple[MenuItem, ...] = ()) -> None:
        self.notices.append(Outgoing(text, menu=menu))

    def update(self, participant: ParticipantRecord, /, **changes: object) -> ParticipantRecord:
        """The participant record with `changes`, remembered for the commit."""
        self.participant = replace(participant, **changes)  # type: ignore[arg-type]
        self.participant_changed = True
        return self.participant


@dataclass(frozen=True)
class Context:
    """What the worker loaded for one event besides the participant and the session."""

    campaign: Campaign | None  # the campaign the event is about (joined, or the current one)
    session: Session | None  # the participant's session in `campaign`
    open_campaigns: tuple[Campaign, ...] = ()
    # Only for "my data": each joined campaign with its session and stored answers.
    history: Mapping[str, tuple[Campaign | None, Session | None, Mapping[bytes, bytes]]] = field(
        default_factory=dict
    )
    # Decisions, only for reactions to a notice, a written concern and "my data".
    loop: LoopView | None = None
    # Days within which a case is promised an answer (SAUTI_GRIEVANCE_RESPONSE_DAYS).
    response_days: int = DEFAULT_RESPONSE_DAYS
    # Their own cases, newest first: only for "my cases", "my data", reopening one and
    # answering whether they are satisfied.
    cases: tuple[CaseSummary, ...] = ()
    # Days after a resolution within which they may reopen it (SAUTI_CASE_REOPEN_DAYS).
    reopen_days: int = DEFAULT_REOPEN_DAYS
    # What reading the typed message found about someone's safety (bot.conversation.understood).
    safety: SafetyFlag = SafetyFlag.NONE


def answer(turn: Turn, action: Answer, context: Context, now: dt.datetime) -> Turn:
    """A survey answer (or control word) for the engine; the caller checked that the
    participant has a session in `context.campaign`."""
    participant, campaign, session = turn.participant, context.campaign, context.session
    assert participant is not None
    assert campaign is not None
    assert session is not None
    turn.campaign_id = campaign.id
    if not campaign.is_open:
        turn.notice(closed(participant.language))
        return turn
    step = advance(campaign.survey, session, action.input, now)
    turn.session, turn.events = step.session, step.events
    turn.refreshed = _refreshed_prompts(campaign, step.session, step.events)
    if step.session.language != participant.language:
        participant = turn.update(participant, language=step.session.language)
    remember_profile(turn, participant, campaign, step.events)
    return turn


def new_participant(
    turn: Turn, event: InboundEvent, language: str, crypto: ParticipantCrypto
) -> ParticipantRecord:
    participant, turn.data_key = new_record(
        crypto,
        ParticipantId(event.participant_id),
        channel=event.channel.value,
        address=event.address,
        language=language,
        now_ms=event.received_at_ms,
    )
    turn.participant, turn.participant_changed = participant, True
    turn.participant_created = True
    return participant


def begin_survey(
    turn: Turn,
    participant: ParticipantRecord,
    campaign: Campaign,
    *,
    session: Session | None,
    language: str,
    now: dt.datetime,
) -> Turn:
    """Start the campaign's survey, or carry on where they were when they come back."""
    turn.campaign_id = campaign.id
    if session is None:
        step = start(campaign.survey, language, now, known=participant.known(campaign.org))
    else:
        step = advance(campaign.survey, session, Resume(), now)
    turn.session, turn.events = step.session, step.events
    joined = participant.joined
    if campaign.id not in joined:
        joined = (*joined, campaign.id)
    participant = turn.update(
        participant,
        campaign_id=campaign.id,
        language=step.session.language,
        language_chosen=True,
        stage=Stage.NONE,
        joined=joined,
    )
    remember_profile(turn, participant, campaign, step.events)
    return turn


def _refreshed_prompts(
    campaign: Campaign, session: Session, events: tuple[Event, ...]
) -> list[Prompt]:
    """A tick on a multiple-choice question re-renders it, so channels that edit messages can
    show the ✓ marks on the same message."""
    prompts = []
    for event in events:
        if isinstance(event, SelectionChanged):
            question = campaign.survey.question(event.question_id)
            if question is not None:
                catalog = campaign_catalog(campaign.survey)
                prompts.append(build_prompt(campaign.survey, question, session, catalog))
    return prompts


def started(turn: Turn) -> bool:
    return any(isinstance(event, SurveyStarted) for event in turn.events)


def closed(language: str) -> str:
    return builtin_catalog().message("notice.campaign_closed", language)


def remember_profile(
    turn: Turn, participant: ParticipantRecord, campaign: Campaign, events: tuple[Event, ...]
) -> None:
    """Answers to questions that feed a panel profile attribute become the participant's
    profile for the campaign's organisation (reused by its next surveys: dialogues.profiles).
    A skip or a decline changes nothing: what they told before still stands."""
    learned: dict[str, str] = {}
    for event in events:
        if not isinstance(event, AnswerRecorded) or event.outcome is not AnswerOutcome.ANSWERED:
            continue
        question = campaign.survey.question(event.question_id)
        if question is None or question.profile is None or event.value is None:
            continue
        value = list(event.value) if isinstance(event.value, tuple) else event.value
        learned[f"{campaign.org}:{question.profile}"] = json.dumps(value, separators=(",", ":"))
    if learned and any(participant.profile.get(k) != v for k, v in learned.items()):
        turn.update(participant, profile={**participant.profile, **learned})
