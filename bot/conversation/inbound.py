"""The channel-neutral inbound event: what a participant did, on which channel. Channel
adapters build these; the worker takes a turn on each (`bot.runtime.event_codec` carries them
through the inbound stream, sealed)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogues.inbound import (
    Inbound,
)


class Channel(StrEnum):
    WEBCHAT = "webchat"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


@dataclass(frozen=True, slots=True)
class Join:
    """Join (or come back to) a campaign, in a language."""

    campaign_id: str
    language: str
    # The consents ticked on the join page (None: not asked); joining is the yes to taking part.
    updates: bool | None = None  # to hear what comes of their answers
    quote: bool | None = None  # their words may be quoted, without anything identifying them
    contact: bool | None = None  # to be asked again, for future surveys
    # The version of the data notice the join page showed, its yes being to that one ("": a
    # page that did not say). None: a join made by Sauti's own tools, not from a page.
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """Anything said inside a survey: handed to the engine as it is."""

    input: Inbound


@dataclass(frozen=True, slots=True)
class Command:
    """Something said outside the survey: a command (/help), a keyword ("help", "msaada"), or a
    press on a menu button. `name` is one of COMMANDS; `argument` depends on it:

    - start: a campaign code ("" offers the open campaigns)
    - help, mydata, stop: ""
    - language: a language code ("" shows the language menu)
    - delete: "" asks for confirmation, "confirm" erases, "cancel" keeps everything
    - updates: "yes" / "no" (or a typed yes/no in any built-in language): whether they want to
      hear what comes of their answers; "" asks them
    - consent: "<take|out|quote|contact>:<yes|no>": a consent given or refused
    - resume: "yes" / "no": after /stop, whether messages may start again ("" asks)
    - feedback: "" asks what they want to say; otherwise the text they said
    - react: "<helpful|concerns|more>:<decision ref>": a button under a decision notice
    - time: "" asks what time it is where they are; otherwise the time they typed ("14:30")
    - exit: "" (a quick exit: the conversation ends at once and the chat is cleared)
    - shared: "on" / "off" (shared-phone mode); "" turns it the other way
    - cases: "" (their open and recently resolved cases: "my cases")
    - reopen: a case reference ("" asks which): reopen a resolved case
    - satisfied: "<yes|no>:<case reference>": the buttons under a resolution
    - leave: "" (leave the panel: a no to being contacted again for future surveys)
    """

    name: str
    argument: str = ""


COMMANDS = (
    "start",
    "help",
    "language",
    "stop",
    "mydata",
    "delete",
    "updates",
    "feedback",
    "react",
    "time",
    "exit",
    "shared",
    "consent",
    "resume",
    "cases",
    "reopen",
    "satisfied",
    "leave",
)


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A photo, voice note, sticker, location...: answered with "please use text or buttons"."""

    kind: str  # the platform's name for it, for metrics only


@dataclass(frozen=True, slots=True)
class Reachability:
    """The platform told us the participant blocked (False) or unblocked (True) Sauti."""

    reachable: bool


Action = Join | Answer | Command | Unsupported | Reachability


@dataclass(frozen=True, slots=True)
class InboundEvent:
    event_id: str  # "<channel>:<platform message id>": the deduplication key
    channel: Channel
    participant_id: str
    received_at_ms: int
    action: Action
    address: str | None = None  # the platform address (chat id, phone) when the channel has one
    locale: str | None = None  # the platform's language hint (Telegram's language_code), if any
    # A time zone the channel inferred (IANA name; WhatsApp: from the number's country code),
    # for quiet hours: stored when the participant has none. A coarse location, sealed here.
    zone_hint: str | None = None
