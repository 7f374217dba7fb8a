"""What a participant can do, channel-neutral. Channels translate platform payloads into these.

Inputs that come from a button carry the id of the question the button belonged to, so a press
on an old message is recognised as stale instead of answering the wrong question. Typed inputs
(`question_id=None`) always apply to the current question.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TextReply:
    """Anything typed: an answer, an option number or label, or a word like 'skip'. A form
    that shows its question (web chat) sends its id too, so an old page cannot answer the
    question that came after."""

    text: str
    question_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChoiceReply:
    """One button press (or a complete selection from a form) on a choice question."""

    question_id: str | None
    option_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ToggleOption:
    """Tick or untick one option of a multiple choice question; Done is `SubmitSelection`."""

    question_id: str | None
    option_id: str


@dataclass(frozen=True, slots=True)
class SubmitSelection:
    question_id: str | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    question_id: str | None = None


@dataclass(frozen=True, slots=True)
class Decline:
    """'Prefer not to answer'."""

    question_id: str | None = None


@dataclass(frozen=True, slots=True)
class GoBack:
    """Return to the previous answered question to change its answer."""

    question_id: str | None = None


@dataclass(frozen=True, slots=True)
class Pause:
    pass


@dataclass(frozen=True, slots=True)
class Resume:
    pass


@dataclass(frozen=True, slots=True)
class ChangeLanguage:
    language: str


Inbound = (
    TextReply
    | ChoiceReply
    | ToggleOption
    | SubmitSelection
    | Skip
    | Decline
    | GoBack
    | Pause
    | Resume
    | ChangeLanguage
)
