"""What the engine reports: past-tense facts, with every participant-facing text already in the
participant's language. The shell turns them into stored answers and outgoing messages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogues.expressions import AnswerValue
from dialogues.localization import Direction
from dialogues.model import QuestionKind


class AnswerOutcome(StrEnum):
    ANSWERED = "answered"
    SKIPPED = "skipped"
    DECLINED = "declined"  # "prefer not to answer"


class RejectReason(StrEnum):
    NOT_AN_OPTION = "not_an_option"
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    NOT_A_NUMBER = "not_a_number"
    NOT_WHOLE = "not_whole"
    OUT_OF_RANGE = "out_of_range"
    BELOW_MIN = "below_min"
    ABOVE_MAX = "above_max"
    TOO_LONG = "too_long"
    NOT_A_DATE = "not_a_date"
    DATE_TOO_EARLY = "date_too_early"
    DATE_TOO_LATE = "date_too_late"
    EMPTY = "empty"
    REQUIRED = "required"
    YES_NO = "yes_no"
    NO_PREVIOUS = "no_previous"


class IgnoredReason(StrEnum):
    STALE = "stale"  # a button of a question that is no longer current
    ALREADY_COMPLETED = "already_completed"
    LANGUAGE_UNAVAILABLE = "language_unavailable"


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: str
    number: int  # 1-based, what a participant types instead of tapping


@dataclass(frozen=True, slots=True)
class ControlLabels:
    skip: str
    back: str
    decline: str
    done: str


@dataclass(frozen=True, slots=True)
class Prompt:
    """Channel-neutral render model of one question; channels pick their widgets from it."""

    question_id: str
    kind: QuestionKind
    text: str
    hint: str
    language: str
    direction: Direction
    choices: tuple[Choice, ...]
    allow_skip: bool
    allow_decline: bool
    allow_back: bool
    labels: ControlLabels
    position: int
    total: int
    min_selections: int = 1
    max_selections: int = 1
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    selected: tuple[str, ...] = ()
    previous_answer: str | None = None  # shown when a participant comes back to change it


@dataclass(frozen=True, slots=True)
class SurveyStarted:
    survey_id: str
    language: str
    title: str
    introduction: str | None
    promise: str


@dataclass(frozen=True, slots=True)
class QuestionAsked:
    prompt: Prompt
    again: bool = False  # re-asked after a rejection, a language change or a resume


@dataclass(frozen=True, slots=True)
class AnswerRecorded:
    question_id: str
    outcome: AnswerOutcome
    value: AnswerValue | None  # free text for text questions; None when skipped or declined
    display: str  # the answer as the participant sees it, in their language
    at: int  # epoch seconds


@dataclass(frozen=True, slots=True)
class AnswerReused(AnswerRecorded):
    """An answer taken from what the participant told the organisation before (a question
    feeding a panel profile attribute, dialogues.profiles): recorded like any answer, and the
    question is not asked."""


@dataclass(frozen=True, slots=True)
class AnswerWithdrawn:
    """An earlier answer no longer counts: a changed answer made its question irrelevant."""

    question_id: str


@dataclass(frozen=True, slots=True)
class AnswerRejected:
    question_id: str
    reason: RejectReason
    message: str


@dataclass(frozen=True, slots=True)
class SelectionChanged:
    question_id: str
    selected: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WentBack:
    question_id: str


@dataclass(frozen=True, slots=True)
class LanguageChanged:
    language: str
    message: str


@dataclass(frozen=True, slots=True)
class SurveyPaused:
    message: str


@dataclass(frozen=True, slots=True)
class SurveyResumed:
    message: str


@dataclass(frozen=True, slots=True)
class InputIgnored:
    reason: IgnoredReason
    message: str


@dataclass(frozen=True, slots=True)
class SurveyCompleted:
    message: str  # thanks, then the promise of what happens next
    at: int


Event = (
    SurveyStarted
    | QuestionAsked
    | AnswerRecorded
    | AnswerReused
    | AnswerWithdrawn
    | AnswerRejected
    | SelectionChanged
    | WentBack
    | LanguageChanged
    | SurveyPaused
    | SurveyResumed
    | InputIgnored
    | SurveyCompleted
)
