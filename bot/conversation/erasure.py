"""Deleting everything Sauti holds about a participant: asked first, then one confirmed erasure
(the commit runs it: `bot.runtime.commit.erase_commands`), with a goodbye that still finds
them although their record, and the address in it, is gone."""

from __future__ import annotations

from bot.conversation.exchange import Exchange, yes_or_no
from bot.conversation.inbound import Answer
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import ParticipantRecord, Stage, stored_address
from bot.privacy import DecryptionError


def delete(exchange: Exchange, argument: str) -> None:
    turn = exchange.turn
    participant = turn.participant
    if argument == "confirm":
        turn.erase = participant is not None
        if participant is not None:
            turn.reply_address = exchange.event.address or _stored_address(exchange, participant)
        exchange.say("delete.done")
        return
    if participant is None:
        exchange.say("delete.done")  # nothing is held about them
        return
    if argument == "cancel":
        turn.update(participant, stage=Stage.NONE)
        exchange.say("delete.cancelled")
        return
    turn.update(participant, stage=Stage.DELETE)
    menu = (
        MenuItem(exchange.label("button.delete_yes"), "delete", "confirm"),
        MenuItem(exchange.label("button.delete_no"), "delete", "cancel"),
    )
    exchange.say("delete.confirm", menu)


def _stored_address(exchange: Exchange, participant: ParticipantRecord) -> str | None:
    if exchange.turn.data_key is None:
        return None
    try:
        return stored_address(participant, exchange.turn.data_key)
    except DecryptionError:
        return None


def delete_reply(exchange: Exchange, action: Answer) -> None:
    choice = yes_or_no(action, exchange.language)
    if choice is None:
        delete(exchange, "")
    else:
        delete(exchange, "confirm" if choice else "cancel")
