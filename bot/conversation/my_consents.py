"""The consents part of "my data": each consent with its answer, when and to which version of
the text, and a button (or its number typed) to change each one that can be changed there.

Taking part is not among the buttons: saying no to it is what `stop` and `delete` are for.
"""

from __future__ import annotations

import datetime as dt

from bot.conversation.campaign import Campaign
from bot.conversation.consents import LEGACY, Consent, Given, honoured, is_current
from bot.conversation.exchange import Exchange
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import ParticipantRecord

# The buttons under "my data", in order: a number typed after it means the same for everyone.
CHANGEABLE = (Consent.OUTCOMES, Consent.QUOTE, Consent.CONTACT)
_BUTTONS = {
    Consent.OUTCOMES: ("button.outcomes_on", "button.outcomes_off"),
    Consent.QUOTE: ("button.quote_on", "button.quote_off"),
    Consent.CONTACT: ("button.contact_on", "button.contact_off"),
}


def consent_lines(
    exchange: Exchange, participant: ParticipantRecord, campaign: Campaign | None
) -> str:
    lines = [exchange.label("mydata.consents")]
    for kind in Consent:
        if kind.per_campaign and campaign is None:
            continue
        given = participant.consent(kind, campaign.id if campaign is not None else None)
        line = _line(exchange, kind, given)
        if given is not None and not is_current(given, kind, campaign):
            line += " " + exchange.label(_OUTDATED[kind])
        lines.append(line)
    return "\n".join(lines)


# Said after an answer given to an older text: taking part and outcomes are asked again at
# their next message; quoting and contacting are not relied on (the button asks again).
_OUTDATED = {
    Consent.TAKE_PART: "mydata.consent_outdated_asked",
    Consent.OUTCOMES: "mydata.consent_outdated_asked",
    Consent.QUOTE: "mydata.consent_outdated",
    Consent.CONTACT: "mydata.consent_outdated",
}


def _line(exchange: Exchange, kind: Consent, given: Given | None) -> str:
    name = exchange.label(f"consent.name.{kind.value}")
    language = exchange.language
    if given is None:
        return exchange.catalog.message("mydata.consent_unasked", language, consent=name)
    if given.version == LEGACY:
        when = exchange.label("mydata.before_versioning")
    else:
        when = dt.datetime.fromtimestamp(given.at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    answer = exchange.label("mydata.consent_given" if given.agreed else "mydata.consent_refused")
    return exchange.catalog.message(
        "mydata.consent_line",
        language,
        consent=name,
        answer=answer,
        when=when,
        version=given.version,
    )


def consent_menu(
    exchange: Exchange, participant: ParticipantRecord, campaign: Campaign | None
) -> tuple[MenuItem, ...]:
    """One button per changeable consent, saying what pressing it does; none outside a
    campaign (two of the three are given per campaign, and numbers must keep their meaning)."""
    if campaign is None:
        return ()
    items = []
    for kind in CHANGEABLE:
        given = participant.consent(kind, campaign.id if kind.per_campaign else None)
        now_on = honoured(given, kind, campaign)
        turn_on, turn_off = _BUTTONS[kind]
        label = exchange.label(turn_off if now_on else turn_on)
        items.append(MenuItem(label, "consent", f"{kind.value}:{'no' if now_on else 'yes'}"))
    return tuple(items)
