"""The `time` command: their local time of day, which sets their time zone for quiet hours
(`bot.runtime.local_time` reads it)."""

from __future__ import annotations

from bot.runtime.conversation.exchange import Exchange
from bot.runtime.events import Answer
from bot.runtime.local_time import zone_from_clock
from bot.runtime.participants import Stage
from dialogues.inbound import TextReply


def ask_time(exchange: Exchange, argument: str) -> None:
    """Their local time, for quiet hours: asked, or given at once ("/time 14:30")."""
    if argument.strip():
        _time_told(exchange, argument)
        return
    exchange.turn.update(exchange.participant(), stage=Stage.TIME)
    exchange.say("time.ask")


def time_reply(exchange: Exchange, action: Answer) -> bool:
    """What they typed after "what time is it?". A button of the survey pressed instead means
    they went on without answering: not taken (False), the survey has it."""
    if not isinstance(action.input, TextReply):
        return False
    _time_told(exchange, action.input.text)
    return True


def _time_told(exchange: Exchange, text: str) -> None:
    participant = exchange.participant()
    told = zone_from_clock(text, at_ms=exchange.event.received_at_ms, catalog=exchange.catalog)
    if told is None:
        exchange.turn.update(participant, stage=Stage.TIME)  # asked again until it reads
        exchange.say("time.unclear", start=exchange.quote("start"))
        return
    exchange.turn.update(participant, time_zone=told.zone, time_zone_chosen=True, stage=Stage.NONE)
    exchange.say("time.set", time=told.time, zone=told.zone)
