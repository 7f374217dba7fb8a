"""Render a channel-neutral outgoing message as a Graph API message,
within WhatsApp's limits, degrading gracefully:

- up to 3 choices (with skip / prefer-not-to-answer counted) → reply buttons;
- up to 10 → a list message;
- more, a multiple-choice question, or a scale wider than a list → a numbered text answered by
  typing numbers ("1, 3"), with skip / decline as buttons when allowed and the text fits.

Titles are shortened to whole words; when one was shortened, the full text of every choice is
in the message body (numbered, so it can also be typed). Controls that do not fit are still
available by typing their word; the body says so. Menus (buttons outside the survey) render the
same way. Pure: no I/O; the client adds the recipient and sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.channels.whatsapp import payload_ids
from bot.channels.whatsapp.shorten import shorten, truncate
from bot.conversation.outgoing import Outgoing
from bot.settings.limits import WhatsAppLimits
from dialogues.events import Prompt
from dialogues.localization import Catalog, builtin_catalog
from dialogues.model import QuestionKind

Content = dict[str, Any]  # a Graph API message without `messaging_product` and `to`


@dataclass(frozen=True, slots=True)
class _Item:
    payload: str
    label: str
    number: int | None  # what to type instead of tapping; None for controls


@dataclass(frozen=True, slots=True)
class _Parts:
    text: str
    language: str
    options: tuple[_Item, ...]
    controls: tuple[_Item, ...]  # skip / decline: buttons or rows when they fit
    hint: str
    typed_controls: str  # the words to type for controls that found no room
    numbered: bool  # options must be typed as numbers (multiple choice)
    # Show the number to type in list rows: the engine reads typed numbers as answers. Menus
    # outside the survey do not: there a typed number means something only in some stages.
    row_numbers: bool
    footer: str


def render(
    message: Outgoing,
    limits: WhatsAppLimits,
    language: str,
    catalog: Catalog | None = None,
) -> Content:
    """The Graph API content for `message`, for a participant reading `language`."""
    catalog = catalog or builtin_catalog()
    parts = _parts(message, language, catalog)
    if parts is None:
        return _text(message.text, limits)
    return _choose_widget(parts, limits, catalog)


def _parts(message: Outgoing, language: str, catalog: Catalog) -> _Parts | None:
    if message.prompt is not None:
        return _prompt_parts(message.prompt, catalog)
    if message.menu:
        items = tuple(
            _Item(payload_ids.menu_item(item), item.label, number)
            for number, item in enumerate(message.menu, 1)
        )
        return _Parts(
            text=message.text,
            language=language,
            options=items,
            controls=(),
            hint="",
            typed_controls="",
            numbered=False,
            row_numbers=False,
            footer="",
        )
    return None


def _prompt_parts(prompt: Prompt, catalog: Catalog) -> _Parts:
    question, kind, language = prompt.question_id, prompt.kind, prompt.language
    labels = prompt.labels
    controls = []
    if prompt.allow_skip:
        controls.append(_Item(payload_ids.skip(question), labels.skip, None))
    if prompt.allow_decline:
        controls.append(_Item(payload_ids.decline(question), labels.decline, None))
    options = tuple(
        _Item(payload_ids.choice(question, choice.id), choice.label, choice.number)
        for choice in prompt.choices
    )
    typed = ""
    if prompt.allow_decline:
        typed = catalog.message("hint.decline", language, decline=labels.decline)
    typed_only = (QuestionKind.TEXT, QuestionKind.NUMBER, QuestionKind.INFO)
    return _Parts(
        text=prompt.text,
        language=language,
        options=options if kind not in typed_only else (),
        controls=tuple(controls),
        hint=_hint(prompt, catalog),
        typed_controls=typed,
        numbered=kind is QuestionKind.MULTIPLE_CHOICE,
        row_numbers=True,
        footer=_progress(prompt, catalog),
    )


def _hint(prompt: Prompt, catalog: Catalog) -> str:
    """The engine's hint, except for multiple choice: it speaks of ticking and Done, which
    WhatsApp cannot show, so the hint says to type the numbers."""
    if prompt.kind is not QuestionKind.MULTIPLE_CHOICE:
        return prompt.hint
    language = prompt.language
    hint = catalog.message(
        "hint.multiple_choice_typed",
        language,
        min=prompt.min_selections,
        max=prompt.max_selections,
    )
    if prompt.allow_skip:
        skip_word = catalog.word("skip", language)
        hint += " " + catalog.message("hint.skip", language, skip=skip_word)
    return hint


def _progress(prompt: Prompt, catalog: Catalog) -> str:
    """ "Question 2 of 9", for a question that counts."""
    position, total = prompt.position, prompt.total
    if prompt.kind is QuestionKind.INFO or not (position and total):
        return ""
    return catalog.message("survey.progress", prompt.language, position=position, total=total)


def _choose_widget(parts: _Parts, limits: WhatsAppLimits, catalog: Catalog) -> Content:
    options, controls = parts.options, parts.controls
    if options and not parts.numbered:
        everything = options + controls
        if len(everything) <= limits.max_reply_buttons:
            buttons = _buttons(parts, everything, limits)
            if buttons is not None:
                return buttons
        if len(everything) <= limits.max_list_rows:
            return _list(parts, everything, limits, catalog)
        if len(options) <= limits.max_list_rows:
            return _list(parts, options, limits, catalog, typed_controls=True)
    # Typed: the options (if any) as a numbered list; skip / decline as buttons if they fit.
    body = _body(parts, numbered=bool(options) and _numbers_mean_options(parts))
    if controls and len(controls) <= limits.max_reply_buttons:
        buttons = _buttons(parts, controls, limits, body=body)
        if buttons is not None:
            return buttons
    return _text(_join(body, parts.typed_controls), limits)


def _numbers_mean_options(parts: _Parts) -> bool:
    """A scale's options are its own numbers: listing "0. 0" … "10. 10" says nothing."""
    return any(item.number is not None and item.label != str(item.number) for item in parts.options)


