"""Shared-phone mode, chosen by a participant (`shared`, or the help menu): decision notices
then quote neither a question nor their answers (bot.conversation.decisions.texts). A campaign
may also ask it for everyone (the survey file's `shared_phones`)."""

from __future__ import annotations

from bot.conversation.exchange import Exchange, read_yes_or_no
from bot.conversation.outgoing import MenuItem

_ON = frozenset({"on"})
_OFF = frozenset({"off"})


def shared(exchange: Exchange, argument: str) -> None:
    """`shared on` / `shared off` (or yes / no) sets it, and the answer says how it is now and
    how to change it back. Without a word (the menu's "Shared phone"), or with one it does not
    know, it asks, with on/off buttons: a guess could turn it off for someone who needs it."""
    participant = exchange.participant()
    wanted = _wanted(argument, exchange.language)
    if wanted is None:
        buttons = (
            MenuItem(exchange.label("shared.button_on"), "shared", "on"),
            MenuItem(exchange.label("shared.button_off"), "shared", "off"),
        )
        exchange.say("shared.ask", buttons)
        return
    exchange.turn.update(participant, shared_phone=wanted)
    key = "shared.on" if wanted else "shared.off"
    exchange.say(key, shared=exchange.quote("shared"))


def _wanted(argument: str, language: str) -> bool | None:
    word = argument.strip().casefold()
    if word in _ON:
        return True
    if word in _OFF:
        return False
    return read_yes_or_no(word, language) if word else None
