"""Read a webhook body (already signature-checked) into typed items: messages people sent and
statuses of messages we sent. Tolerant: Meta adds fields and kinds over time, so anything not
understood is skipped or reported as its kind, never a failure of the whole batch."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

# Message kinds that carry nothing to answer with; answered with "please use text or buttons".
# `system` (a number change) and `request_welcome` are not from a person typing: ignored.
IGNORED_KINDS = frozenset({"system", "request_welcome", "ephemeral", "revoked", "errors"})


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One message a person sent. `reply_id`: the id of the button or list row they tapped
    (ours), or a template quick reply's payload; `text`: what they typed, or the title of what
    they tapped."""

    wamid: str
    wa_id: str
    timestamp_s: int | None
    kind: str  # text | button_reply | list_reply | button | <an unsupported kind>
    text: str = ""
    reply_id: str | None = None


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    wamid: str
    recipient: str
    status: str  # sent | delivered | read | failed (others are passed on as they come)
    timestamp_s: int | None
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    messages: tuple[IncomingMessage, ...]
    statuses: tuple[StatusUpdate, ...]
    other_numbers: int  # changes addressed to another business number of the same app


def parse(body: Any, phone_number_id: str | None) -> Batch:
    """Every message and status in every entry and change, in payload order. Changes for
    another phone number id (one Meta app may serve several numbers) are counted, not read."""
    messages: list[IncomingMessage] = []
    statuses: list[StatusUpdate] = []
    other = 0
    for value in _values(body):
        number = _dict(value.get("metadata")).get("phone_number_id")
        if phone_number_id is not None and number is not None and str(number) != phone_number_id:
            other += 1
            continue
        messages += [m for raw in _list(value.get("messages")) if (m := _message(raw))]
        statuses += [s for raw in _list(value.get("statuses")) if (s := _status(raw))]
    return Batch(tuple(messages), tuple(statuses), other)


def _values(body: Any) -> Iterator[dict[str, Any]]:
    for entry in _list(_dict(body).get("entry")):
        for raw in _list(_dict(entry).get("changes")):
            change = _dict(raw)
            if change.get("field", "messages") == "messages":
                yield _dict(change.get("value"))


def _message(raw: Any) -> IncomingMessage | None:
    raw = _dict(raw)
    wamid, wa_id, kind = raw.get("id"), raw.get("from"), raw.get("type")
    if not (isinstance(wamid, str) and isinstance(wa_id, str) and isinstance(kind, str)):
        return None
    if kind in IGNORED_KINDS:
        return None
    base = IncomingMessage(wamid, wa_id, _int(raw.get("timestamp")), kind)
    if kind == "text":
        return replace(base, text=str(_dict(raw.get("text")).get("body", "")))
    if kind == "interactive":
        interactive = _dict(raw.get("interactive"))
        reply_kind = str(interactive.get("type", ""))
        if reply_kind in ("button_reply", "list_reply"):
            reply = _dict(interactive.get(reply_kind))
            return replace(
                base,
                kind=reply_kind,
                text=str(reply.get("title", "")),
                reply_id=str(reply["id"]) if "id" in reply else None,
            )
        return replace(base, kind=f"interactive.{reply_kind or 'unknown'}")
    if kind == "button":  # a template's quick-reply button
        button = _dict(raw.get("button"))
        payload = button.get("payload")
        return replace(
            base,
            text=str(button.get("text", "")),
            reply_id=str(payload) if payload is not None else None,
        )
    return base


def _status(raw: Any) -> StatusUpdate | None:
    raw = _dict(raw)
    wamid, recipient, status = raw.get("id"), raw.get("recipient_id"), raw.get("status")
    if not (isinstance(wamid, str) and isinstance(recipient, str) and isinstance(status, str)):
        return None
    errors = _list(raw.get("errors"))
    code = _int(_dict(errors[0]).get("code")) if errors else None
    return StatusUpdate(wamid, recipient, status, _int(raw.get("timestamp")), code)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
