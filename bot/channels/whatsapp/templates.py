"""Approved message templates: the only messages WhatsApp delivers outside the 24-hour window.

Templates are approved by Meta per name and language, so the file names, per purpose, the
template's name and each approved language (with the approved text, for operators and for the
test fake). A participant whose language has no approved template gets the first language of
the fallback rules that has one; if none has, nothing is sent (never a free-form message) and
the gap is reported: a log line, a metric, and `sauti whatsapp templates`.

Purposes:
- `continue`: a question or menu waits for someone whose window closed. Its quick-reply button
  carries the payload `resume`; tapping it opens a new window and the question is asked again.
- `notice`: a plain message (what came of the answers, say) for someone whose window closed;
  its one body parameter is the message text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.channels.whatsapp.shorten import flatten, shorten

CONTINUE = "continue"
NOTICE = "notice"
PURPOSES = (CONTINUE, NOTICE)
PARAMETER_SOURCES = ("text",)
ANY_LANGUAGE = "*"
_PLACEHOLDER = re.compile(r"\{\{\s*\d+\s*\}\}")


class TemplateFileError(Exception):
    """The templates file cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Template:
    purpose: str
    name: str
    bodies: Mapping[str, str]  # WhatsApp language code → the approved text
    parameters: tuple[str, ...]  # where each {{n}} comes from, in order
    quick_replies: tuple[str, ...]  # the payload of each quick-reply button, by index
    max_parameter_chars: int


@dataclass(frozen=True, slots=True)
class Resolved:
    template: Template
    code: str  # the WhatsApp language code used
    fallback: bool  # True when not the participant's own language


@dataclass(frozen=True)
class TemplateBook:
    templates: Mapping[str, Template] = field(default_factory=dict)
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "(no templates file)"

    def resolve(self, purpose: str, language: str) -> Resolved | None:
        """The template to use for `purpose` with someone reading `language`, or None."""
        template = self.templates.get(purpose)
        if template is None:
            return None
        for code in self.candidates(language):
            if code in template.bodies:
                return Resolved(template, code, fallback=not _same(code, language))
        return None

    def candidates(self, language: str) -> tuple[str, ...]:
        """WhatsApp language codes to try for `language` ('pt-BR'), best first."""
        base = language.replace("_", "-").split("-", maxsplit=1)[0]
        own = [language, language.replace("-", "_"), base]
        rules = [
            *self.fallbacks.get(language, ()),
            *self.fallbacks.get(base, ()),
            *self.fallbacks.get(ANY_LANGUAGE, ()),
        ]
        return tuple(dict.fromkeys(code for code in [*own, *rules] if code))

    def content(self, resolved: Resolved, text: str) -> dict[str, Any]:
        """The Graph API message for a resolved template, carrying `text` where it asks."""
        template = resolved.template
        components: list[dict[str, Any]] = []
        values = {"text": shorten(flatten(text), template.max_parameter_chars)}
        if template.parameters:
            components.append(
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": values[source]} for source in template.parameters
                    ],
                }
            )
        for index, payload in enumerate(template.quick_replies):
            components.append(
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": str(index),
                    "parameters": [{"type": "payload", "payload": payload}],
                }
            )
        body: dict[str, Any] = {"name": template.name, "language": {"code": resolved.code}}
        if components:
            body["components"] = components
        return {"type": "template", "template": body}


def _same(code: str, language: str) -> bool:
    return code.replace("_", "-").split("-")[0] == language.replace("_", "-").split("-")[0]


def load_templates(path: Path) -> TemplateBook:
    """Read the templates file; a missing file is an empty book (nothing outside the window).
    Raises TemplateFileError naming the file and the key that is wrong."""
    if not path.exists():
        return TemplateBook(source=f"{path} (missing)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TemplateFileError(f"{path}: {error}") from error
    return parse_templates(raw, str(path))


def parse_templates(raw: dict[str, Any], source: str) -> TemplateBook:
    unknown = set(raw) - {"fallback", "templates"}
    if unknown:
        raise TemplateFileError(f"{source}: unknown table {sorted(unknown)[0]!r}")
    fallbacks = {}
    for language, codes in _table(raw, "fallback", source).items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise TemplateFileError(f"{source}: fallback.{language}: expected a list of codes")
        fallbacks[language] = tuple(codes)
    templates = {}
    for purpose, spec in _table(raw, "templates", source).items():
        if purpose not in PURPOSES:
            raise TemplateFileError(
                f"{source}: templates.{purpose}: unknown purpose, expected one of "
                + ", ".join(PURPOSES)
            )
        templates[purpose] = _template(purpose, spec, f"{source}: templates.{purpose}")
    return TemplateBook(templates, fallbacks, source)


def _template(purpose: str, spec: Any, where: str) -> Template:
    if not isinstance(spec, dict):
        raise TemplateFileError(f"{where}: expected a table")
    name = spec.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,512}", name):
        raise TemplateFileError(f"{where}.name: expected lower-case letters, digits and _")
    parameters = tuple(spec.get("parameters", ()))
    for source in parameters:
        if source not in PARAMETER_SOURCES:
            raise TemplateFileError(f"{where}.parameters: unknown source {source!r}")
    quick_replies = tuple(str(p) for p in spec.get("quick_replies", ()))
    bodies: dict[str, str] = {}
    for code, language in _table(spec, "languages", where).items():
        body = language.get("body") if isinstance(language, dict) else None
        if not isinstance(body, str) or not body.strip():
            raise TemplateFileError(f"{where}.languages.{code}.body: expected the approved text")
        if len(_PLACEHOLDER.findall(body)) != len(parameters):
            raise TemplateFileError(
                f"{where}.languages.{code}.body: has {len(_PLACEHOLDER.findall(body))} "
                f"placeholders, but parameters lists {len(parameters)}"
            )
        bodies[code] = body
    limit = spec.get("max_parameter_chars", 700)
    if not isinstance(limit, int) or limit < 1:
        raise TemplateFileError(f"{where}.max_parameter_chars: expected a positive integer")
    return Template(purpose, name, bodies, parameters, quick_replies, limit)


def _table(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise TemplateFileError(f"{where}.{key}: expected a table")
    return value
