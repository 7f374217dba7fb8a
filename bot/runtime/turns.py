"""One inbound event, applied: the engine's step plus what it means for the participant record.

No Redis here: the worker loads the state, calls `take_turn`, and commits the `Turn` atomically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from bot.privacy import ParticipantId
from bot.runtime.campaigns import Campaign
from bot.runtime.events import Answer, InboundEvent, Join
from bot.runtime.participants import ParticipantKeys, ParticipantRecord
from dialogues import Session, advance, start
from dialogues.events import Event, Prompt, SelectionChanged, SurveyStarted
from dialogues.inbound import Resume
from dialogues.localization import builtin_catalog
from dialogues.prompts import build_prompt


@dataclass
class Turn:
    """Everything an event changes; the commit writes exactly this."""

    participant: ParticipantRecord | None
    data_key: bytes | None
    participant_changed: bool = False
    participant_created: bool = False
    campaign_id: str | None = None
    session: Session | None = None  # the campaign session after the event
    events: tuple[Event, ...] = ()
    notices: list[str] = field(default_factory=list)  # texts outside the survey
    refreshed: list[Prompt] = field(default_factory=list)  # questions whose ticks changed
    inbound_ms: int | None = None  # when the participant wrote (None: not their own doing)


def take_turn(
    event: InboundEvent,
    *,
    participant: ParticipantRecord | None,
    session: Session | None,
    campaign: Campaign | None,
    keys: ParticipantKeys,
    now: dt.datetime,
) -> Turn:
    """Apply one event. `session` is the participant's session in `campaign` (the campaign the
    event is about: the one joined, or the participant's current one)."""
    data_key = keys.data_key(participant) if participant is not None else None
    turn = Turn(participant, data_key, inbound_ms=event.received_at_ms)
    action = event.action
    if isinstance(action, Join):
        return _join(
            turn, event, action=action, session=session, campaign=campaign, keys=keys, now=now
        )
    if participant is None or campaign is None or session is None:
        return turn  # an answer from someone in no campaign: nothing to record
    turn.campaign_id = campaign.id
    if not campaign.is_open:
        turn.notices.append(_closed(participant.language))
        return turn
    assert isinstance(action, Answer)
    step = advance(campaign.survey, session, action.input, now)
    turn.session, turn.events = step.session, step.events
    turn.refreshed = _refreshed_prompts(campaign, step.session, step.events)
    if step.session.language != participant.language:
        turn.participant = replace(participant, language=step.session.language)
        turn.participant_changed = True
    return turn


def _join(
    turn: Turn,
    event: InboundEvent,
    *,
    action: Join,
    session: Session | None,
    campaign: Campaign | None,
    keys: ParticipantKeys,
    now: dt.datetime,
) -> Turn:
    participant = turn.participant
    if participant is None:
        participant, turn.data_key = keys.new_participant(
            ParticipantId(event.participant_id),
            event.channel.value,
            event.address,
            action.language,
            event.received_at_ms,
        )
        turn.participant, turn.participant_changed = participant, True
        turn.participant_created = True
    if campaign is None or not campaign.is_open:
        turn.notices.append(_closed(action.language))
        return turn
    turn.campaign_id = campaign.id
    if session is None:
        step = start(campaign.survey, action.language, now)
    else:  # back to a campaign already started: carry on where they were
        step = advance(campaign.survey, session, Resume(), now)
    turn.session, turn.events = step.session, step.events
    language = step.session.language
    if participant.campaign_id != campaign.id or participant.language != language:
        turn.participant = replace(participant, campaign_id=campaign.id, language=language)
        turn.participant_changed = True
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
                prompts.append(build_prompt(campaign.survey, question, session, builtin_catalog()))
    return prompts


def started(turn: Turn) -> bool:
    return any(isinstance(event, SurveyStarted) for event in turn.events)


def _closed(language: str) -> str:
    return builtin_catalog().message("notice.campaign_closed", language)
