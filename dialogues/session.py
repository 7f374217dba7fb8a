"""One participant's progress through one survey, and its compact, versioned dict form.

Free-text answers are deliberately not kept here: the session only remembers *that* a text
question was answered. The text itself travels once, in `AnswerRecorded`, to encrypted storage.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from dialogues.errors import DialoguesError
from dialogues.expressions import AnswerValue

SESSION_FORMAT = 1


class SessionStatus(StrEnum):
    ACTIVE = "a"
    PAUSED = "p"
    COMPLETED = "c"


class SessionFormatError(DialoguesError):
    """A stored session that cannot be read back (corrupt or from an unknown format)."""


@dataclass(frozen=True, slots=True)
class Session:
    survey_id: str
    revision: str
    language: str
    status: SessionStatus
    current: str | None  # the question awaiting an answer
    started_at: int
    updated_at: int
    values: Mapping[str, AnswerValue] = field(default_factory=dict)  # non-text answers
    texts: frozenset[str] = frozenset()  # text questions answered (their text is not kept)
    skipped: frozenset[str] = frozenset()
    declined: frozenset[str] = frozenset()
    draft: tuple[str, ...] = ()  # options ticked so far on the current multiple choice

    def has_answer(self, question_id: str) -> bool:
        """Answered, skipped or declined: the question was dealt with."""
        return _has_answer(self, question_id)

    @property
    def answered(self) -> frozenset[str]:
        """Questions with a real answer (not skipped, not declined)."""
        return self.texts.union(self.values)


class AnswerState(Protocol):
    """What prompts need to know of a participant's progress (a Session or a Progress)."""

    @property
    def language(self) -> str: ...
    @property
    def draft(self) -> tuple[str, ...]: ...
    @property
    def values(self) -> Mapping[str, AnswerValue]: ...
    @property
    def texts(self) -> Collection[str]: ...
    @property
    def skipped(self) -> Collection[str]: ...
    @property
    def declined(self) -> Collection[str]: ...
    def has_answer(self, question_id: str) -> bool: ...


def _has_answer(state: AnswerState, question_id: str) -> bool:
    return (
        question_id in state.values
        or question_id in state.texts
        or question_id in state.skipped
        or question_id in state.declined
    )


@dataclass(slots=True)
class Progress:
    """A mutable working copy of a session for the length of one engine call: the engine changes
    it in place and freezes it into one new `Session` at the end."""

    session: Session
    language: str
    status: SessionStatus
    current: str | None
    values: dict[str, AnswerValue]
    texts: set[str]
    skipped: set[str]
    declined: set[str]
    draft: tuple[str, ...]

    @classmethod
    def of(cls, session: Session) -> Progress:
        return cls(
            session=session,
            language=session.language,
            status=session.status,
            current=session.current,
            values=dict(session.values),
            texts=set(session.texts),
            skipped=set(session.skipped),
            declined=set(session.declined),
            draft=session.draft,
        )

    def has_answer(self, question_id: str) -> bool:
        return _has_answer(self, question_id)

    @property
    def answered(self) -> set[str]:
        return self.texts.union(self.values)

    def forget(self, question_id: str) -> bool:
        """Drop any answer to a question; True when there was one."""
        had = self.has_answer(question_id)
        self.values.pop(question_id, None)
        for ids in (self.texts, self.skipped, self.declined):
            ids.discard(question_id)
        return had

    def freeze(self, updated_at: int) -> Session:
        base = self.session
        return Session(
            survey_id=base.survey_id,
            revision=base.revision,
            language=self.language,
            status=self.status,
            current=self.current,
            started_at=base.started_at,
            updated_at=updated_at,
            values=self.values,
            texts=frozenset(self.texts),
            skipped=frozenset(self.skipped),
            declined=frozenset(self.declined),
            draft=self.draft,
        )


def to_dict(session: Session) -> dict[str, Any]:
    """A small JSON-ready dict (short keys: sessions are stored per participant)."""
    data: dict[str, Any] = {
        "v": SESSION_FORMAT,
        "s": session.survey_id,
        "r": session.revision,
        "l": session.language,
        "st": session.status.value,
        "c": session.current,
        "t0": session.started_at,
        "t1": session.updated_at,
    }
    if session.values:
        data["a"] = {k: list(v) if isinstance(v, tuple) else v for k, v in session.values.items()}
    for key, ids in (("tx", session.texts), ("sk", session.skipped), ("dc", session.declined)):
        if ids:
            data[key] = sorted(ids)
    if session.draft:
        data["d"] = list(session.draft)
    return data


def from_dict(data: Mapping[str, Any]) -> Session:
    """Read back what `to_dict` wrote; raises SessionFormatError on anything else."""
    if not isinstance(data, Mapping) or data.get("v") != SESSION_FORMAT:
        raise SessionFormatError(f"unknown session format {data.get('v')!r}")
    try:
        values = {str(k): _value(v) for k, v in dict(data.get("a", {})).items()}
        return Session(
            survey_id=str(data["s"]),
            revision=str(data["r"]),
            language=str(data["l"]),
            status=SessionStatus(data["st"]),
            current=None if data["c"] is None else str(data["c"]),
            started_at=int(data["t0"]),
            updated_at=int(data["t1"]),
            values=values,
            texts=frozenset(map(str, data.get("tx", ()))),
            skipped=frozenset(map(str, data.get("sk", ()))),
            declined=frozenset(map(str, data.get("dc", ()))),
            draft=tuple(map(str, data.get("d", ()))),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise SessionFormatError(f"corrupt session: {error}") from error


def _value(raw: Any) -> AnswerValue:
    if isinstance(raw, list):
        return tuple(str(item) for item in raw)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise SessionFormatError(f"unexpected answer value {raw!r}")
    return raw
