"""The templates file (`config/whatsapp_templates.toml`), read and checked.

Every mistake is a TemplateFileError naming the file and the key (`templates.decision.languages
.fr.buttons[1]`): a template Sauti would send wrongly is worse than none, since WhatsApp answers
a malformed one only when a participant is already waiting for it.

A quick reply is a fixed payload (`resume`) or `menu:<command>:<choice>`: the id of the
message's own menu button for that command whose argument starts with that choice
(`menu:react:concerns` matches the button `react` / `concerns:<decision ref>`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels.whatsapp import payload_ids
from bot.channels.whatsapp.templates import (
    DECISION,
    FROM_MENU,
    NOTICE,
    PARAMETER_SOURCES,
    PURPOSES,
    QuickReply,
    Template,
    TemplateBook,
    Translation,
)
from bot.conversation.decisions.reaction import REACT, REACTIONS
from bot.conversation.inbound import COMMANDS
from bot.settings.limits import WhatsAppLimits

_PLACEHOLDER = re.compile(r"\{\{\s*\d+\s*\}\}")
_ENDS_WITH_PLACEHOLDER = re.compile(r"\{\{\s*\d+\s*\}\}[.!?:;,\s]*$")
_TEMPLATE_KEYS = ("name", "parameters", "quick_replies", "max_parameter_chars", "languages")
_LANGUAGE_KEYS = ("body", "buttons")
# Purposes whose template stands in for the message's own text: without it they say nothing.
_CARRIES_TEXT = (NOTICE, DECISION)


class TemplateFileError(Exception):
    """The templates file cannot be used; the message names the file and the key."""


def load_templates(path: Path, limits: WhatsAppLimits) -> TemplateBook:
    """Read the templates file; a missing file is an empty book (nothing outside the window).
    Raises TemplateFileError naming the file and the key that is wrong."""
    if not path.exists():
        return TemplateBook(source=f"{path} (missing)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TemplateFileError(f"{path}: {error}") from error
    return parse_templates(raw, str(path), limits)


def parse_templates(raw: dict[str, Any], source: str, limits: WhatsAppLimits) -> TemplateBook:
    _known_keys(raw, ("fallback", "templates"), f"{source}: ")
    fallbacks = {}
    for language, codes in _table(raw, "fallback", f"{source}: ").items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise TemplateFileError(f"{source}: fallback.{language}: expected a list of codes")
        fallbacks[language] = tuple(codes)
    templates: dict[str, Template] = {}
    for purpose, spec in _table(raw, "templates", f"{source}: ").items():
        where = f"{source}: templates.{purpose}"
        if purpose not in PURPOSES:
            raise TemplateFileError(
                f"{where}: unknown purpose, expected one of {', '.join(PURPOSES)}"
            )
        template = _template(purpose, spec, where, limits)
        twin = next((t.purpose for t in templates.values() if t.name == template.name), None)
        if twin is not None:
            raise TemplateFileError(f"{where}.name: {template.name!r} is already templates.{twin}")
        templates[purpose] = template
    return TemplateBook(templates, fallbacks, source)


def _template(purpose: str, spec: Any, where: str, limits: WhatsAppLimits) -> Template:
    if not isinstance(spec, dict):
        raise TemplateFileError(f"{where}: expected a table")
    _known_keys(spec, _TEMPLATE_KEYS, f"{where}.")
    name = spec.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,512}", name):
        raise TemplateFileError(f"{where}.name: expected lower-case letters, digits and _")
    parameters = _parameters(purpose, spec.get("parameters", []), f"{where}.parameters")
    quick_replies = _quick_replies(purpose, spec.get("quick_replies", []), f"{where}.quick_replies")
    limit = spec.get("max_parameter_chars", 700)
    if not isinstance(limit, int) or limit < 1:
        raise TemplateFileError(f"{where}.max_parameter_chars: expected a positive integer")
    shape = _Shape(parameters, quick_replies, limit)
    languages = {
        code: _translation(language, f"{where}.languages.{code}", shape, limits)
        for code, language in _table(spec, "languages", f"{where}.").items()
    }
    return Template(purpose, name, languages, parameters, quick_replies, limit)


def _parameters(purpose: str, raw: Any, where: str) -> tuple[str, ...]:
    sources = ", ".join(PARAMETER_SOURCES)
    if not isinstance(raw, list):
        raise TemplateFileError(f"{where}: expected a list of sources ({sources})")
    for index, source in enumerate(raw):
        if source not in PARAMETER_SOURCES:
            raise TemplateFileError(
                f"{where}[{index}]: unknown source {source!r}, expected {sources}"
            )
    if purpose in _CARRIES_TEXT and "text" not in raw:
        raise TemplateFileError(f'{where}: a {purpose} template carries the message: list "text"')
    return tuple(raw)


def _quick_replies(purpose: str, raw: Any, where: str) -> tuple[QuickReply, ...]:
    if not isinstance(raw, list) or not all(isinstance(entry, str) for entry in raw):
        raise TemplateFileError(f"{where}: expected a list of payloads")
    replies = []
    for index, entry in enumerate(raw):
        if entry in raw[:index]:
            raise TemplateFileError(f"{where}[{index}]: {entry!r} is listed twice")
        replies.append(_quick_reply(entry, f"{where}[{index}]"))
    if purpose == DECISION:
        _reactions(replies, where)
    return tuple(replies)


def _quick_reply(entry: str, where: str) -> QuickReply:
    kind, _, rest = entry.partition(":")
    if kind == FROM_MENU:
        command, _, choice = rest.partition(":")
        if command not in COMMANDS or not choice:
            raise TemplateFileError(
                f"{where}: expected {FROM_MENU}:<command>:<choice>, the command one of "
                + ", ".join(COMMANDS)
            )
        return QuickReply(None, command, choice)
    if payload_ids.action_of(entry) is None:
        # A tap would come back as the button's title, read like typed text: not what is meant.
        raise TemplateFileError(
            f"{where}: Sauti would not understand {entry!r} when tapped; expected "
            f"{payload_ids.RESUME!r} or {FROM_MENU}:<command>:<choice>"
        )
    return QuickReply(entry)


def _reactions(replies: list[QuickReply], where: str) -> None:
    """A decision template exists for its buttons, and they can only be the notice's own:
    a fixed payload could not say which decision was meant."""
    expected = f"{FROM_MENU}:{REACT}:<{'|'.join(REACTIONS)}>"
    if not replies:
        raise TemplateFileError(f"{where}: a decision template needs its buttons: {expected}")
    for index, reply in enumerate(replies):
        if reply.command != REACT or reply.choice not in REACTIONS:
            raise TemplateFileError(
                f"{where}[{index}]: a decision template's buttons are the reactions to the "
                f"notice: {expected}"
            )


@dataclass(frozen=True, slots=True)
class _Shape:
    """What every language of one template must agree with."""

    parameters: tuple[str, ...]
    quick_replies: tuple[QuickReply, ...]
    max_parameter_chars: int


def _translation(raw: Any, where: str, shape: _Shape, limits: WhatsAppLimits) -> Translation:
    if not isinstance(raw, dict):
        raise TemplateFileError(f"{where}: expected a table with the approved body")
    _known_keys(raw, _LANGUAGE_KEYS, f"{where}.")
    body = raw.get("body")
    if not isinstance(body, str) or not body.strip():
        raise TemplateFileError(f"{where}.body: expected the approved text")
    _check_body(body, f"{where}.body", shape, limits)
    buttons = _buttons(raw.get("buttons", []), f"{where}.buttons", len(shape.quick_replies), limits)
    return Translation(body, buttons)


def _check_body(body: str, where: str, shape: _Shape, limits: WhatsAppLimits) -> None:
    """What Meta would refuse at review, or WhatsApp at sending, found while reading the file."""
    placeholders = _PLACEHOLDER.findall(body)
    if len(placeholders) != len(shape.parameters):
        raise TemplateFileError(
            f"{where}: has {len(placeholders)} placeholders, but parameters lists "
            f"{len(shape.parameters)}"
        )
    words = body.strip()
    if _PLACEHOLDER.match(words) or _ENDS_WITH_PLACEHOLDER.search(words):
        raise TemplateFileError(
            f"{where}: starts or ends with a placeholder, which Meta refuses: put words "
            "before and after it"
        )
    longest = len(_PLACEHOLDER.sub("", body)) + len(placeholders) * shape.max_parameter_chars
    if longest > limits.max_body_chars:
        raise TemplateFileError(
            f"{where}: with max_parameter_chars filled, the body reaches {longest} characters; "
            f"a template body has at most {limits.max_body_chars}"
        )


def _buttons(raw: Any, where: str, expected: int, limits: WhatsAppLimits) -> tuple[str, ...]:
    """The approved button titles: one per quick reply, in order, each fitting a button."""
    if not isinstance(raw, list) or not all(isinstance(title, str) for title in raw):
        raise TemplateFileError(f"{where}: expected a list of button titles")
    if len(raw) != expected:
        raise TemplateFileError(
            f"{where}: {len(raw)} titles, but quick_replies lists {expected}: one title per "
            "quick-reply button, in the same order"
        )
    limit = limits.max_button_title_chars
    for index, title in enumerate(raw):
        if not title.strip() or len(title) > limit:
            raise TemplateFileError(
                f"{where}[{index}]: {title!r} has {len(title)} characters; a button title has "
                f"1 to {limit}"
            )
        if title in raw[:index]:
            raise TemplateFileError(f"{where}[{index}]: {title!r} twice; WhatsApp refuses that")
    return tuple(raw)


def _known_keys(table: dict[str, Any], known: Sequence[str], prefix: str) -> None:
    """A misspelt key would otherwise be ignored silently (`button = [...]`: no buttons)."""
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise TemplateFileError(
            f"{prefix}{unknown[0]}: unknown key, expected one of {', '.join(known)}"
        )


def _table(raw: dict[str, Any], key: str, prefix: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise TemplateFileError(f"{prefix}{key}: expected a table")
    return value
