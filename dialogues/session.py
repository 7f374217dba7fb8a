"""One participant's progress through one survey, and its compact, versioned dict form.

Free-text answers are deliberately not kept here: the session only remembers *that* a text
question was answered. The text itself travels once, in `AnswerRecorded`, to encrypted storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

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
        return (
            question_id in self.values
            or question_id in self.texts
            or question_id in self.skipped
            or question_id in self.declined
        )

    @property
    def answered(self) -> frozenset[str]:
        """Questions with a real answer (not skipped, not declined)."""
        return self.texts.union(self.values)


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
