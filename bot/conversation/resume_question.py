""""Start again?": asked when someone who said /stop writes something that would start
messages again. Its own module, as stopping and the consent questions both ask it."""

from __future__ import annotations

from bot.conversation.exchange import Exchange
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import Stage


def ask_resume(exchange: Exchange) -> None:
    """Whether messages may start again. What they wrote is not kept for later (it may not be
    theirs, on a shared phone): after a yes they carry on where they were."""
    participant = exchange.participant()
    exchange.turn.update(participant, stage=Stage.RESUME, topic="")
    menu = (
        MenuItem(exchange.label("button.resume_yes"), "resume", "yes"),
        MenuItem(exchange.label("button.resume_no"), "resume", "no"),
    )
    exchange.say("stop.ask_resume", menu)
