"""The survey engine: `start` and `advance` are pure functions from (survey, session, input, now)
to (new session, events). No I/O, no clock: `now` comes from the caller. Participant input never
raises — what cannot be used becomes `AnswerRejected` or `InputIgnored`, then the question again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from dialogues.events import (
    AnswerOutcome,
    AnswerRecorded,
    AnswerRejected,
    AnswerReused,
    AnswerWithdrawn,
    Event,
    IgnoredReason,
    InputIgnored,
    LanguageChanged,
    QuestionAsked,
    RejectReason,
    SelectionChanged,
    SurveyCompleted,
    SurveyPaused,
    SurveyResumed,
    SurveyStarted,
    WentBack,
)
from dialogues.expressions import AnswerValue, evaluate
from dialogues.inbound import (
    ChangeLanguage,
    ChoiceReply,
    Decline,
    GoBack,
    Inbound,
    Pause,
    Resume,
    Skip,
    SubmitSelection,
    TextReply,
    ToggleOption,
)
from dialogues.interpret import Accepted, Control, Refused, check_selection, interpret_text
from dialogues.localization import Catalog
from dialogues.model import Question, QuestionKind, Survey
from dialogues.overrides import campaign_catalog
from dialogues.profiles import reusable
from dialogues.prompts import build_prompt, display_answer
from dialogues.session import Progress, Session, SessionStatus


@dataclass(frozen=True, slots=True)
class Step:
    """The result of one engine call: the session to store and what happened."""

    session: Session
    events: tuple[Event, ...]


def start(
    survey: Survey,
    language: str,
    now: dt.datetime,
    known: Mapping[str, AnswerValue] | None = None,
) -> Step:
    """Begin a survey in `language` (the survey's default when it does not speak that one).
    `known`: the participant's panel profile (attribute -> value): a question feeding one of
    those attributes takes that answer (`AnswerReused`) and is not asked (dialogues.profiles)."""
    if language not in survey.languages:
        language = survey.default_language
    at = _epoch(now)
    session = Session(
        survey_id=survey.id,
        revision=survey.revision,
        language=language,
        status=SessionStatus.ACTIVE,
        current=None,
        started_at=at,
        updated_at=at,
    )
    turn = _Turn(survey, session, at, campaign_catalog(survey), known or {})
    turn.emit(
        SurveyStarted(
            survey_id=survey.id,
            language=language,
            title=survey.text(survey.title, language),
            introduction=survey.text(survey.intro, language) if survey.intro else None,
            promise=survey.text(survey.promise, language),
        )
    )
    turn.move_forward(after=-1)
    return turn.step()


def advance(survey: Survey, session: Session, inbound: Inbound, now: dt.datetime) -> Step:
    """Apply one participant input to a session.

    Raises ValueError only when `session` belongs to another survey (a caller's mistake)."""
    if session.survey_id != survey.id:
        raise ValueError(f"session of survey {session.survey_id!r} given survey {survey.id!r}")
    turn = _Turn(survey, session, _epoch(now), campaign_catalog(survey))
    turn.handle(inbound)
    return turn.step()


#: Refusals a survey may word itself: outside the question's limits, or a required one skipped.
_OWN_MESSAGE = {
    RejectReason.OUT_OF_RANGE: "constraint_message",
    RejectReason.BELOW_MIN: "constraint_message",
    RejectReason.ABOVE_MAX: "constraint_message",
    RejectReason.TOO_FEW: "constraint_message",
    RejectReason.TOO_MANY: "constraint_message",
    RejectReason.TOO_LONG: "constraint_message",
    RejectReason.DATE_TOO_EARLY: "constraint_message",
    RejectReason.DATE_TOO_LATE: "constraint_message",
    RejectReason.REQUIRED: "required_message",
}


def _epoch(now: dt.datetime) -> int:
    return int(now.timestamp())


class _Turn:
    """One call's working state: a mutable copy of the participant's progress (frozen into one
    new Session at the end) and the events emitted so far."""

    def __init__(
        self,
        survey: Survey,
        session: Session,
        at: int,
        catalog: Catalog,
        known: Mapping[str, AnswerValue] | None = None,
    ) -> None:
        self.survey = survey
        self.known = known or {}  # a profile to reuse: only when the survey starts
        self.state = Progress.of(session)
        self.at = at
        self.catalog = catalog
        self.events: list[Event] = []

    def step(self) -> Step:
        return Step(self.state.freeze(updated_at=self.at), tuple(self.events))

    def day_of_call(self) -> dt.date:
        """The day of this call, for a date question's limit of `today`."""
        return dt.datetime.fromtimestamp(self.at, dt.UTC).date()

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def message(self, key: str, /, **params: object) -> str:
        return self.catalog.message(key, self.state.language, **params)

    # -- dispatch -------------------------------------------------------------------------

    def handle(self, inbound: Inbound) -> None:
        status = self.state.status
        if isinstance(inbound, ChangeLanguage):
            self.change_language(inbound.language)
        elif status is SessionStatus.COMPLETED:
            self.ignore(IgnoredReason.ALREADY_COMPLETED)
        elif isinstance(inbound, Pause):
            self.pause()
        elif status is SessionStatus.PAUSED or isinstance(inbound, Resume):
            # Someone coming back after a pause may not see the question any more: re-ask it
            # rather than read their first message as an answer.
            self.resume()
        else:
            self.answer(inbound)

    def answer(self, inbound: Inbound) -> None:
        question = self.current_question()
        if question is None:
            return
        button_question = getattr(inbound, "question_id", None)
        pressed = isinstance(inbound, ChoiceReply | ToggleOption)
        if (button_question is not None and button_question != question.id) or (
            pressed and not question.options
        ):  # a button of another question, or a button where the question has none
            self.ignore(IgnoredReason.STALE)
            return
        match inbound:
            case TextReply(text):
                self.typed(question, text)
            case ChoiceReply(_, option_ids):
                self.settle(question, check_selection(question, option_ids))
            case ToggleOption(_, option_id):
                self.toggle(question, option_id)
            case SubmitSelection():
                self.settle(question, check_selection(question, self.state.draft))
            case Skip():
                self.skip(question)
            case Decline():
                self.decline(question)
            case GoBack():
                self.go_back(question)

    def typed(self, question: Question, text: str) -> None:
        interpretation = interpret_text(
            question,
            text,
            self.state.language,
            self.survey.languages,
            self.catalog,
            date_order=self.survey.date_order,
            today=self.day_of_call() if question.kind is QuestionKind.DATE else None,
        )
        if not isinstance(interpretation, Control):
            self.settle(question, interpretation)
            return
        intent = interpretation.intent
        if intent == "skip":
            self.skip(question)
        elif intent == "decline":
            self.decline(question)
        elif intent == "back":
            self.go_back(question)
        elif intent == "pause":
            self.pause()
        else:  # "resume" while already active: just ask again
            self.ask(question, again=True)

    # -- answers ----------------------------------------------------------------------------

    def settle(self, question: Question, result: Accepted | Refused) -> None:
        if isinstance(result, Refused):
            self.reject(question, result.reason, **result.params)
        else:
            self.record(question, AnswerOutcome.ANSWERED, result.value)

    def toggle(self, question: Question, option_id: str) -> None:
        if question.kind is not QuestionKind.MULTIPLE_CHOICE:
            self.settle(question, check_selection(question, (option_id,)))
            return
        if question.option(option_id) is None:
            self.reject(question, RejectReason.NOT_AN_OPTION, count=len(question.options))
            return
        draft = self.state.draft
        ticked = [o for o in draft if o != option_id] if option_id in draft else [*draft, option_id]
        self.state.draft = question.in_option_order(ticked)
        self.emit(SelectionChanged(question.id, self.state.draft))

    def skip(self, question: Question) -> None:
        if question.optional:
            self.record(question, AnswerOutcome.SKIPPED, None)
        elif question.sensitive:
            self.record(question, AnswerOutcome.DECLINED, None)
        else:
            self.reject(question, RejectReason.REQUIRED)

    def decline(self, question: Question) -> None:
        if question.sensitive:
            self.record(question, AnswerOutcome.DECLINED, None)
        else:
            self.skip(question)

    def record(self, question: Question, outcome: AnswerOutcome, value: AnswerValue | None) -> None:
        state, qid = self.state, question.id
        state.forget(qid)
        if outcome is AnswerOutcome.SKIPPED:
            state.skipped.add(qid)
            display = self.message("answer.skipped")
        elif outcome is AnswerOutcome.DECLINED:
            state.declined.add(qid)
            display = self.message("answer.declined")
        elif question.kind is QuestionKind.TEXT:
            state.texts.add(qid)
            display = str(value)
        else:
            assert value is not None  # an ANSWERED outcome always carries its value
            state.values[qid] = value
            display = display_answer(self.survey, question, value, state.language, self.catalog)
        state.draft = ()
        self.emit(AnswerRecorded(qid, outcome, value, display, self.at))
        self.move_forward(after=self.survey.position(qid) or 0)

    def reject(self, question: Question, reason: RejectReason, **params: object) -> None:
        own = _OWN_MESSAGE.get(reason)
        texts = getattr(question, own) if own else None
        # The survey's own words (XLSForm's constraint_message, required_message) where it has
        # them in the participant's language; Sauti's, which say what it accepts, otherwise.
        if texts and self.state.language in texts:
            message = texts[self.state.language]
        else:
            message = self.message(f"reject.{reason.value}", **params)
        self.emit(AnswerRejected(question.id, reason, message))
        self.ask(question, again=True)

    # -- navigation -------------------------------------------------------------------------

    def move_forward(self, after: int) -> None:
        """Ask the next relevant question after position `after`, or complete the survey."""
        questions = self.survey.questions
        for index in range(after + 1, len(questions)):
            question = questions[index]
            if not self.is_relevant(question):
                if self.state.forget(question.id):
                    self.emit(AnswerWithdrawn(question.id))
                continue
            if question.kind is QuestionKind.INFO:
                self.ask(question)
                continue
            if self.reuse(question):
                return  # recorded, and the survey moved on from there
            self.make_current(question)
            self.ask(question)
            return
        self.complete()

    def reuse(self, question: Question) -> bool:
        """Take a known profile answer for a question feeding that attribute, once."""
        value = reusable(question, self.known)
        if value is None or self.state.has_answer(question.id):
            return False
        self.state.values[question.id] = value
        display = display_answer(self.survey, question, value, self.state.language, self.catalog)
        self.emit(AnswerReused(question.id, AnswerOutcome.ANSWERED, value, display, self.at))
        self.move_forward(after=self.survey.position(question.id) or 0)
        return True

    def make_current(self, question: Question) -> None:
        self.state.current = question.id
        # Coming back to a multiple choice: its earlier answer starts ticked.
        value = self.state.values.get(question.id)
        multiple = question.kind is QuestionKind.MULTIPLE_CHOICE and isinstance(value, tuple)
        self.state.draft = value if multiple and isinstance(value, tuple) else ()

    def is_relevant(self, question: Question) -> bool:
        if question.relevant is None:
            return True
        return evaluate(question.relevant, self.state.values, self.state.answered)

    def go_back(self, question: Question) -> None:
        index = self.survey.position(question.id) or 0
        for earlier in reversed(self.survey.questions[:index]):
            if self.state.has_answer(earlier.id):
                self.make_current(earlier)
                self.emit(WentBack(earlier.id))
                self.ask(earlier)
                return
        self.reject(question, RejectReason.NO_PREVIOUS)

    def ask(self, question: Question, again: bool = False) -> None:
        prompt = build_prompt(self.survey, question, self.state, self.catalog)
        self.emit(QuestionAsked(prompt, again=again))

    def current_question(self) -> Question | None:
        """The question awaiting an answer. If the survey file changed and it is gone, pick up at
        the first relevant question without an answer instead of failing."""
        current = self.state.current
        question = self.survey.question(current) if current is not None else None
        if question is not None and question.answerable:
            return question
        questions = self.survey.questions
        dealt_with = [i for i, q in enumerate(questions) if self.state.has_answer(q.id)]
        self.move_forward(after=max(dealt_with, default=-1))
        return None

    # -- session-level ----------------------------------------------------------------------

    def change_language(self, language: str) -> None:
        if language not in self.survey.languages:
            names = ", ".join(self.catalog.language_name(lang) for lang in self.survey.languages)
            self.ignore(IgnoredReason.LANGUAGE_UNAVAILABLE, languages=names)
            return
        self.state.language = language
        name = self.catalog.language_name(language)
        self.emit(LanguageChanged(language, self.message("notice.language_changed", language=name)))
        if self.state.status is SessionStatus.ACTIVE:
            question = self.current_question()
            if question is not None:
                self.ask(question, again=True)

    def pause(self) -> None:
        self.state.status = SessionStatus.PAUSED
        resume_word = self.catalog.word("resume", self.state.language)
        self.emit(SurveyPaused(self.message("notice.paused", resume=resume_word)))

    def resume(self) -> None:
        self.state.status = SessionStatus.ACTIVE
        self.emit(SurveyResumed(self.message("notice.resumed")))
        question = self.current_question()
        if question is not None:
            self.ask(question, again=True)

    def ignore(self, reason: IgnoredReason, **params: object) -> None:
        key = {
            IgnoredReason.STALE: "notice.stale",
            IgnoredReason.ALREADY_COMPLETED: "notice.already_completed",
            IgnoredReason.LANGUAGE_UNAVAILABLE: "reject.language_unavailable",
        }[reason]
        self.emit(InputIgnored(reason, self.message(key, **params)))

    def complete(self) -> None:
        state = self.state
        state.status, state.current, state.draft = SessionStatus.COMPLETED, None, ()
        survey, language = self.survey, state.language
        thanks = (
            survey.text(survey.thanks, language) if survey.thanks else self.message("survey.thanks")
        )
        promise = survey.text(survey.promise, language)
        self.emit(SurveyCompleted(f"{thanks}\n\n{promise}", self.at))
