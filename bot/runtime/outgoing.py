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
class Outgoing:
    text: str
    sender: Sender = Sender.SAUTI
    prompt: Prompt | None = None  # a question to answer, with its choices

    def to_plain(self) -> dict[str, Any]:
        plain: dict[str, Any] = {"text": self.text, "from": self.sender.value}
        if self.prompt is not None:
            plain["prompt"] = dataclasses.asdict(self.prompt)
        return plain


def messages_for(events: Iterable[Event]) -> list[Outgoing]:
    out: list[Outgoing] = []
    for event in events:
        match event:
            case SurveyStarted(title=title, introduction=intro, promise=promise):
                out.append(Outgoing("\n\n".join(p for p in (title, intro, promise) if p)))
            case QuestionAsked(prompt=prompt):
                out.append(Outgoing(prompt.text, prompt=prompt))
            case AnswerRecorded(display=display):
                out.append(Outgoing(display, Sender.PARTICIPANT))
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
