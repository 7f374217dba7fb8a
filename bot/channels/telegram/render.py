"""Outgoing messages as Telegram messages: plain text and inline
keyboards laid out for a phone screen. Pure: no I/O.

- Choices: short labels two to a row, long ones alone on theirs (a phone shows ~15 characters
  on a half-width button before it cuts); scales in rows of up to six numbers.
- Multiple choice: toggle buttons marked ✓ when ticked, and a Done button; the same message
  is edited as ticks change.
- Skip / back share a row; "prefer not to answer" gets its own (it is long in every language).
- Options carry their number ("2. Scams"), since the hint says a number may be typed instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bot.channels.telegram import payloads
from bot.channels.telegram.text import split_text, truncate, utf16_len
from bot.conversation.outgoing import MenuItem, Outgoing
from dialogues.events import Prompt
from dialogues.localization import Catalog
from dialogues.model import QuestionKind

SHORT_LABEL = 15  # UTF-16 units that fit on a half-width button
SCALE_ROW = 6
TICK = "✓"
ANSWER_SHOWN = 200  # an answer shown under its question is cut to this (the chat has it all)


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Rendered:
    parts: tuple[str, ...]  # message texts, sent in order; the keyboard goes on the last
    keyboard: Keyboard = ()
    question_id: str | None = None  # set when the last part asks a survey question
    question_text: str = ""  # that part without its hint: shown again with the answer


@dataclass(frozen=True)
class Limits:
    max_chars: int = 4096
    max_payload_bytes: int = 64


def render(message: Outgoing, catalog: Catalog, limits: Limits) -> Rendered:
    """A new message: a question with its buttons, a notice with a menu, or plain text."""
    if message.prompt is not None:
        return _question(message.prompt, catalog, limits)
    keyboard = menu_keyboard(message.menu, limits)
    parts = tuple(split_text(message.text, limits.max_chars))
    return Rendered(parts, keyboard)


def _question(prompt: Prompt, catalog: Catalog, limits: Limits) -> Rendered:
    kind, language, body = prompt.kind, prompt.language, prompt.text
    if kind is not QuestionKind.INFO and prompt.position > 0:
        progress = catalog.message(
            "survey.progress", language, position=prompt.position, total=prompt.total
        )
        body = f"{progress}\n{body}"
    tail = []
    if prompt.previous_answer:
        tail.append(catalog.message("answer.chosen", language, answer=prompt.previous_answer))
    if prompt.hint:
        tail.append(prompt.hint)
    footer = "\n\n" + "\n".join(tail) if tail else ""
    room = max(limits.max_chars // 2, limits.max_chars - utf16_len(footer))
    pieces = split_text(body, room) or [body]
    last = truncate(pieces[-1] + footer, limits.max_chars)
    if kind is QuestionKind.INFO:
        return Rendered((*pieces[:-1], last))
    return Rendered(
        (*pieces[:-1], last),
        question_keyboard(prompt, limits),
        question_id=prompt.question_id,
        question_text=pieces[-1],
    )


def question_keyboard(prompt: Prompt, limits: Limits) -> Keyboard:
    """A question's buttons: its choices as the kind wants them laid out, then its controls."""
    kind, question, choices = prompt.kind, prompt.question_id, prompt.choices
    rows: list[tuple[Button, ...]] = []
    if kind is QuestionKind.SCALE:
        rows += _rows_of(
            [Button(c.label, payloads.encode("c", question, c.id)) for c in choices], SCALE_ROW
        )
    elif kind is QuestionKind.YES_NO:
        rows.append(tuple(Button(c.label, payloads.encode("c", question, c.id)) for c in choices))
    elif kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        rows += _option_rows(prompt)
    if not all(payloads.fits(b.data, limits.max_payload_bytes) for row in rows for b in row):
        rows = []  # the participant types the option's number, as the hint says
    return tuple(rows) + _controls(prompt, question, limits)


def _option_rows(prompt: Prompt) -> list[tuple[Button, ...]]:
    """Numbered options, paired; multiple choice toggles them (ticked ones marked) and ends
    with a Done button counting the ticks."""
    question, selected = prompt.question_id, set(prompt.selected)
    toggles = prompt.kind is QuestionKind.MULTIPLE_CHOICE
    buttons = []
    for choice in prompt.choices:
        label = f"{choice.number}. {choice.label}"
        if toggles and choice.id in selected:
            label = f"{TICK} {label}"
        buttons.append(Button(label, payloads.encode("t" if toggles else "c", question, choice.id)))
    rows = _paired(buttons)
    if toggles:
        done = prompt.labels.done
        label = f"{done} ({len(selected)})" if selected else done
        rows.append((Button(label, payloads.encode("d", question)),))
    return rows


def _controls(prompt: Prompt, question: str, limits: Limits) -> Keyboard:
    labels = prompt.labels
    first = []
    if prompt.allow_back:
        first.append(Button(labels.back, payloads.encode("b", question)))
    if prompt.allow_skip:
        first.append(Button(labels.skip, payloads.encode("s", question)))
    rows = [tuple(first)] if first else []
    if prompt.allow_decline:
        rows.append((Button(labels.decline, payloads.encode("n", question)),))
    return tuple(
        row for row in rows if all(payloads.fits(b.data, limits.max_payload_bytes) for b in row)
    )


def menu_keyboard(items: Iterable[MenuItem], limits: Limits) -> Keyboard:
    """Buttons outside the survey, two short ones to a row; one that cannot fit is left out."""
    buttons = [
        Button(item.label, payloads.encode("m", item.command, item.argument)) for item in items
    ]
    return tuple(_paired([b for b in buttons if payloads.fits(b.data, limits.max_payload_bytes)]))


def answered_text(
    question_text: str, answer: str, language: str, catalog: Catalog, limits: Limits
) -> str:
    """A question as it reads once answered: its text and the answer, no hint."""
    shown = truncate(catalog.message("answer.chosen", language, answer=answer), ANSWER_SHOWN)
    question = truncate(question_text, limits.max_chars - utf16_len(shown) - 4)
    return f"{question}\n\n{TICK} {shown}"


def _paired(buttons: list[Button]) -> list[tuple[Button, ...]]:
    """Two short labels share a row, in reading order; a long one has a row to itself."""
    rows: list[tuple[Button, ...]] = []
    waiting: Button | None = None
    for button in buttons:
        if utf16_len(button.text) > SHORT_LABEL:
            if waiting is not None:
                rows.append((waiting,))
                waiting = None
            rows.append((button,))
        elif waiting is None:
            waiting = button
        else:
            rows.append((waiting, button))
            waiting = None
    if waiting is not None:
        rows.append((waiting,))
    return rows


def _rows_of(buttons: list[Button], most: int) -> list[tuple[Button, ...]]:
    """Balanced rows of at most `most` buttons (0-10 becomes 6 + 5, not 6 + 5 ragged)."""
    if not buttons:
        return []
    count = math.ceil(len(buttons) / most)
    size = math.ceil(len(buttons) / count)
    return [tuple(buttons[i : i + size]) for i in range(0, len(buttons), size)]
