"""One inbound event and Sauti's answer to it: what every part of the conversation shares.

An `Exchange` holds the turn being built, the event, what the worker loaded for it and the
instant it is handled, and knows how to speak to the participant: in their language, quoting
commands the way their channel writes them.
"""

from __future__ import annotations

import datetime as dt

from bot.conversation.campaign import Campaign
from bot.conversation.chat_commands import keyword
from bot.conversation.inbound import Answer, Channel, InboundEvent
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import ParticipantRecord
from bot.conversation.turns import Context, Turn, new_participant
from bot.privacy import ParticipantCrypto
from dialogues.inbound import TextReply
from dialogues.localization import FALLBACK_LANGUAGE, builtin_catalog
from dialogues.normalize import fold
from dialogues.overrides import campaign_catalog


class Exchange:
    def __init__(
        self,
        turn: Turn,
        event: InboundEvent,
        context: Context,
        crypto: ParticipantCrypto,
        now: dt.datetime,
    ) -> None:
        self.turn = turn
        self.event = event
        self.context = context
        self.crypto = crypto
        self.now = now
        # Sauti's texts as this campaign words them (its survey's `system_texts`).
        campaign = context.campaign
        self.catalog = campaign_catalog(campaign.survey) if campaign else builtin_catalog()
        if turn.participant is None:
            turn.reply_address = event.address  # answers to someone without a record

    @property
    def language(self) -> str:
        if self.turn.participant is not None:
            return self.turn.participant.language
        return self.hinted_language()

    def hinted_language(self) -> str:
        """The platform's language hint when Sauti speaks it (or the campaign does)."""
        hint = (self.event.locale or "").split("-", 1)[0].casefold()
        campaign = self.context.campaign
        spoken = campaign.survey.languages if campaign is not None else ()
        if hint and (hint in spoken or hint in self.catalog.language_names):
            return hint
        if campaign is not None:
            return campaign.survey.default_language
        return FALLBACK_LANGUAGE

    def participant(self) -> ParticipantRecord:
        """The participant, created on first contact."""
        existing = self.turn.participant
        if existing is not None:
            return existing
        self.turn.reply_address = None
        return new_participant(self.turn, self.event, self.hinted_language(), self.crypto)

    def say(self, key: str, menu: tuple[MenuItem, ...] = (), /, **params: object) -> None:
        self.turn.notice(self.catalog.message(key, self.language, **params), menu)

    def label(self, key: str) -> str:
        return self.catalog.message(key, self.language)

    def quote(self, command: str) -> str:
        """How to write a command on this channel: "/mydata" on Telegram, a keyword elsewhere."""
        if self.event.channel is Channel.TELEGRAM:
            return f"/{command}"
        return keyword(command, self.language)


def spoken(campaign: Campaign, language: str) -> str:
    """`language` if the campaign's survey speaks it, else the survey's default."""
    survey = campaign.survey
    return language if language in survey.languages else survey.default_language


def yes_or_no(action: Answer, language: str) -> bool | None:
    """A typed yes/no (any built-in language, or menu number 1/2) outside the survey."""
    if not isinstance(action.input, TextReply):
        return None
    return read_yes_or_no(action.input.text, language)


def read_yes_or_no(text: str, language: str) -> bool | None:
    """Yes (True), no (False) or neither (None) in `text`: a word of any built-in language
    (English always, which is also what yes/no buttons carry), or menu number 1/2."""
    typed = fold(text)
    if typed == "1":
        return True
    if typed == "2":
        return False
    intent = builtin_catalog().intent_of(typed, (language,))
    return {"yes": True, "no": False}.get(intent or "")
