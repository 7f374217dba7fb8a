"""The `time` command: their local time of day, which sets their time zone for quiet hours
(`bot.conversation.local_time` reads it)."""

from __future__ import annotations

from bot.conversation.exchange import Exchange
from bot.conversation.inbound import Answer
from bot.conversation.local_time import ToldTime, zone_from_clock
from bot.conversation.participants import Stage
from dialogues import SessionStatus
from dialogues.inbound import TextReply

_ASKED_AGAIN = "again"  # the participant's `topic` at TIME once an answer could not be read


def ask_time(exchange: Exchange, argument: str) -> None:
    """Their local time, for quiet hours: asked, or given at once ("/time 14:30")."""
    if argument.strip():
        _time_told(exchange, argument)
        return
    exchange.turn.update(exchange.participant(), stage=Stage.TIME, topic="")
    exchange.say("time.ask")


def time_reply(exchange: Exchange, action: Answer) -> bool:
    """What they typed after "what time is it?". A button of the survey pressed instead means
    they went on without answering: not taken (False), the survey has it. So does a second
    answer that cannot be read while a survey question waits: asked once again, they would
    otherwise be stuck answering the time question with answers to the survey."""
    if not isinstance(action.input, TextReply):
        return False
    unread = _read(exchange, action.input.text) is None
    if unread and exchange.participant().topic == _ASKED_AGAIN and _question_waits(exchange):
        exchange.turn.update(exchange.participant(), stage=Stage.NONE, topic="")
        return False
    _time_told(exchange, action.input.text)
    return True


def _question_waits(exchange: Exchange) -> bool:
    session, campaign = exchange.context.session, exchange.context.campaign
    return (
        campaign is not None
        and campaign.is_open
        and session is not None
        and session.status is SessionStatus.ACTIVE
        and session.current is not None
    )


def _read(exchange: Exchange, text: str) -> ToldTime | None:
    return zone_from_clock(text, at_ms=exchange.event.received_at_ms, catalog=exchange.catalog)


def _time_told(exchange: Exchange, text: str) -> None:
    participant = exchange.participant()
    told = _read(exchange, text)
    if told is None:
        exchange.turn.update(participant, stage=Stage.TIME, topic=_ASKED_AGAIN)
        exchange.say("time.unclear", start=exchange.quote("start"))
        return
    exchange.turn.update(
        participant, time_zone=told.zone, time_zone_chosen=True, stage=Stage.NONE, topic=""
    )
    exchange.say("time.set", time=told.time, zone=told.zone)
