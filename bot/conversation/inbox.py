"""The web chat inbox: what a web chat participant was told that their page cannot rebuild.

The page rebuilds the conversation from the survey, the session and the stored answers (the
introduction, every question asked, the participant's answers, the thanks), so none of that is
stored twice. The inbox keeps only notices: an answer that was not understood, a language
change, a closed survey, a menu (help, language, delete, ...), what came of their answers
(loop closure) and the steps of their cases. Each item is sealed with the participant's data
key, so erasing that key makes the inbox unreadable too.

An item is the notice's text; when it was given while a question awaited an answer, that
question's id (the page shows the notice where it happened, between the question and the
answer); and when it offers buttons, its menu (the page shows them under the notice):

    {"n": text, "q": question id, "m": [[label, command, argument], ...]}

`q` and `m` are left out when empty, and so is an item's argument: the inbox is kept per
participant, so every byte counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.conversation.outgoing import MenuItem
from bot.privacy import ParticipantId, decrypt_field, encrypt_field, field_aad

INBOX_CAP = 200  # notices kept per participant (`LTRIM`); older ones are dropped


@dataclass(frozen=True, slots=True)
class Notice:
    text: str
    question_id: str | None = None  # the question awaiting an answer when it was given
    menu: tuple[MenuItem, ...] = ()  # buttons offered with it


def seal_notice(notice: Notice, participant_id: str, data_key: bytes) -> bytes:
    plain: dict[str, Any] = {"n": notice.text}
    if notice.question_id is not None:
        plain["q"] = notice.question_id
    if notice.menu:
        plain["m"] = [_stored_item(item) for item in notice.menu]
    text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    return encrypt_field(data_key, text, _aad(participant_id))


def open_notice(sealed: bytes, participant_id: str, data_key: bytes) -> Notice | None:
    """The notice, or None for an item that holds none (an older inbox format kept every
    message; the page rebuilds those now). Items written before menus were kept read as
    notices without one. Raises DecryptionError for a wrong key."""
    plain = json.loads(decrypt_field(data_key, sealed, _aad(participant_id)))
    if not isinstance(plain, dict) or not isinstance(plain.get("n"), str):
        return None
    question = plain.get("q")
    return Notice(
        plain["n"], question if isinstance(question, str) else None, _menu(plain.get("m"))
    )


def _stored_item(item: MenuItem) -> list[str]:
    stored = [item.label, item.command]
    return [*stored, item.argument] if item.argument else stored


def _menu(stored: Any) -> tuple[MenuItem, ...]:
    """The menu as stored; an item that is not [label, command(, argument)] is left out rather
    than shown as a button that would mean something else."""
    if not isinstance(stored, list):
        return ()
    return tuple(
        MenuItem(*item)
        for item in stored
        if isinstance(item, list)
        and len(item) in (2, 3)
        and all(isinstance(part, str) for part in item)
    )


def _aad(participant_id: str) -> bytes:
    return field_aad(ParticipantId(participant_id), "webchat")
