"""`take_turn`: one (normalised) event applied to a participant. Each command, and each reply
to a question asked outside the survey (the participant's stage), goes to the module that
owns it; anything else is an answer for the survey."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeGuard

from bot.conversation import (
    consent,
    erasure,
    feedback,
    joining,
    leaving_panel,
    menus,
    my_cases,
    my_data,
    quick_exit,
    resume_question,
    safety,
    shared_phone,
    stopping,
    their_time,
)
from bot.conversation.case_view import REOPEN
from bot.conversation.consents import Consent
from bot.conversation.exchange import Exchange
from bot.conversation.inbound import Answer, Command, InboundEvent, Join, Reachability, Unsupported
from bot.conversation.local_time import take_zone_hint
from bot.conversation.participants import ParticipantRecord, Stage
from bot.conversation.turns import Context, Turn, answer
from bot.conversation.understood import SafetyFlag
from bot.privacy import ParticipantCrypto
from dialogues.inbound import ChangeLanguage

_COMMANDS: dict[str, Callable[[Exchange, str], None]] = {
    "start": joining.start,
    "help": menus.show_help,
    "language": joining.choose_language,
    "stop": stopping.stop,
    "mydata": my_data.my_data,
    "delete": erasure.delete,
    "updates": consent.updates,
    "feedback": feedback.feedback,
    "react": feedback.react_to_decision,
    "time": their_time.ask_time,
    quick_exit.EXIT: quick_exit.quick_exit,
    "shared": shared_phone.shared,
    "consent": consent.consent,
    "resume": stopping.resume,
    my_cases.CASES: my_cases.my_cases,
    REOPEN: my_cases.reopen,
    my_cases.SATISFACTION: my_cases.satisfied,
    leaving_panel.LEAVE: leaving_panel.leave_panel,
}

# Whether a reply answered the question of the participant's stage; False (having changed
# nothing) hands it on to the survey: they went on without answering, as after a menu.
StageReply = Callable[[Exchange, Answer], bool]


def _takes_every_reply(reply: Callable[[Exchange, Answer], None]) -> StageReply:
    """A stage whose question takes whatever comes (anything unclear gets it asked again)."""

    def answered(exchange: Exchange, action: Answer) -> bool:
        reply(exchange, action)
        return True

    return answered


# What a reply means while the participant is at a stage (a question outside the survey).
_STAGE_REPLIES: dict[Stage, StageReply] = {
    Stage.LANGUAGE: joining.language_reply,
    Stage.CONSENT: _takes_every_reply(consent.consent_reply),
    Stage.UPDATES: _takes_every_reply(consent.updates_reply),
    Stage.DELETE: erasure.delete_reply,
    Stage.FEEDBACK: _takes_every_reply(feedback.feedback_reply),
    Stage.CONCERN: _takes_every_reply(feedback.concern_reply),
    Stage.TIME: their_time.time_reply,
    Stage.RESUME: _takes_every_reply(stopping.resume_reply),
    Stage.SATISFACTION: my_cases.satisfaction_reply,
    Stage.WHY: _takes_every_reply(my_cases.why_reply),
}


def take_turn(
    event: InboundEvent,
    *,
    participant: ParticipantRecord | None,
    context: Context,
    crypto: ParticipantCrypto,
    now: dt.datetime,
) -> Turn:
    """Apply one (normalised) event to a participant (None: never seen, or erased)."""
    data_key = None
    if participant is not None:
        data_key = crypto.unwrap_data_key(participant.wrapped_key)
    before = participant.campaign_id if participant is not None else None
    turn = Turn(participant, data_key, before, inbound_ms=event.received_at_ms)
    if participant is not None and participant.unreachable and _their_doing(event):
        turn.update(participant, unreachable=False)  # they wrote to us: reachable again
    exchange = Exchange(turn, event, context, crypto, now)
    if quick_exit.comes_back(exchange):  # after a quick exit: a neutral greeting, nothing more
        return turn
    if context.safety is not SafetyFlag.NONE and isinstance(event.action, Answer):
        # Before anything else, even "start again?" after a stop: a person must see it.
        safety.flag(exchange, event.action)
        if context.safety is SafetyFlag.ALONE:  # not an answer to anything: nothing more
            take_zone_hint(turn, event.zone_hint)
            turn.shared_phone = _shared_phone(turn.participant, context)
            return turn
    if _stopped(participant, event):
        # Nothing starts again without their yes; a join code waits for it.
        code = event.action.argument if _is_start(event.action) else None
        resume_question.ask_resume(exchange, code or None)
        take_zone_hint(turn, event.zone_hint)
        turn.shared_phone = _shared_phone(turn.participant, context)
        return turn
    match event.action:
        case Join() as request:
            joining.join(exchange, request)
        case Reachability(reachable):
            turn.inbound_ms = None  # a platform notice, not the participant writing
            if participant is not None and participant.unreachable == reachable:
                turn.update(participant, unreachable=not reachable)
        case Unsupported():
            exchange.say("notice.unsupported")
        case Command(name, argument):
            _COMMANDS.get(name, menus.show_help)(exchange, argument)
        case Answer() as action:
            _reply(exchange, action)
    take_zone_hint(turn, event.zone_hint)
    turn.shared_phone = _shared_phone(turn.participant, context)
    if turn.participant is not None and turn.participant.hidden:
        quick_exit.lets_out(turn)  # `delete` or `stop` while hidden: their answers go out
    return turn


def _shared_phone(participant: ParticipantRecord | None, context: Context) -> bool:
    campaign = context.campaign
    chosen = participant is not None and participant.shared_phone
    return chosen or (campaign is not None and campaign.survey.shared_phones)


def _reply(exchange: Exchange, action: Answer) -> None:
    """Something typed or pressed that is not a command (nor a menu pick: `normalise`)."""
    participant = exchange.turn.participant
    if participant is None:
        menus.offer_campaigns(exchange)
        return
    if isinstance(action.input, ChangeLanguage) and participant.stage is not Stage.LANGUAGE:
        # The web chat page's own row of languages: always a change of language, whatever
        # question of a stage waits (a yes/no would otherwise take it for an unclear answer).
        joining.choose_language(exchange, action.input.language)
        return
    stage_reply = _STAGE_REPLIES.get(participant.stage)
    if stage_reply is not None and stage_reply(exchange, action):
        return
    if participant.opted_out and participant.stage is Stage.SATISFACTION:
        # Stopped, and not their answer to the resolution: nothing starts without their yes.
        resume_question.ask_resume(exchange, None)
        return
    if participant.stage is not Stage.NONE:  # a menu was shown and not picked from
        exchange.turn.update(participant, stage=Stage.NONE)
    if exchange.context.campaign is None or exchange.context.session is None:
        menus.offer_campaigns(exchange)
        return
    if consent.asks_first(exchange):  # a consent missing or given to an older text
        return
    answer(exchange.turn, action, exchange.context, exchange.now)


# Questions a stopped participant may be asked (by a command kept while stopped, or a
# resolution in their web chat inbox): a reply answers them rather than asking "start
# again?". A consent question only if optional: a yes to taking part would start the survey.
_ASKED_WHILE_STOPPED = frozenset(
    {Stage.RESUME, Stage.DELETE, Stage.UPDATES, Stage.CONSENT, Stage.SATISFACTION, Stage.WHY}
)
_OPTIONAL = frozenset(kind.value for kind in Consent if kind is not Consent.TAKE_PART)


def _stopped(participant: ParticipantRecord | None, event: InboundEvent) -> bool:
    """They said /stop and now write something that would start messages again."""
    if participant is None or not participant.opted_out:
        return False
    match event.action:
        case Command(name, _):
            return name not in stopping.KEPT_WHILE_STOPPED
        case Answer():  # unless it answers a question they asked for while stopped
            taking_part = participant.stage is Stage.CONSENT and participant.topic not in _OPTIONAL
            return taking_part or participant.stage not in _ASKED_WHILE_STOPPED
        case Join():
            return True
    return False


def _is_start(action: object) -> TypeGuard[Command]:
    return isinstance(action, Command) and action.name == "start"


def _their_doing(event: InboundEvent) -> bool:
    return not isinstance(event.action, Reachability)
