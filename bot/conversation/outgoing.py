"""What a participant is shown, channel-neutral: engine events turned into messages.

Channels render these with their own widgets (web chat: HTML forms; Telegram: inline keyboards;
WhatsApp: buttons or lists). Bookkeeping events (answer withdrawn, went back) show nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from dialogues.events import (
    AnswerRecorded,
    AnswerRejected,
    AnswerReused,
    Event,
    InputIgnored,
    LanguageChanged,
    Prompt,
    QuestionAsked,
    SurveyCompleted,
    SurveyPaused,
    SurveyResumed,
    SurveyStarted,
)


class Sender(StrEnum):
    SAUTI = "sauti"
    PARTICIPANT = "me"  # an echo of the participant's own answer, as the chat shows it


@dataclass(frozen=True, slots=True)
class MenuItem:
    """A button outside the survey. Pressing it (or typing its number) comes back as
    `Command(command, argument)`; channels encode the pair in their button payload."""

    label: str
    command: str
    argument: str = ""


@dataclass(frozen=True, slots=True)
class DecisionNotice:
    """Marks a notice of a company's decision (bot.loop): which decision, in which version and
    with which status. Such a notice is never sent twice, even when it carries buttons."""

    ref: str  # the decision's short reference
    version: int
    status: str


# The template purpose (bot.channels.whatsapp.templates) a question or menu asks for in
# shared-phone mode: `continue` in words that name nothing.
SHARED_CONTINUE = "shared_continue"
# ... and a decision notice in shared-phone mode: a notice in words that name nothing.
SHARED_NOTICE = "shared"


@dataclass(frozen=True, slots=True)
class TemplateHint:
    """Which approved templates may stand in for a message where a channel cannot send free
    text now (WhatsApp outside its 24-hour window), best first."""

    purpose: str
    fallback: str | None
    language: str


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to a participant, channel-neutral, as the outbox carries it to a channel.

    The engine's messages use the first fields; the rest are set on the way to the outbox."""

    text: str
    sender: Sender = Sender.SAUTI
    prompt: Prompt | None = None  # a question to answer, with its choices
    menu: tuple[MenuItem, ...] = ()  # buttons outside the survey (languages, consent, ...)
    question_id: str | None = None  # with an echo (Sender.PARTICIPANT): the question answered
    # True: this re-renders the question already shown (a multiple-choice tick changed).
    # Channels that can edit a sent message edit it; others send nothing.
    edit: bool = False
    # Where to send a reply to someone without a participant record (a first message, the
    # goodbye after an erasure); everyone else's address is read from their record.
    address: str | None = None
    decision: DecisionNotice | None = None
    template: TemplateHint | None = None
    # Send only as an approved template: the platform said the free-form window is closed.
    template_only: bool = False
    # Part of a quick exit: goes out although the participant is hidden (the neutral line, and
    # the clearing of the chat); every other message to them is dropped while they are.
    quick_exit: bool = False
    # Not a message: delete what the chat shows, as far as the platform allows (Telegram: the
    # recent messages of both sides). Channels that cannot delete do nothing.
    clear_chat: bool = False
    # With clear_chat: when they left (ms). Only what the chat showed then is deleted, so a
    # clearing that goes out late never deletes what they wrote after.
    clear_until_ms: int = 0
    # Keep nothing of it in the chat's history (the goodbye after an erasure: nothing is kept
    # under the erased person's id). Everything else sent is recorded for a quick exit.
    unrecorded: bool = False


def messages_for(events: Iterable[Event]) -> list[Outgoing]:
    out: list[Outgoing] = []
    for event in events:
        match event:
            case SurveyStarted(title=title, introduction=intro, promise=promise):
                out.append(Outgoing("\n\n".join(p for p in (title, intro, promise) if p)))
            case QuestionAsked(prompt=prompt):
                out.append(Outgoing(prompt.text, prompt=prompt))
            case AnswerReused():
                pass  # known from before (a panel profile): not asked, so nothing to echo
            case AnswerRecorded(question_id=question_id, display=display):
                out.append(Outgoing(display, Sender.PARTICIPANT, question_id=question_id))
            case (
                AnswerRejected(message=text)
                | LanguageChanged(message=text)
                | SurveyPaused(message=text)
                | SurveyResumed(message=text)
                | InputIgnored(message=text)
                | SurveyCompleted(message=text)
            ):
                out.append(Outgoing(text))
    return out
