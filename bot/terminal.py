"""Render engine events as plain terminal text — the way a survey author tries a draft."""

from __future__ import annotations

from dialogues.events import (
    AnswerRecorded,
    AnswerRejected,
    AnswerWithdrawn,
    Event,
    InputIgnored,
    LanguageChanged,
    Prompt,
    QuestionAsked,
    SelectionChanged,
    SurveyCompleted,
    SurveyPaused,
    SurveyResumed,
    SurveyStarted,
    WentBack,
)
from dialogues.model import QuestionKind


def render_event(event: Event) -> str | None:
    """Text for one event, or None for bookkeeping events a participant does not see."""
    match event:
        case SurveyStarted(title=title, introduction=intro, promise=promise):
            return "\n\n".join(part for part in (f"== {title} ==", intro, promise) if part)
        case QuestionAsked(prompt=prompt):
            return render_prompt(prompt)
        case AnswerRecorded(display=display):
            return f"  ✓ {display}"
        case AnswerRejected(message=message):
            return f"  ! {message}"
        case SelectionChanged(selected=selected):
            return f"  selected: {', '.join(selected) or '-'}"
        case SurveyCompleted(message=message):
            return f"\n{message}"
        case LanguageChanged(message=message) | SurveyPaused(message=message):
            return message
        case SurveyResumed(message=message) | InputIgnored(message=message):
            return message
        case AnswerWithdrawn() | WentBack():
            return None
    return None


def render_prompt(prompt: Prompt) -> str:
    if prompt.kind is QuestionKind.INFO:
        return f"\n{prompt.text}"
    lines = [f"\n[{prompt.position}/{prompt.total}] {prompt.text}"]
    if prompt.previous_answer:
        lines.append(f"  ({prompt.previous_answer})")
    if prompt.kind is QuestionKind.SCALE:
        lines.append("  " + " · ".join(choice.label for choice in prompt.choices))
    for choice in prompt.choices if prompt.kind is not QuestionKind.SCALE else ():
        mark = "[x] " if choice.id in prompt.selected else ""
        lines.append(f"  {choice.number}. {mark}{choice.label}")
    if prompt.hint:
        lines.append(prompt.hint)
    return "\n".join(lines)
