"""Read a campaign's responses back out of Redis, one respondent at a time, for exports.

A campaign can have a million respondents, so nothing here holds them all: each shard's
respondent set is walked with SSCAN and the participants are loaded in pipelined chunks. Rows
come out in no particular order. Free text is decrypted with each participant's data key; an
erased participant (no data key) keeps their choice answers, their words are gone.

Only pseudonymous ids leave here: the platform address (`addr`) is never read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis

from bot.conversation.stored_answers import StoredAnswer, read_answers
from bot.conversation.stored_sessions import decode_session
from bot.privacy import DecryptionError, ParticipantCrypto, ParticipantId, decrypt_field, field_aad
from bot.storage.keys import KeySchema
from dialogues import Session, SessionFormatError, SessionStatus
from dialogues.events import AnswerOutcome

CHUNK = 500  # participants loaded per pipelined round trip


class TextLoss(StrEnum):
    """Why a free-text answer cannot be shown."""

    ERASED = "erased"  # the participant's data key was destroyed: erasure, on purpose
    UNREADABLE = "unreadable"  # key present but does not open it: wrong master key, corruption


@dataclass(frozen=True, slots=True)
class ExportedAnswer:
    outcome: AnswerOutcome
    # Option id(s), a number, or the decrypted text; None when skipped, declined or lost.
    value: str | int | float | tuple[str, ...] | None = None
    lost: TextLoss | None = None


@dataclass(frozen=True, slots=True)
class Respondent:
    """One participant who started the campaign, as far as an export may show them."""

    participant_id: str
    language: str
    completed: bool | None  # None: no session left to tell
    started_at: int | None  # epoch seconds
    updated_at: int | None
    answers: Mapping[str, ExportedAnswer]


async def respondents(
    redis: Redis,
    schema: KeySchema,
    crypto: ParticipantCrypto,
    campaign_id: str,
    chunk: int = CHUNK,
) -> AsyncIterator[Respondent]:
    """Every respondent of a campaign, shard by shard, loaded `chunk` at a time."""
    reader = _Reader(redis, schema, crypto, campaign_id)
    for shard in range(schema.shards):
        # SSCAN may return a member twice when the set grows during the walk; ids of one
        # shard (~60 bytes each) are cheap to remember, rows are not kept.
        seen: set[bytes] = set()
        batch: list[str] = []
        async for member in redis.sscan_iter(schema.respondents(shard, campaign_id), count=chunk):
            if member in seen:
                continue
            seen.add(member)
            batch.append(member.decode())
            if len(batch) >= chunk:
                for respondent in await reader.load(batch):
                    yield respondent
                batch = []
        if batch:
            for respondent in await reader.load(batch):
                yield respondent


class _Reader:
    def __init__(
        self, redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, campaign_id: str
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._crypto = crypto
        self._campaign_id = campaign_id

    async def load(self, participant_ids: list[str]) -> list[Respondent]:
        """Session, answers and wrapped key of each participant: one round trip."""
        pipe = self._redis.pipeline(transaction=False)
        for pid in participant_ids:
            pipe.get(self._schema.session(pid, self._campaign_id))
            pipe.hgetall(self._schema.answers(pid, self._campaign_id))
            pipe.hmget(self._schema.participant(pid), ["wk", "lang"])
        replies: list[Any] = await pipe.execute()
        return [
            self._respondent(pid, *replies[3 * n : 3 * n + 3])
            for n, pid in enumerate(participant_ids)
        ]

    def _respondent(
        self, pid: str, raw_session: bytes | None, raw_answers: dict[bytes, bytes], record: Any
    ) -> Respondent:
        wrapped, language = record
        session = _session(raw_session)
        opener = TextOpener(self._crypto, pid, self._campaign_id, wrapped)
        answers = {
            question: _answer(stored, question, opener)
            for question, stored in read_answers(raw_answers).items()
        }
        if session is None:
            return Respondent(pid, language.decode() if language else "", None, None, None, answers)
        return Respondent(
            participant_id=pid,
            language=session.language,
            completed=session.status is SessionStatus.COMPLETED,
            started_at=session.started_at,
            updated_at=session.updated_at,
            answers=answers,
        )


def _session(raw: bytes | None) -> Session | None:
    if raw is None:
        return None
    try:
        return decode_session(raw)
    except (SessionFormatError, ValueError):  # a broken session must not stop the export
        return None


class TextOpener:
    """Decrypts one participant's free-text answers; their key is unwrapped at most once."""

    def __init__(
        self, crypto: ParticipantCrypto, pid: str, campaign_id: str, wrapped: bytes | None
    ) -> None:
        self._crypto = crypto
        self._pid = ParticipantId(pid)
        self._campaign_id = campaign_id
        self._wrapped = wrapped
        self._key: bytes | TextLoss | None = None

    def open(self, question_id: str, sealed: bytes | None) -> str | TextLoss:
        key = self._data_key()
        if isinstance(key, TextLoss):
            return key
        # The associated data the commit sealed it with (bot/runtime/commit.py `_answer_fields`).
        aad = field_aad(self._pid, f"answer:{self._campaign_id}:{question_id}")
        if sealed is None:  # a chunk is missing
            return TextLoss.UNREADABLE
        try:
            return decrypt_field(key, sealed, aad)
        except DecryptionError:
            return TextLoss.UNREADABLE

    def _data_key(self) -> bytes | TextLoss:
        if self._key is None:
            if not self._wrapped:
                self._key = TextLoss.ERASED
            else:
                try:
                    self._key = self._crypto.unwrap_data_key(self._wrapped)
                except DecryptionError:
                    self._key = TextLoss.UNREADABLE
        return self._key


def _answer(stored: StoredAnswer, question_id: str, opener: TextOpener) -> ExportedAnswer:
    outcome = AnswerOutcome(stored.outcome)
    if outcome is not AnswerOutcome.ANSWERED:
        return ExportedAnswer(outcome)
    if stored.free_text:
        text = opener.open(question_id, stored.sealed)
        if isinstance(text, TextLoss):
            return ExportedAnswer(outcome, lost=text)
        return ExportedAnswer(outcome, text)
    return ExportedAnswer(outcome, stored.value)


async def load_respondents(
    redis: Redis,
    schema: KeySchema,
    crypto: ParticipantCrypto,
    campaign_id: str,
    participant_ids: list[str],
) -> list[Respondent]:
    """These respondents of a campaign, in one round trip (for a page of the JSON API)."""
    return await _Reader(redis, schema, crypto, campaign_id).load(participant_ids)
