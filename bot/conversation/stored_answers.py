"""A survey answer as kept in a participant's answers hash, and reading it back.

Fields stay within 64 bytes, so the hash keeps Redis's compact encoding (listpack, or ziplist
before Redis 7) on a server with default settings: one value longer than
`hash-max-listpack-value` (64) turns the whole hash into a hash table, about twice the memory.
Free text, the one kind of answer that is long by nature, is cut into chunks; a choice of many
options with long ids (over about 50 characters in all) can still pass the limit.

- `<question>` holds the header: the outcome (`a` answered, `s` skipped, `d` declined), then
  the time (seconds since EPOCH_S in base 36: 6 characters until 2029), then for an answer
  with a value `:` and the value as JSON (`ahhz0m:"judge"`, `ahhz0m:7`,
  `ahhz0m:["calls","money"]`); for a free-text answer `#` and the number of chunks its sealed
  text fills (`ahhz0m#2`).
- `<question>#<n>` (n from 1): the n-th 64-byte chunk of the sealed text (raw bytes). `#`
  cannot occur in a question id (dialogues.question_rules.QUESTION_ID).

Written before: one JSON object per question, `{"o": outcome, "t": epoch s, "v": value}`, free
text as `"x"` (base64). Both are read (an upgrade rewrites no answers); only this one is written.
The Lua rule evaluator (`bot/storage/lua/includes/rule_evaluator.lua`) reads both as well, and
the commit (`commit.lua`) deletes a header's chunks when it replaces or withdraws the answer.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogues.events import AnswerOutcome

EPOCH_S = 1_767_225_600  # 2026-01-01T00:00:00Z: keeps the stored time at 8 digits for years
CHUNK_BYTES = 64  # Redis's default hash-max-listpack-value
CHUNK_MARK = "#"

_OUTCOME_CODES = {
    AnswerOutcome.ANSWERED.value: "a",
    AnswerOutcome.SKIPPED.value: "s",
    AnswerOutcome.DECLINED.value: "d",
}
_OUTCOMES = {code: outcome for outcome, code in _OUTCOME_CODES.items()}
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"

AnswerValue = str | float | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    outcome: str  # an AnswerOutcome value
    value: AnswerValue | None  # None: skipped, declined or free text
    at: int  # epoch seconds
    free_text: bool = False
    sealed: bytes | None = None  # the free text, sealed with the participant's key (if read)

    @property
    def answered(self) -> bool:
        return self.outcome == AnswerOutcome.ANSWERED.value


def encode_answer(
    question_id: str,
    outcome: str,
    at: int,
    *,
    value: AnswerValue | None = None,
    sealed: bytes | None = None,
) -> dict[str, bytes]:
    """The hash fields of one answer: its header, and the chunks of a sealed free text."""
    header = _OUTCOME_CODES[outcome] + _base36(at - EPOCH_S)
    if sealed is not None:
        chunks = [sealed[n : n + CHUNK_BYTES] for n in range(0, len(sealed), CHUNK_BYTES)]
        fields = {chunk_field(question_id, n): chunk for n, chunk in enumerate(chunks, 1)}
        return {question_id: f"{header}{CHUNK_MARK}{len(chunks)}".encode(), **fields}
    if value is not None:
        plain = list(value) if isinstance(value, tuple) else value
        header += ":" + json.dumps(plain, separators=(",", ":"))
    return {question_id: header.encode()}


def chunk_field(question_id: str, n: int) -> str:
    return f"{chunk_prefix(question_id)}{n}"


def chunk_prefix(question_id: str) -> str:
    """What the names of a question's chunks start with."""
    return question_id + CHUNK_MARK


def is_chunk(field: bytes) -> bool:
    return CHUNK_MARK.encode() in field


def read_answers(fields: Mapping[bytes, bytes]) -> dict[str, StoredAnswer]:
    """A whole answers hash (as HGETALL returns it): question id -> answer, free texts
    reassembled from their chunks; fields that cannot be read are left out."""
    answers: dict[str, StoredAnswer] = {}
    for field, raw in fields.items():
        if is_chunk(field):
            continue
        question_id = field.decode()
        answer = read_answer(raw)
        if answer is None:
            continue
        if answer.free_text and answer.sealed is None:
            answer = _with_chunks(answer, question_id, raw, fields)
        answers[question_id] = answer
    return answers


def read_answer(raw: bytes | str) -> StoredAnswer | None:
    """One question's field, in either format. A free text's sealed bytes are only there for
    the old format (the new keeps them in chunks: `read_answers`). None when unreadable."""
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    if text.startswith("{"):
        return _read_json(text)
    outcome = _OUTCOMES.get(text[:1])
    if outcome is None:
        return None
    time, colon, encoded = text[1:].partition(":")
    time, mark, _ = time.partition(CHUNK_MARK)
    try:
        at = EPOCH_S + int(time, 36)
        value = _value(json.loads(encoded)) if colon else None
    except ValueError:
        return None
    return StoredAnswer(outcome, value, at, free_text=bool(mark))


def _with_chunks(
    answer: StoredAnswer, question_id: str, raw: bytes, fields: Mapping[bytes, bytes]
) -> StoredAnswer:
    count = int(raw.partition(CHUNK_MARK.encode())[2] or 0)
    chunks = [fields.get(chunk_field(question_id, n).encode()) for n in range(1, count + 1)]
    if any(chunk is None for chunk in chunks):
        return answer  # torn: reads as a text that cannot be opened
    sealed = b"".join(chunk for chunk in chunks if chunk is not None)
    return StoredAnswer(answer.outcome, None, answer.at, free_text=True, sealed=sealed)


def _base36(number: int) -> str:
    digits, rest = "", abs(number)
    while True:
        rest, digit = divmod(rest, 36)
        digits = _DIGITS[digit] + digits
        if not rest:
            return ("-" if number < 0 else "") + digits


def _read_json(text: str) -> StoredAnswer | None:
    try:
        plain: Any = json.loads(text)
    except ValueError:
        return None
    if not isinstance(plain, dict):
        return None
    at = plain.get("t", 0)
    at = at if isinstance(at, int) else 0
    if "x" not in plain:
        return StoredAnswer(str(plain.get("o", "")), _value(plain.get("v")), at)
    try:
        sealed = base64.b64decode(str(plain["x"]))
    except (binascii.Error, ValueError):
        sealed = b""
    return StoredAnswer(str(plain.get("o", "")), None, at, free_text=True, sealed=sealed)


def _value(raw: object) -> AnswerValue | None:
    if isinstance(raw, list):
        return tuple(str(item) for item in raw)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    return raw
