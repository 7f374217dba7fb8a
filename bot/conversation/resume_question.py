""" "Start again?": asked when someone who said /stop writes something that would start
messages again. Its own module, as stopping and the consent questions both ask it."""

from __future__ import annotations

from bot.conversation.exchange import Exchange
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import Stage


def ask_resume(exchange: Exchange, joining: str | None = None) -> None:
    """Whether messages may start again. What they wrote is not kept for later (it may not be
    theirs, on a shared phone): after a yes they carry on where they were, except a join code
    (`joining`: its campaign), which is kept until the question is answered, and joined then."""
    participant = exchange.participant()
    if joining is None:  # asked again: a join code waiting stays
        joining = participant.topic if participant.stage is Stage.RESUME else ""
    exchange.turn.update(participant, stage=Stage.RESUME, topic=joining)
    menu = (
        MenuItem(exchange.label("button.resume_yes"), "resume", "yes"),
        MenuItem(exchange.label("button.resume_no"), "resume", "no"),
    )
    exchange.say("stop.ask_resume", menu)
