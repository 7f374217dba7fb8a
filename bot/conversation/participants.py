"""A participant as stored: pseudonymous id, channel, wrapped data key, encrypted address.

The data key (unwrapped with the master key) encrypts everything personal of this participant:
their platform address, free-text answers and web chat messages. Deleting `wk` makes all of it
unreadable — the erasure feature relies on this.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.conversation.consents import LEGACY, Consent, Given, consent_key
from bot.privacy import ParticipantCrypto, ParticipantId, decrypt_field, encrypt_field, field_aad
from dialogues.expressions import AnswerValue


class Stage(StrEnum):
    """What a participant's next message answers, outside any survey question."""

    NONE = ""
    LANGUAGE = "lang"  # joining: choose a language
    CONSENT = "consent"  # asked a consent question (which one: `topic`), joining or asked again
    FEEDBACK = "feedback"  # asked what they want to tell the company
    DELETE = "delete"  # asked to confirm erasure
    HELP_MENU = "help"  # shown the help menu (`topic`: its page): a typed number picks an item
    CAMPAIGN_MENU = "campaigns"  # shown the open campaigns: a typed number picks one
    CONCERN = "concern"  # asked what still concerns them about a decision (`topic`)
    TIME = "time"  # asked what time it is where they are (their time zone, for quiet hours)
    UPDATES = "updates"  # asked again (not joining) whether they want news of the outcomes
    RESUME = "resume"  # wrote after /stop: asked whether messages may start again (`topic`:
    # the campaign of a join code they sent, joined after their yes)
    MYDATA_MENU = "mydata"  # shown "my data" (no survey question waiting): a typed number
    # changes a consent
    SATISFACTION = "satisfied"  # a resolution of their case (`topic`) asked "are you
    # satisfied?": a typed yes or no answers it (set by the desk's step, bot.loop.grievances)
    WHY = "why"  # they said a resolution of their case (`topic`) did not satisfy them: asked
    # what is still wrong, their next message says why

    @property
    def writing(self) -> bool:
        """Their next message is their own words for the company (feedback, a concern): taken
        whole, so only slash commands count in it (it may well say "stop")."""
        return self in (Stage.FEEDBACK, Stage.CONCERN, Stage.WHY)

    @property
    def asks_for_text(self) -> bool:
        """Their next message is typed text (their words, or their time of day): a page
        offers a text box for it, whatever kind of survey question awaits."""
        return self.writing or self is Stage.TIME


@dataclass(frozen=True, slots=True)
class ParticipantRecord:
    participant_id: ParticipantId
    channel: str
    wrapped_key: bytes
    address: bytes | None  # encrypted platform address
    language: str
    campaign_id: str | None  # the campaign they are in now (or joining, during a join stage)
    created_ms: int
    stage: Stage = Stage.NONE
    language_chosen: bool = False  # they picked it themselves (not just a platform hint)
    opted_out: bool = False  # /stop: no notices, no reminders until they come back
    unreachable: bool = False  # blocked Sauti or refused by the platform
    joined: tuple[str, ...] = ()  # every campaign they started: what erasure must find
    # What they agreed to or refused, by `consent_key` ("out:<campaign>", "contact"...).
    consents: Mapping[str, Given] = field(default_factory=dict)
    # What the stage is about: the decision a concern is about; at TIME, "again" once an answer
    # could not be read; at CONSENT, the consent asked.
    topic: str = ""
    # For quiet hours: an IANA name (from a WhatsApp number's country code) or a fixed offset
    # ("UTC+03:00", from the time they told us); "" = none, their campaign's counts.
    time_zone: str = ""
    time_zone_chosen: bool = False  # they told us their time: no guess replaces it
    # Left with a quick exit: when (the exit's `received_at_ms`; 0 = not hidden). Nothing is
    # sent to them (and the web chat link shows a neutral page) until they ask to carry on;
    # anything they sent at or before this time that arrives late changes nothing.
    hidden_ms: int = 0
    shared_phone: bool = False  # notices never quote a question or an answer (their choice)
    # Their panel profile per organisation ("<org>:<attribute>" -> the answer as JSON: an
    # option id, or a list of them): reused when a new survey of that organisation asks again
    # (dialogues.profiles). Erased with the record.
    profile: Mapping[str, str] = field(default_factory=dict)

    @property
    def updates(self) -> dict[str, bool]:
        """Campaign -> whether they said yes to hearing what comes of their answers."""
        prefix = Consent.OUTCOMES.value + ":"
        return {
            key.removeprefix(prefix): given.agreed
            for key, given in self.consents.items()
            if key.startswith(prefix)
        }

    def known(self, org: str) -> dict[str, AnswerValue]:
        """Their profile for an organisation's surveys: attribute -> value."""
        prefix = org + ":"
        known: dict[str, AnswerValue] = {}
        for key, raw in self.profile.items():
            if key.startswith(prefix):
                value = json.loads(raw)
                known[key.removeprefix(prefix)] = tuple(value) if isinstance(value, list) else value
        return known

    def consent(self, kind: Consent, campaign_id: str | None) -> Given | None:
        return self.consents.get(consent_key(kind, campaign_id))

    @property
    def hidden(self) -> bool:
        return self.hidden_ms > 0

    def to_fields(self) -> dict[str, str | bytes]:
        fields: dict[str, str | bytes] = {
            "ch": self.channel,
            "wk": self.wrapped_key,
            "t0": str(self.created_ms),
        }
        if self.address is not None:
            fields["addr"] = self.address
        return fields | self.state_fields()

    def state_fields(self) -> dict[str, str | bytes]:
        """What a later event may change: never the data key or the address, so a commit
        cannot write back a key that an erasure deleted meanwhile."""
        fields: dict[str, str | bytes] = {
            "lang": self.language,
            "cid": self.campaign_id or "",
            "stg": self.stage.value,
            "lset": _flag(self.language_chosen),
            "stop": _flag(self.opted_out),
            "reach": "unreachable" if self.unreachable else "",
            "stref": self.topic,
            "hid": str(self.hidden_ms),
            "shp": _flag(self.shared_phone),
        }
        if self.time_zone:
            fields["tz"] = self.time_zone
            fields["tzset"] = _flag(self.time_zone_chosen)
        for campaign in self.joined:
            fields[f"c:{campaign}"] = "1"
        for key, value in self.profile.items():
            fields[f"pf:{key}"] = value
        return fields | _consent_fields(self.consents)

    @classmethod
    def from_fields(cls, participant_id: str, fields: dict[bytes, bytes]) -> ParticipantRecord:
        text = {key.decode(): value for key, value in fields.items()}
        campaign = text.get("cid", b"").decode()
        return cls(
            participant_id=ParticipantId(participant_id),
            channel=text["ch"].decode(),
            wrapped_key=text["wk"],
            address=text.get("addr"),
            language=text["lang"].decode(),
            campaign_id=campaign or None,
            created_ms=int(text["t0"]),
            stage=Stage(text.get("stg", b"").decode()),
            language_chosen=text.get("lset") == b"1",
            opted_out=text.get("stop") == b"1",
            unreachable=text.get("reach") == b"unreachable",
            joined=tuple(sorted(key[2:] for key in text if key.startswith("c:"))),
            consents=_read_consents(text),
            topic=text.get("stref", b"").decode(),
            time_zone=text.get("tz", b"").decode(),
            time_zone_chosen=text.get("tzset") == b"1",
            hidden_ms=hidden_since(text.get("hid")),
            shared_phone=text.get("shp") == b"1",
            profile={k[3:]: v.decode() for k, v in text.items() if k.startswith("pf:")},
        )


