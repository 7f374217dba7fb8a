"""The web chat inbox: what a web chat participant was told that their page cannot rebuild.

The page rebuilds the conversation from the survey, the session and the stored answers (the
introduction, every question asked, the participant's answers, the thanks), so none of that is
stored twice. The inbox keeps only notices: an answer that was not understood, a language
change, a closed survey, and — later — what came of their answers (loop closure). Each item is
sealed with the participant's data key, so erasing that key makes the inbox unreadable too.

An item is the notice's text and, when it was given while a question awaited an answer, that
question's id: the page shows the notice where it happened, between the question and the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.privacy import ParticipantId, decrypt_field, encrypt_field, field_aad

INBOX_CAP = 200  # notices kept per participant (`LTRIM`); older ones are dropped


@dataclass(frozen=True, slots=True)
class Notice:
    text: str
    question_id: str | None = None  # the question awaiting an answer when it was given


def seal_notice(notice: Notice, participant_id: str, data_key: bytes) -> bytes:
    plain: dict[str, str] = {"n": notice.text}
    if notice.question_id is not None:
        plain["q"] = notice.question_id
    text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    return encrypt_field(data_key, text, _aad(participant_id))


def open_notice(sealed: bytes, participant_id: str, data_key: bytes) -> Notice | None:
    """The notice, or None for an item that holds none (an older inbox format kept every
    message; the page rebuilds those now). Raises DecryptionError for a wrong key."""
    plain = json.loads(decrypt_field(data_key, sealed, _aad(participant_id)))
    if not isinstance(plain, dict) or not isinstance(plain.get("n"), str):
        return None
    question = plain.get("q")
    return Notice(plain["n"], question if isinstance(question, str) else None)


def _aad(participant_id: str) -> bytes:
    return field_aad(ParticipantId(participant_id), "webchat")
