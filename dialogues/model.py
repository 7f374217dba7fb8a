"""The survey model: what a parsed campaign file is, independent of YAML and of any channel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, NewType

from dialogues.expressions import Expr
from dialogues.normalize import fold

QuestionId = NewType("QuestionId", str)
OptionId = NewType("OptionId", str)
Language = NewType("Language", str)

#: A participant-facing text: language code -> text.
LocalizedText = Mapping[str, str]
#: A limit of a date question: a fixed day, or the day the answer is given.
DateBound = dt.date | Literal["today"]
#: How a date written with numbers only is read: 5/3/2026 is 5 March (day first) or 3 May.
DateOrder = Literal["day_first", "month_first"]


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    SCALE = "scale"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    INFO = "info"


#: Kinds whose answer is one or more option ids.
CHOICE_KINDS = frozenset(
    {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.YES_NO}
)
#: Kinds whose answer is a number.
NUMERIC_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.NUMBER})


@dataclass(frozen=True, slots=True)
class Option:
    id: OptionId
    text: LocalizedText
    #: The id and every label, folded once here so typed answers match without re-folding.
    match_keys: frozenset[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        keys = {fold(self.id), *(fold(label) for label in self.text.values())}
        object.__setattr__(self, "match_keys", frozenset(keys))


@dataclass(frozen=True, slots=True)
class Question:
    """One question. Fields that do not apply to a kind keep their defaults."""

    id: QuestionId
    kind: QuestionKind
    text: LocalizedText
    options: tuple[Option, ...] = ()
    optional: bool = False
    sensitive: bool = False
    relevant: Expr | None = None
    min_value: float | None = None
    max_value: float | None = None
    integer: bool = True
    min_selections: int = 1
    max_selections: int = 1
    max_length: int = 1000
    min_label: LocalizedText | None = None
    max_label: LocalizedText | None = None
    #: The panel attribute its answer feeds ("area", "group": dialogues.profiles), or None.
    profile: str | None = None

    min_date: DateBound | None = None
    max_date: DateBound | None = None
    #: The survey's own words for an answer outside its limits, and for a required one skipped.
    constraint_message: LocalizedText | None = None
    required_message: LocalizedText | None = None

    @property
    def answerable(self) -> bool:
        return self.kind is not QuestionKind.INFO

    def in_option_order(self, option_ids: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """Known option ids from `option_ids`, once each, in the order the survey lists them."""
        wanted = set(option_ids)
        return tuple(option.id for option in self.options if option.id in wanted)

    def option(self, option_id: str) -> Option | None:
        for candidate in self.options:
            if candidate.id == option_id:
                return candidate
        return None


@dataclass(frozen=True, slots=True, eq=False)  # identity equality: usable as a cache key
class Survey:
    """A validated campaign: safe to run, every text present in every language it declares."""

    id: str
    revision: str  # content hash of the source; sessions remember which revision they started on
    title: LocalizedText
    organisation: LocalizedText
    languages: tuple[Language, ...]
    default_language: Language
    allow_fallback: bool
    promise: LocalizedText
    questions: tuple[Question, ...]
    report_back_by: dt.date | None = None
    #: Days personal-level data is kept after the campaign closes; None: the deployment default.
    retention_days: int | None = None
    intro: LocalizedText | None = None
    thanks: LocalizedText | None = None
    # The campaign's own data notice, said instead of the built-in one when joining.
    data_notice: LocalizedText | None = None
    translation_status: Mapping[str, str] = field(default_factory=dict)
    #: People may share the phone they answer on: notices never quote a question or an answer.
    shared_phones: bool = False
    date_order: DateOrder = "day_first"
    #: The campaign's own wording of some of Sauti's texts: text key -> language -> text.
    system_texts: Mapping[str, LocalizedText] = field(default_factory=dict)
    _index: Mapping[str, int] = field(default_factory=dict, repr=False, init=False)
    #: Number of questions that take an answer, and each one's 1-based place among them.
    answerable_count: int = field(default=0, init=False)
    _places: Mapping[str, int] = field(default_factory=dict, repr=False, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {q.id: i for i, q in enumerate(self.questions)})
        places: dict[str, int] = {}
        count = 0
        for question in self.questions:
            places[question.id] = count + 1
            count += question.answerable
        object.__setattr__(self, "_places", places)
        object.__setattr__(self, "answerable_count", count)

    def place(self, question_id: str) -> int:
        """1-based place of a question among those taking an answer ("question 3 of 12")."""
        return self._places.get(question_id, 1)

    def position(self, question_id: str) -> int | None:
        """Index of a question in the file, or None if the survey has no such question."""
        return self._index.get(question_id)

    def question(self, question_id: str) -> Question | None:
        index = self._index.get(question_id)
        return None if index is None else self.questions[index]

    def text(self, text: LocalizedText, language: str) -> str:
        """A text in `language`, or in the default language where the file allows fallback."""
        found = text.get(language)
        if found is not None:
            return found
        return text.get(self.default_language, next(iter(text.values()), ""))
