"""Outgoing messages as outbox bodies: the JSON an outbox entry seals, and the typed message the
sender reads back from it.

The body's layout is stored data: entries queued by an earlier Sauti wait in the outbox (and
in dead letters, and in WhatsApp's resend store) across an upgrade, so it only ever grows:

    {"text": str, "from": "sauti" | "me",
     "prompt": {...Prompt fields...}              # a survey question
     "menu": [{"label", "cmd", "arg"}, ...]       # buttons outside the survey
     "q": question id                              # on an echo of the participant's answer
     "edit": true                                  # re-renders the question already shown
     "to": address                                 # a reply to someone without a record
     "kind": "decision", "decision": {"ref", "version", "status"}   # a decision notice
     "template": {"purpose", "fallback", "language"}   # templates that may stand in
     "wa_template": true,                          # send only as an approved template
     "qx": true,                                   # part of a quick exit
     "clear": true,                                # clear the chat (a quick exit)
     "until": ms,                                  # ... of what it showed then
     "unrec": true}                                # keep nothing in the chat's history

Keys are written only when they say something, in this order. Reading is lenient: a key that
is missing takes its default, one it does not know is ignored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from bot.conversation.outgoing import DecisionNotice, MenuItem, Outgoing, Sender, TemplateHint
from dialogues.events import Choice, ControlLabels, Prompt
from dialogues.model import QuestionKind

DECISION_KIND = "decision"  # the "kind" of a decision notice, the only kind there is


def message_to_plain(message: Outgoing) -> dict[str, Any]:
    """The outbox body of `message` (see the module docstring), ready for JSON."""
    plain: dict[str, Any] = {"text": message.text, "from": message.sender.value}
    if message.prompt is not None:
        plain["prompt"] = _prompt_to_plain(message.prompt)
    if message.menu:
        plain["menu"] = [
            {"label": item.label, "cmd": item.command, "arg": item.argument}
            for item in message.menu
        ]
    if message.question_id is not None:
        plain["q"] = message.question_id
    if message.edit:
        plain["edit"] = True
    if message.address is not None:
        plain["to"] = message.address
    if message.decision is not None:
        plain["kind"] = DECISION_KIND
        plain["decision"] = dataclasses.asdict(message.decision)
    if message.template is not None:
        plain["template"] = dataclasses.asdict(message.template)
    if message.template_only:
        plain["wa_template"] = True
    if message.quick_exit:
        plain["qx"] = True
    if message.clear_chat:
        plain["clear"] = True
    if message.clear_until_ms:
        plain["until"] = message.clear_until_ms
    if message.unrecorded:
        plain["unrec"] = True
    return plain


def message_from_plain(plain: Mapping[str, Any]) -> Outgoing:
    """The typed message of an outbox body, whichever Sauti version wrote it."""
    prompt = plain.get("prompt")
    question_id = plain.get("q")
    address = plain.get("to")
    return Outgoing(
        text=str(plain.get("text", "")),
        sender=Sender.PARTICIPANT if plain.get("from") == Sender.PARTICIPANT else Sender.SAUTI,
        prompt=_prompt(prompt) if prompt else None,
        menu=tuple(_menu_item(item) for item in plain.get("menu") or ()),
        question_id=str(question_id) if question_id is not None else None,
        edit=bool(plain.get("edit")),
        address=address if isinstance(address, str) else None,
        decision=_decision(plain.get("decision")) if plain.get("kind") == DECISION_KIND else None,
        template=_template(plain.get("template")),
        template_only=bool(plain.get("wa_template")),
        quick_exit=bool(plain.get("qx")),
        clear_chat=bool(plain.get("clear")),
        clear_until_ms=_int(plain.get("until")),
        unrecorded=bool(plain.get("unrec")),
    )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _prompt_to_plain(prompt: Prompt) -> dict[str, Any]:
    """What `dataclasses.asdict` made of a prompt, field by field: asdict deep-copies every
    value on the way, and a question goes out with every answer (it was 3 % of Sauti's CPU
    per update)."""
    return {
        "question_id": prompt.question_id,
        "kind": prompt.kind,
        "text": prompt.text,
        "hint": prompt.hint,
        "language": prompt.language,
        "direction": prompt.direction,
        "choices": [
            {"id": choice.id, "label": choice.label, "number": choice.number}
            for choice in prompt.choices
        ],
        "allow_skip": prompt.allow_skip,
        "allow_decline": prompt.allow_decline,
        "allow_back": prompt.allow_back,
        "labels": {
            "skip": prompt.labels.skip,
            "back": prompt.labels.back,
            "decline": prompt.labels.decline,
            "done": prompt.labels.done,
        },
        "position": prompt.position,
        "total": prompt.total,
        "min_selections": prompt.min_selections,
        "max_selections": prompt.max_selections,
        "min_value": prompt.min_value,
        "max_value": prompt.max_value,
        "max_length": prompt.max_length,
        "selected": list(prompt.selected),
        "previous_answer": prompt.previous_answer,
    }


def _prompt(plain: Mapping[str, Any]) -> Prompt:
    labels = plain["labels"]
    return Prompt(
        question_id=str(plain["question_id"]),
        kind=QuestionKind(plain["kind"]),
        text=str(plain.get("text", "")),
        hint=str(plain.get("hint", "")),
        language=str(plain["language"]),
        direction=plain.get("direction", "ltr"),
        choices=tuple(
            Choice(str(c["id"]), str(c["label"]), int(c["number"]))
            for c in plain.get("choices") or ()
        ),
        allow_skip=bool(plain.get("allow_skip")),
        allow_decline=bool(plain.get("allow_decline")),
        allow_back=bool(plain.get("allow_back")),
        labels=ControlLabels(
            skip=str(labels["skip"]),
            back=str(labels["back"]),
            decline=str(labels["decline"]),
            done=str(labels["done"]),
        ),
        position=int(plain.get("position") or 0),
        total=int(plain.get("total") or 0),
        min_selections=int(plain.get("min_selections", 1)),
        max_selections=int(plain.get("max_selections", 1)),
        min_value=plain.get("min_value"),
        max_value=plain.get("max_value"),
        max_length=plain.get("max_length"),
        selected=tuple(str(option) for option in plain.get("selected") or ()),
        previous_answer=plain.get("previous_answer"),
    )


def _menu_item(plain: Mapping[str, Any]) -> MenuItem:
    return MenuItem(str(plain["label"]), str(plain["cmd"]), str(plain.get("arg", "")))


def _decision(plain: Any) -> DecisionNotice:
    found: Mapping[str, Any] = plain if isinstance(plain, Mapping) else {}
    return DecisionNotice(
        ref=str(found.get("ref", "")),
        version=int(found.get("version", 0)),
        status=str(found.get("status", "")),
    )


def _template(plain: Any) -> TemplateHint | None:
    if not isinstance(plain, Mapping):
        return None
    fallback = plain.get("fallback")
    return TemplateHint(
        purpose=str(plain.get("purpose", "")),
        fallback=str(fallback) if fallback is not None else None,
        language=str(plain.get("language", "")),
    )
