"""`stop`: no more messages from Sauti, until they say they want them again.

A later message does not turn messages back on by itself (someone else may be holding the
phone, or they may have written by mistake): they are asked first ("Start again?"), and until
they say yes nothing but the answers to what they send is sent to them and nothing starts: a
consent given meanwhile is recorded and asks "Start again?" in turn.
"""

from __future__ import annotations

from bot.conversation import joining
from bot.conversation.consent import asks_first
from bot.conversation.exchange import Exchange, read_yes_or_no, yes_or_no
from bot.conversation.inbound import Answer
from bot.conversation.participants import Stage
from bot.conversation.resume_question import ask_resume
from bot.conversation.turns import begin_survey
from dialogues import advance
from dialogues.inbound import Pause
from dialogues.session import SessionStatus

# What a stopped participant may still do without being asked: see and delete their data,
# change a consent or shared-phone mode, leave at once (quick exit), say stop again, and follow
# their own cases (list them, answer a resolution, reopen one): none starts messages again.
KEPT_WHILE_STOPPED = frozenset(
    {
        "stop",
        "mydata",
        "delete",
        "consent",
        "updates",
        "leave",
        "resume",
        "exit",
        "shared",
        "cases",
        "reopen",
        "satisfied",
    }
)


def stop(exchange: Exchange, _: str = "") -> None:
    """Pause the survey and opt out of every message until they say they want them again."""
    participant = exchange.participant()
    campaign, session = exchange.context.campaign, exchange.context.session
    if campaign is not None and session is not None and session.status is SessionStatus.ACTIVE:
        step = advance(campaign.survey, session, Pause(), exchange.now)
        exchange.turn.campaign_id, exchange.turn.session = campaign.id, step.session
    exchange.turn.update(participant, opted_out=True, stage=Stage.NONE)
    exchange.say("stop.done", start=exchange.quote("start"))


def resume(exchange: Exchange, argument: str) -> None:
    """The `resume` command: the answer to `ask_resume` ("yes" / "no"); "" asks it."""
    choice = read_yes_or_no(argument, exchange.language) if argument else None
    _resume(exchange, choice)


def resume_reply(exchange: Exchange, action: Answer) -> None:
    _resume(exchange, yes_or_no(action, exchange.language))


def _resume(exchange: Exchange, choice: bool | None) -> None:
    participant = exchange.participant()
    if choice is None:
        ask_resume(exchange)  # anything unclear: the same question again
    elif choice:
        code = participant.topic if participant.stage is Stage.RESUME else ""
        participant = exchange.turn.update(participant, opted_out=False, stage=Stage.NONE, topic="")
        exchange.say("stop.resumed")
        if code:  # the join code they sent while stopped
            joining.start(exchange, code)
            return
        campaign, session = exchange.context.campaign, exchange.context.session
        if campaign is None or not campaign.is_open or session is None:
            return
        if asks_first(exchange):  # a consent missing or given to an older text
            return
        if session.status is not SessionStatus.COMPLETED:  # where they were
            begin_survey(
                exchange.turn,
                participant,
                campaign,
                session=session,
                language=session.language,
                now=exchange.now,
            )
    else:
        exchange.turn.update(participant, stage=Stage.NONE, topic="")
        exchange.say("stop.still", start=exchange.quote("start"))
