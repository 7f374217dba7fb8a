"""Leaving the panel: "leave panel" (or /leave) in any built-in language.

An organisation's panel is the people who agreed to be contacted again (bot.panels), so
leaving it is a no to that consent, recorded like any other (with the text's version and the
time): nobody invites them to a new survey any more, in any organisation. Nothing else
changes: their answers, their other consents and any survey they are in stay as they were.
"Ask me again later" under "my data" joins again.
"""

from __future__ import annotations

from bot.conversation.consent import record
from bot.conversation.consents import Consent
from bot.conversation.exchange import Exchange
from bot.conversation.menus import offer_campaigns

LEAVE = "leave"


def leave_panel(exchange: Exchange, argument: str) -> None:
    """The `leave` command (its argument is ignored)."""
    del argument
    if exchange.turn.participant is None:  # nobody Sauti knows: there is no panel to leave
        offer_campaigns(exchange)
        return
    record(exchange, Consent.CONTACT, False)
    exchange.say("panel.left", mydata=exchange.quote("mydata"))