def _buttons(
    parts: _Parts, items: tuple[_Item, ...], limits: WhatsAppLimits, body: str | None = None
) -> Content | None:
    """Reply buttons, or None when they cannot carry this message: two titles alike after
    shortening (WhatsApp refuses that), an id too long, or a given `body` that must be shown
    whole (typed options) and does not fit."""
    titles = [shorten(item.label, limits.max_button_title_chars) for item in items]
    if len(set(titles)) < len(titles) or any(
        len(item.payload) > limits.max_button_id_chars for item in items
    ):
        return None
    if body is None:
        cut = any(t != " ".join(i.label.split()) for t, i in zip(titles, items, strict=True))
        fitted = _fit_body(_body(parts, numbered=cut), parts, limits)
    else:
        fitted = body if len(body) <= limits.max_body_chars else None
    if fitted is None:
        return None
    interactive: dict[str, Any] = {
        "type": "button",
        "body": {"text": fitted},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": item.payload, "title": title}}
                for item, title in zip(items, titles, strict=True)
            ]
        },
    }
    _footer(interactive, parts, limits)
    return {"type": "interactive", "interactive": interactive}


def _list(
    parts: _Parts,
    items: tuple[_Item, ...],
    limits: WhatsAppLimits,
    catalog: Catalog,
    *,
    typed_controls: bool = False,
) -> Content:
    rows = []
    too_long = False
    for item in items:
        label = " ".join(item.label.split())
        # The number people may type instead, where it is not the label itself (a scale).
        plain = item.number is None or label == str(item.number) or not parts.row_numbers
        shown = label if plain else f"{item.number}. {label}"
        title = shorten(shown, limits.max_row_title_chars)
        row: dict[str, str] = {"id": item.payload[: limits.max_row_id_chars], "title": title}
        if title != shown:  # the description shows what the title had to leave out
            row["description"] = shorten(label, limits.max_row_description_chars)
            too_long = too_long or len(label) > limits.max_row_description_chars
        rows.append(row)
    body = _body(parts, numbered=too_long)
    if typed_controls:
        body = _join(body, parts.typed_controls)
    fitted = _fit_body(body, parts, limits) or shorten(parts.text, limits.max_body_chars)
    interactive: dict[str, Any] = {
        "type": "list",
        "body": {"text": fitted},
        "action": {
            "button": shorten(
                catalog.message("button.choose", parts.language), limits.max_list_button_chars
            ),
            "sections": [{"rows": rows}],
        },
    }
    _footer(interactive, parts, limits)
    return {"type": "interactive", "interactive": interactive}


def _body(parts: _Parts, *, numbered: bool) -> str:
    lines = [f"{item.number}. {item.label}" for item in parts.options if item.number is not None]
    return _join(parts.text, "\n".join(lines) if numbered else "", parts.hint)


def _fit_body(body: str, parts: _Parts, limits: WhatsAppLimits) -> str | None:
    """The body when it fits; else without the numbered list; else None (send as text)."""
    if len(body) <= limits.max_body_chars:
        return body
    shorter = _join(parts.text, parts.hint)
    return shorter if len(shorter) <= limits.max_body_chars else None


def _footer(interactive: dict[str, Any], parts: _Parts, limits: WhatsAppLimits) -> None:
    if parts.footer and len(parts.footer) <= limits.max_footer_chars:
        interactive["footer"] = {"text": parts.footer}


def _text(text: str, limits: WhatsAppLimits) -> Content:
    text = truncate(text, limits.max_text_chars)
    return {"type": "text", "text": {"body": text, "preview_url": False}}


def _join(*paragraphs: str) -> str:
    return "\n\n".join(p for p in paragraphs if p)
