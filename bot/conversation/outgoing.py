"""What a participant is shown, channel-neutral: engine events turned into messages.

Channels render these with their own widgets (web chat: HTML forms; Telegram: inline keyboards;
WhatsApp: buttons or lists). Bookkeeping events (answer withdrawn, went back) show nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dialogues.events import (
    AnswerRecorded,
    AnswerRejected,
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
class Outgoing:
    text: str
    sender: Sender = Sender.SAUTI
    prompt: Prompt | None = None  # a question to answer, with its choices
    menu: tuple[MenuItem, ...] = ()  # buttons outside the survey (languages, consent, ...)
    question_id: str | None = None  # with an echo (Sender.PARTICIPANT): the question answered
    # True: this re-renders the question already shown (a multiple-choice tick changed).
    # Channels that can edit a sent message edit it; others send nothing.
    edit: bool = False

    def to_plain(self) -> dict[str, Any]:
        """The outbox message body:

        {"text": str, "from": "sauti" | "me",
         "prompt": {...Prompt fields...}          # when it asks a survey question
         "menu": [{"label", "cmd", "arg"}, ...]   # when it offers buttons outside the survey
         "q": question id                          # on an echo of the participant's answer
         "edit": true                              # re-renders the question already shown}
        """
        plain: dict[str, Any] = {"text": self.text, "from": self.sender.value}
        if self.prompt is not None:
            plain["prompt"] = dataclasses.asdict(self.prompt)
        if self.menu:
            plain["menu"] = [
                {"label": item.label, "cmd": item.command, "arg": item.argument}
                for item in self.menu
            ]
        if self.question_id is not None:
            plain["q"] = self.question_id
        if self.edit:
            plain["edit"] = True
        return plain


def messages_for(events: Iterable[Event]) -> list[Outgoing]:
    out: list[Outgoing] = []
    for event in events:
        match event:
            case SurveyStarted(title=title, introduction=intro, promise=promise):
                out.append(Outgoing("\n\n".join(p for p in (title, intro, promise) if p)))
            case QuestionAsked(prompt=prompt):
                out.append(Outgoing(prompt.text, prompt=prompt))
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