def _consent_fields(consents: Mapping[str, Given]) -> dict[str, str | bytes]:
    """Outcomes keep the field the loop's scripts read (`u:<campaign>`, first character "1" =
    yes); every other consent is one `k:<key>` field."""
    fields: dict[str, str | bytes] = {}
    prefix = Consent.OUTCOMES.value + ":"
    for key, given in consents.items():
        if key.startswith(prefix):
            fields[f"u:{key.removeprefix(prefix)}"] = given.encode()
        else:
            fields[f"k:{key}"] = given.encode()
    return fields


def _read_consents(text: Mapping[str, bytes]) -> dict[str, Given]:
    """Stored consents; what was agreed before versioning reads as version 0 at time 0: a
    campaign joined (they answered the old notice's question) is a yes to take part, and a
    bare `u:<campaign>` ("1" / "0") is the old outcomes answer."""
    consents: dict[str, Given] = {}
    for name, value in text.items():
        given = Given.decode(value) if name.startswith(("k:", "u:")) else None
        if name.startswith("k:") and given is not None:
            consents[name[2:]] = given
        elif name.startswith("u:") and given is not None:
            consents[consent_key(Consent.OUTCOMES, name[2:])] = given
        elif name.startswith("c:"):
            key = consent_key(Consent.TAKE_PART, name[2:])
            consents.setdefault(key, Given(True, LEGACY, 0))  # `k:` wins, in either order
    return consents


def hidden_since(raw: bytes | None) -> int:
    """The `hid` field of a record: when they left with a quick exit, 0 when they did not.
    Anything but "0" (or nothing) is hidden: a store written as a bare flag stays safe."""
    if raw is None or raw in (b"", b"0"):
        return 0
    return int(raw) if raw.isdigit() else 1


def _flag(value: bool) -> str:
    return "1" if value else "0"


def new_record(
    crypto: ParticipantCrypto,
    participant_id: ParticipantId,
    *,
    channel: str,
    address: str | None,
    language: str,
    now_ms: int,
) -> tuple[ParticipantRecord, bytes]:
    """A new participant's record and their (plaintext) data key."""
    key, wrapped = crypto.new_data_key()
    sealed = (
        encrypt_field(key, address, field_aad(participant_id, "address"))
        if address is not None
        else None
    )
    record = ParticipantRecord(
        participant_id, channel, wrapped, sealed, language, None, now_ms, joined=()
    )
    return record, key


def stored_address(record: ParticipantRecord, key: bytes) -> str | None:
    """Their platform address, opened with their data key (None when none is stored)."""
    if record.address is None:
        return None
    return decrypt_field(key, record.address, field_aad(record.participant_id, "address"))
