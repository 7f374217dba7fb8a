"""Approved message templates: the only messages WhatsApp delivers outside the 24-hour window.

Templates are approved by Meta per name and language, so the file names, per purpose, the
template's name and each approved language (with the approved text and button titles, for
operators and for the test fake). A participant whose language has no approved template gets
the first language of the fallback rules that has one; if none has, nothing is sent (never a
free-form message) and the gap is reported: a log line, a metric, and `sauti whatsapp
templates`.

Purposes:
- `continue`: a question or menu waits for someone whose window closed. Its quick-reply button
  carries the payload `resume`; tapping it opens a new window and the question is asked again.
- `notice`: a plain message (what came of the answers, say) for someone whose window closed;
  its one body parameter is the message text.
- `decision`: a decision notice (bot.loop) for someone whose window closed: the notice text as
  its body parameter, and quick-reply buttons that answer like the buttons under the notice
  inside the window (Helpful, Still concerned, Tell me more). A decision notice asks for
  `decision`, else `notice` (`TemplateBook.choose`): without the decision template it still
  goes out, as text.
- `shared`: a decision notice in shared-phone mode (the participant's choice, or the campaign's
  `shared_phones`) for someone whose window closed. Its body names nothing (no survey, no
  company, no decision) and carries no parameter; its one quick reply, `menu:react:more`,
  shows the whole decision to whoever taps it. Shared-phone notices ask for it alone: without
  it nothing goes out (never the `notice` template, whose words name the survey).
- `shared_continue`: `continue` in shared-phone mode: a question waits, in words that name
  nothing; its button carries `resume`.
- `invitation`: an invitation to a new survey (bot.panels) for a panel member whose window is
  closed (almost all of them): the invitation text as its body parameter, and a quick reply
  `menu:start:*` that joins the campaign like the invitation's own button. No other template
  stands in for it: without one in a language, nobody reading only that language is invited
  on WhatsApp outside the window.

A quick reply is a fixed payload (`resume`) or `menu:<command>:<choice>` (`*`: whatever the
button's argument, as for `menu:start:*`, whose argument is the campaign). Meta approves a
template's button titles but not its payloads, which each message sets: `menu:react:concerns`
takes, as the message goes out, the id of the message's own "concerns" menu button, so a tap
carries the decision's reference and comes back as the very Command the in-window button gives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.channels.whatsapp import payload_ids
from bot.channels.whatsapp.shorten import flatten, shorten
from bot.conversation.outgoing import SHARED_CONTINUE, SHARED_NOTICE, MenuItem

CONTINUE = "continue"
NOTICE = "notice"
DECISION = "decision"
SHARED = SHARED_NOTICE
INVITATION = "invitation"
PURPOSES = (CONTINUE, NOTICE, DECISION, SHARED, SHARED_CONTINUE, INVITATION)
ANY_CHOICE = "*"  # `menu:<command>:*`: that command's button, whatever its argument
PARAMETER_SOURCES = ("text",)
ANY_LANGUAGE = "*"
FROM_MENU = "menu"  # the quick reply `menu:<command>:<choice>`

Menu = Sequence[MenuItem]  # the buttons a message offers outside the survey


@dataclass(frozen=True, slots=True)
class QuickReply:
    """What one quick-reply button sends back when tapped."""

    fixed: str | None  # its own payload (`resume`); None: the payload comes from the menu
    command: str = ""  # the menu button's command ...
    choice: str = ""  # ... and the first field of its argument ("concerns" of "concerns:<ref>")

    def payload(self, menu: Menu) -> str | None:
        """The payload for a message offering `menu`; None when that menu lacks the button."""
        if self.fixed is not None:
            return self.fixed
        for item in menu:
            first = item.argument.partition(":")[0]
            if item.command == self.command and self.choice in (first, ANY_CHOICE):
                return payload_ids.menu_item(item)
        return None


@dataclass(frozen=True, slots=True)
class Translation:
    body: str  # the approved text
    buttons: tuple[str, ...]  # the approved title of each quick-reply button, by index


@dataclass(frozen=True, slots=True)
class Template:
    purpose: str
    name: str
    languages: Mapping[str, Translation]  # WhatsApp language code → the approved texts
    parameters: tuple[str, ...]  # where each {{n}} comes from, in order
    quick_replies: tuple[QuickReply, ...]  # what each quick-reply button sends, by index
    max_parameter_chars: int

    def payloads(self, menu: Menu) -> tuple[str, ...] | None:
        """Each quick-reply button's payload for a message offering `menu`; None when the
        message lacks one of those buttons (this template cannot stand in for it)."""
        found = []
        for reply in self.quick_replies:
            payload = reply.payload(menu)
            if payload is None:
                return None
            found.append(payload)
        return tuple(found)


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
        return self.choose((purpose,), language)

    def choose(
        self, purposes: Sequence[str], language: str, menu: Menu | None = None
    ) -> Resolved | None:
        """The template standing in for a message that asks for `purposes`, best first, with
        someone reading `language`, or None. Their own language comes before the purpose: a
        notice in Swahili (no buttons) serves a Swahili reader better than a decision template
        in the fallback English, whose words and button titles they may not read. Given the
        message's `menu`, a template whose quick replies it cannot fill does not count."""
        usable = [
            self.templates[purpose]
            for purpose in purposes
            if purpose in self.templates
            and (menu is None or self.templates[purpose].payloads(menu) is not None)
        ]
        for code in self.candidates(language):
            for template in usable:
                if code in template.languages:
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

    def content(self, resolved: Resolved, text: str, menu: Menu = ()) -> dict[str, Any]:
        """The Graph API message for a resolved template, carrying `text` where it asks and
        the payload of each quick-reply button (from `menu` where the file says so)."""
        template = resolved.template
        payloads = template.payloads(menu)
        if payloads is None:
            raise ValueError(f"the message's menu lacks a button of template '{template.name}'")
        components: list[dict[str, Any]] = []
        if template.parameters:
            components.append(
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": value}
                        for value in parameter_values(template, text)
                    ],
                }
            )
        for index, payload in enumerate(payloads):
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


def parameter_values(template: Template, text: str) -> list[str]:
    """What each of the template's {{n}} carries for a message of `text`, in order: what the
    client sends and what a preview shows alike."""
    values = {"text": shorten(flatten(text), template.max_parameter_chars)}
    return [values[source] for source in template.parameters]


_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


def filled_body(body: str, values: Sequence[str]) -> str:
    """An approved body as WhatsApp shows it with `values`: each {{n}} replaced by the n-th
    value, in one pass (a value that itself reads "{{2}}" is shown as written, as WhatsApp
    shows it)."""

    def value(found: re.Match[str]) -> str:
        number = int(found.group(1))
        return values[number - 1] if 1 <= number <= len(values) else found.group(0)

    return _PLACEHOLDER.sub(value, body)


def _same(code: str, language: str) -> bool:
    return code.replace("_", "-").split("-")[0] == language.replace("_", "-").split("-")[0]
