"""The separate things a participant agrees to, each recorded with the version of the text they
agreed to and when.

- take part (per campaign): the data notice, agreed with "Yes, I agree"; required to answer.
- outcomes (per campaign): to be told what comes of their answers (the decision notices).
- quote (per campaign): their own words may be quoted in reports, without anything that
  identifies them.
- contact (the whole deployment): to be asked again, for future surveys.

A text's version is computed from the text itself (every language of it), so a changed word
can never be relied on without asking again. Taking part's version is that of the data notice
as a participant of that campaign reads it (`bot.conversation.data_notice`): the organisation,
title, retention days and every line said with it; a campaign's own notice's version starts
with "c". What people agreed to before consents were versioned reads as version "0"
(`LEGACY`): see `honoured` for what it still allows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from bot.conversation.campaign import Campaign
from bot.conversation.data_notice import notice_as_read
from dialogues.localization import builtin_catalog

LEGACY = "0"  # agreed before consents carried a version
# The outcomes question's version when consents got versions: a yes from before ("0") was a
# yes to these words, so it is honoured only while they are still the words asked.
OUTCOMES_BEFORE_VERSIONS = "1e6527cb"


class Consent(StrEnum):
    TAKE_PART = "take"
    OUTCOMES = "out"
    QUOTE = "quote"
    CONTACT = "contact"

    @property
    def per_campaign(self) -> bool:
        """Contact-again is about the person, not one survey: one answer for the deployment."""
        return self is not Consent.CONTACT


# The participant-facing texts whose words each consent is given to (taking part outside a
# campaign: the built-in notice's words; in one, the notice as read: `current_version`).
_TEXTS: Mapping[Consent, tuple[str, ...]] = {
    Consent.TAKE_PART: ("join.consent", "join.rights", "consent.take_part"),
    Consent.OUTCOMES: ("join.updates_question",),
    Consent.QUOTE: ("consent.quote",),
    Consent.CONTACT: ("consent.contact",),
}


@dataclass(frozen=True, slots=True)
class Given:
    """One answer to one consent question: yes or no, to which version, when (epoch seconds;
    0 for answers given before consents were recorded with a time)."""

    agreed: bool
    version: str
    at: int

    def encode(self) -> str:
        """ "<1|0>|<version>|<epoch s>": the first character is what the loop's scripts read."""
        return f"{'1' if self.agreed else '0'}|{self.version}|{self.at}"

    @classmethod
    def decode(cls, raw: bytes) -> Given | None:
        """A stored answer; a bare "1" / "0" is one given before versioning (version 0)."""
        agreed, _, rest = raw.decode().partition("|")
        if agreed not in ("0", "1"):
            return None  # unreadable: as if never asked, so it is asked again
        if not rest:
            return cls(agreed == "1", LEGACY, 0)
        version, _, at = rest.partition("|")
        if not version or not at.isdigit():
            return None
        return cls(agreed == "1", version, int(at))


def consent_key(kind: Consent, campaign_id: str | None) -> str:
    """Where a consent sits among a participant's consents: "<kind>:<campaign>", or the kind
    alone for the deployment-wide one."""
    if kind.per_campaign:
        if campaign_id is None:
            raise ValueError(f"{kind} is given per campaign")
        return f"{kind.value}:{campaign_id}"
    return kind.value


def current_version(kind: Consent, campaign: Campaign | None) -> str:
    """The version of the text asked now; taking part: the campaign's data notice as read, in
    every language of its survey."""
    if kind is Consent.TAKE_PART and campaign is not None:
        languages = campaign.survey.languages
        read = {language: notice_as_read(campaign, language) for language in languages}
        return ("c" if campaign.survey.data_notice else "") + _fingerprint(read)
    return _builtin_version(kind)


@cache
def _builtin_version(kind: Consent) -> str:
    """The version of a built-in consent text: its English source and the languages the
    catalogue itself holds. A language added in a file of its own does not count: adding a
    translation changes nothing anyone agreed to, and counting it would mark every consent
    given before as outdated (and ask everyone about outcomes again)."""
    catalog = builtin_catalog()
    versioned = [code for code in catalog.language_names if code not in catalog.added_languages]
    texts = {
        key: {language: catalog.message(key, language) for language in versioned}
        for key in _TEXTS[kind]
    }
    return _fingerprint(texts)


def _fingerprint(texts: object) -> str:
    encoded = json.dumps(texts, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:8]


def is_current(given: Given | None, kind: Consent, campaign: Campaign | None) -> bool:
    """Answered (yes or no) to the text asked now."""
    return given is not None and given.version == current_version(kind, campaign)


def honoured(given: Given | None, kind: Consent, campaign: Campaign | None) -> bool:
    """Whether Sauti may act on this consent now: a yes to the current text. A yes to the
    outcomes question from before versioning still counts while that question's words are
    the ones it was given to, until the person answers the current one."""
    if given is None or not given.agreed:
        return False
    if kind is Consent.OUTCOMES:
        return given.version in outcome_versions_honoured()
    return is_current(given, kind, campaign)


def outcome_versions_honoured() -> tuple[str, ...]:
    """The outcomes versions a decision notice may go out under (for the loop's scripts)."""
    return outcome_versions_under(_builtin_version(Consent.OUTCOMES))


def outcome_versions_under(current: str) -> tuple[str, ...]:
    """The outcomes versions honoured while `current` is the question's version: "0" only
    while the words are those asked before versions."""
    return (current, LEGACY) if current == OUTCOMES_BEFORE_VERSIONS else (current,)


def may_quote(consents: Mapping[str, Given], campaign: Campaign) -> bool:
    """For whoever quotes free text in a report: only with a current yes for that campaign."""
    key = consent_key(Consent.QUOTE, campaign.id)
    return honoured(consents.get(key), Consent.QUOTE, campaign)


def may_contact_again(consents: Mapping[str, Given]) -> bool:
    """For whoever invites people to a future survey (panels): only with a current yes."""
    return honoured(consents.get(Consent.CONTACT.value), Consent.CONTACT, None)
