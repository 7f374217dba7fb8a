"""Read a webhook body (already signature-checked) into typed items: messages people sent and
statuses of messages we sent. Tolerant: Meta adds fields and kinds over time, so anything not
understood is skipped or reported as its kind, never a failure of the whole batch.

A message or status with a field Sauti must read but cannot (an id that is no id, a text that
is no string) is malformed: it is left out and named in `Batch.malformed`, so that it is
counted while its neighbours are stored as usual. Only an unreadable timestamp or error code
leaves the item in: the time it arrived, or "no code", is as good as what Meta sends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

# Message kinds that carry nothing to answer with; answered with "please use text or buttons".
# `system` (a number change) and `request_welcome` are not from a person typing: ignored.
IGNORED_KINDS = frozenset({"system", "request_welcome", "ephemeral", "revoked", "errors"})

# Meta's ids (wamid.…) and senders (a number, or a business-scoped user id) are short and
# printable ASCII; the kinds are lowercase words. Anything else is not from Meta.
_ID = re.compile(r"[!-~]{1,512}")
_SENDER = re.compile(r"[!-~]{1,64}")
_KIND = re.compile(r"[a-z_]{1,32}")  # bounded: kinds become metric labels downstream
_SECONDS = re.compile(r"[0-9]{1,12}")
_LAST_SECOND = 253_402_300_799  # 9999-12-31: any later time is no time at all
_MAX_ERROR_CODE = 2**31


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
class Malformed:
    """What could not be read: which item (message, status) and which of its fields (or
    `not_an_object`); never the value, which may hold a phone number."""

    item: str
    field: str


@dataclass(frozen=True, slots=True)
class Batch:
    messages: tuple[IncomingMessage, ...]
    statuses: tuple[StatusUpdate, ...]
    other_numbers: int  # changes addressed to another business number of the same app
    malformed: tuple[Malformed, ...] = ()


def parse(body: Any, phone_number_id: str | None) -> Batch:
    """Every message and status in every entry and change, in payload order. Changes for
    another phone number id (one Meta app may serve several numbers) are counted, not read."""
    reader = _Reader()
    messages: list[IncomingMessage] = []
    statuses: list[StatusUpdate] = []
    other = 0
    for value in _values(body):
        number = _dict(value.get("metadata")).get("phone_number_id")
        if phone_number_id is not None and number is not None and str(number) != phone_number_id:
            other += 1
            continue
        messages += [m for raw in _list(value.get("messages")) if (m := reader.message(raw))]
        statuses += [s for raw in _list(value.get("statuses")) if (s := reader.status(raw))]
    return Batch(tuple(messages), tuple(statuses), other, tuple(reader.malformed))


def _values(body: Any) -> Iterator[dict[str, Any]]:
    for entry in _list(_dict(body).get("entry")):
        for raw in _list(_dict(entry).get("changes")):
            change = _dict(raw)
            if change.get("field", "messages") == "messages":
                yield _dict(change.get("value"))


class _UnreadableError(Exception):
    """A field of an item cannot be read: the item is malformed."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass
class _Reader:
    """Reads items one by one, noting each malformed one instead of failing the batch."""

    malformed: list[Malformed] = field(default_factory=list)

    def message(self, raw: Any) -> IncomingMessage | None:
        try:
            return self._message(_object(raw))
        except _UnreadableError as error:
            self.malformed.append(Malformed("message", error.name))
            return None

    def status(self, raw: Any) -> StatusUpdate | None:
        try:
            return self._status(_object(raw))
        except _UnreadableError as error:
            self.malformed.append(Malformed("status", error.name))
            return None

    def _message(self, raw: dict[str, Any]) -> IncomingMessage | None:
        wamid = _required(_ID, raw.get("id"), "id")
        wa_id = _required(_SENDER, raw.get("from"), "from")
        kind = _required(_KIND, raw.get("type"), "type")
        if kind in IGNORED_KINDS:
            return None
        base = IncomingMessage(wamid, wa_id, self._seconds("message", raw.get("timestamp")), kind)
        if kind == "text":
            return replace(base, text=_text(_dict(raw.get("text")).get("body", ""), "text"))
        if kind == "interactive":
            return _interactive(base, _dict(raw.get("interactive")))
        if kind == "button":  # a template's quick-reply button
            button = _dict(raw.get("button"))
            text = _text(button.get("text", ""), "button")
            return replace(
                base, text=text, reply_id=_optional_text(button.get("payload"), "button")
            )
        return base

    def _status(self, raw: dict[str, Any]) -> StatusUpdate:
        wamid = _required(_ID, raw.get("id"), "id")
        recipient = _required(_SENDER, raw.get("recipient_id"), "recipient_id")
        status = _required(_KIND, raw.get("status"), "status")
        errors = _list(raw.get("errors"))
        code = self._error_code(_dict(errors[0]).get("code")) if errors else None
        return StatusUpdate(
            wamid, recipient, status, self._seconds("status", raw.get("timestamp")), code
        )

    def _seconds(self, item: str, value: Any) -> int | None:
        """A Unix time in seconds (Meta sends a string of digits); None when missing or when
        it is no time at all (noted, but the item is kept)."""
        if value is None:
            return None
        if isinstance(value, str) and _SECONDS.fullmatch(value):
            value = int(value)
        if type(value) is int and 0 < value <= _LAST_SECOND:
            return value
        self.malformed.append(Malformed(item, "timestamp"))
        return None

    def _error_code(self, value: Any) -> int | None:
        if isinstance(value, str) and _SECONDS.fullmatch(value):
            value = int(value)
        if type(value) is int and 0 <= value < _MAX_ERROR_CODE:
            return value
        if value is not None:
            self.malformed.append(Malformed("status", "errors"))
        return None


def _interactive(base: IncomingMessage, interactive: dict[str, Any]) -> IncomingMessage:
    reply_kind = interactive.get("type", "")
    if not (isinstance(reply_kind, str) and _KIND.fullmatch(reply_kind)):
        return replace(base, kind="interactive.unknown")
    if reply_kind not in ("button_reply", "list_reply"):
        return replace(base, kind=f"interactive.{reply_kind}")
    reply = _dict(interactive.get(reply_kind))
    return replace(
        base,
        kind=reply_kind,
        text=_text(reply.get("title", ""), "interactive"),
        reply_id=_optional_text(reply.get("id"), "interactive"),
    )


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _UnreadableError("not_an_object")
    return value


def _required(pattern: re.Pattern[str], value: Any, name: str) -> str:
    if isinstance(value, str) and pattern.fullmatch(value):
        return value
    raise _UnreadableError(name)


def _text(value: Any, name: str) -> str:
    if isinstance(value, str):
        return value
    raise _UnreadableError(name)


def _optional_text(value: Any, name: str) -> str | None:
    return None if value is None else _text(value, name)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
