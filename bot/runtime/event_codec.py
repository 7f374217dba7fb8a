"""Inbound events as stream entries: what the channels write and the worker reads back.

Whatever a participant typed, and their platform address, travel encrypted (the `body` field):
a stream entry sits in Redis until it is processed and trimmed, and free text is never stored in
clear. It is sealed in transit (bot.privacy.crypto), so ingest needs no per-participant key.
"""

from __future__ import annotations

import json
from typing import Any

from bot.conversation.inbound import (
    Action,
    Answer,
    Channel,
    Command,
    InboundEvent,
    Join,
    Reachability,
    Unsupported,
)
from bot.privacy import ParticipantCrypto
from dialogues.inbound import (
    ChangeLanguage,
    ChoiceReply,
    Decline,
    GoBack,
    Pause,
    Resume,
    Skip,
    SubmitSelection,
    TextReply,
    ToggleOption,
)


def encode(event: InboundEvent, crypto: ParticipantCrypto) -> dict[str, str | bytes]:
    """Stream entry fields for an event; the body is sealed and bound to the event id."""
    plain: dict[str, Any] = {"a": _action_to_plain(event.action), "addr": event.address}
    if event.locale:
        plain["loc"] = event.locale
    if event.zone_hint:
        plain["tz"] = event.zone_hint  # absent from entries older Sauti wrote: decoded as None
    body = json.dumps(plain, separators=(",", ":"))
    return {
        "id": event.event_id,
        "ch": event.channel.value,
        "pid": event.participant_id,
        "t": str(event.received_at_ms),
        "body": crypto.seal_in_transit(body, event.event_id.encode()),
    }


def decode(fields: dict[bytes, bytes], crypto: ParticipantCrypto) -> InboundEvent:
    """Read back `encode`'s fields. Raises DecryptionError, KeyError or ValueError if broken."""
    event_id = fields[b"id"].decode()
    body = json.loads(crypto.open_in_transit(fields[b"body"], event_id.encode()))
    return InboundEvent(
        event_id=event_id,
        channel=Channel(fields[b"ch"].decode()),
        participant_id=fields[b"pid"].decode(),
        received_at_ms=int(fields[b"t"]),
        action=_action_from_plain(body["a"]),
        address=body.get("addr"),
        locale=body.get("loc"),
        zone_hint=body.get("tz"),
    )


_SIMPLE: dict[str, type[Skip | Decline | GoBack | SubmitSelection]] = {
    "skip": Skip,
    "decline": Decline,
    "back": GoBack,
    "submit": SubmitSelection,
}


def _action_to_plain(action: Action) -> dict[str, Any]:
    match action:
        case Join(campaign_id, language, updates, quote, contact, version):
            plain: dict[str, Any] = {"join": campaign_id, "lang": language}
            for name, ticked in (("upd", updates), ("quote", quote), ("contact", contact)):
                if ticked is not None:
                    plain[name] = ticked
            if version is not None:
                plain["tv"] = version
            return plain
        case Command(name, argument):
            return {"cmd": name, "arg": argument}
        case Unsupported(kind):
            return {"unsupported": kind}
        case Reachability(reachable):
            return {"reachable": reachable}
    assert isinstance(action, Answer)
    match action.input:
        case TextReply(text, question_id):
            return {"text": text, "q": question_id}
        case ChoiceReply(question_id, option_ids):
            return {"choice": list(option_ids), "q": question_id}
        case ToggleOption(question_id, option_id):
            return {"toggle": option_id, "q": question_id}
        case ChangeLanguage(language):
            return {"language": language}
        case Pause():
            return {"pause": True}
        case Resume():
            return {"resume": True}
        case Skip() | Decline() | GoBack() | SubmitSelection() as simple:
            name = next(n for n, kind in _SIMPLE.items() if isinstance(simple, kind))
            return {name: True, "q": simple.question_id}
    raise ValueError(f"cannot encode {action!r}")  # pragma: no cover - exhaustive above


def _action_from_plain(plain: dict[str, Any]) -> Action:
    if "join" in plain:
        ticked = {
            name: None if plain.get(name) is None else bool(plain[name])
            for name in ("upd", "quote", "contact")
        }
        return Join(
            str(plain["join"]),
            str(plain["lang"]),
            ticked["upd"],
            quote=ticked["quote"],
            contact=ticked["contact"],
            version=None if plain.get("tv") is None else str(plain["tv"]),
        )
    if "cmd" in plain:
        return Command(str(plain["cmd"]), str(plain.get("arg", "")))
    if "unsupported" in plain:
        return Unsupported(str(plain["unsupported"]))
    if "reachable" in plain:
        return Reachability(bool(plain["reachable"]))
    question = plain.get("q")
    if "text" in plain:
        return Answer(TextReply(str(plain["text"]), question))
    if "choice" in plain:
        return Answer(ChoiceReply(question, tuple(map(str, plain["choice"]))))
    if "toggle" in plain:
        return Answer(ToggleOption(question, str(plain["toggle"])))
    if "language" in plain:
        return Answer(ChangeLanguage(str(plain["language"])))
    if "pause" in plain:
        return Answer(Pause())
    if "resume" in plain:
        return Answer(Resume())
    for name, kind in _SIMPLE.items():
        if name in plain:
            return Answer(kind(question))
    raise ValueError(f"unknown action {sorted(plain)}")
