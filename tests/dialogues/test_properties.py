"""Properties of the engine on generated surveys and generated participant behaviour.

Every step of every run is checked (`Run.send`): the session survives `to_dict`/`from_dict` and
strict JSON, keeps no free text, points at an answerable relevant question while active, and
every rejection is followed by the same question asked again. The next step is always fed the
session read back from JSON, the way the shell stores it between messages.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from dataclasses import replace

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from dialogues import (
    Question,
    QuestionKind,
    Session,
    SessionStatus,
    Survey,
    advance,
    from_dict,
    parse,
    start,
    to_dict,
    validate,
)
from dialogues.events import (
    AnswerOutcome,
    AnswerRecorded,
    AnswerRejected,
    AnswerWithdrawn,
    Event,
    IgnoredReason,
    InputIgnored,
    Prompt,
    QuestionAsked,
    RejectReason,
    SurveyCompleted,
    SurveyStarted,
    WentBack,
)
from dialogues.expressions import AnswerValue, evaluate
from dialogues.inbound import (
    ChoiceReply,
    Decline,
    GoBack,
    Inbound,
    Resume,
    Skip,
    TextReply,
)
from tests.dialogues.strategies import (
    BAD_LANGUAGES,
    LANGUAGES,
    MARKER,
    dump,
    in_script,
    inbound_sequences,
    inbounds,
    survey_documents,
    surveys,
)

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
SCRIPTS = st.sampled_from(("ascii", "arabic", "persian", "devanagari", "fullwidth"))
START_LANGUAGES = st.sampled_from((*LANGUAGES, *BAD_LANGUAGES))


def examples(count: int) -> settings:
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- the checked driver ------------------------------------------------------------------------


class Run:
    """One participant's session, advanced step by step with every invariant checked."""

    def __init__(self, survey: Survey, language: str) -> None:
        self.survey = survey
        self.steps = 0
        self.prompts: dict[str, Prompt] = {}
        self.events: tuple[Event, ...] = ()
        self.withdrawn = 0
        step = start(survey, language, NOW)
        assert isinstance(step.events[0], SurveyStarted)
        self.session = self._accept(None, step.session, step.events)

    @property
    def status(self) -> SessionStatus:
        return self.session.status

    def send(self, inbound: Inbound) -> tuple[Event, ...]:
        self.steps += 1
        before = self.session
        now = NOW + dt.timedelta(seconds=self.steps)
        step = advance(self.survey, before, inbound, now)
        assert step.session.started_at == before.started_at
        assert step.session.updated_at == int(now.timestamp())
        self.session = self._accept(before, step.session, step.events)
        return step.events

    def current_prompt(self) -> Prompt:
        """The prompt of the question awaiting an answer, as it was last asked."""
        assert self.session.current is not None
        return self.prompts[self.session.current]

    def _accept(
        self, before: Session | None, session: Session, events: tuple[Event, ...]
    ) -> Session:
        check_session(self.survey, session)
        check_events(self.survey, before, session, events)
        for event in events:
            if isinstance(event, QuestionAsked) and event.prompt.kind is not QuestionKind.INFO:
                self.prompts[event.prompt.question_id] = event.prompt
        if session.current is not None:
            assert session.current in self.prompts, "the current question was never asked"
        self.events = events
        return from_dict(json.loads(json.dumps(to_dict(session), allow_nan=False)))


def holds(question: Question, session: Session) -> bool:
    if question.relevant is None:
        return True
    return evaluate(question.relevant, session.values, session.answered)


def check_session(survey: Survey, session: Session) -> None:
    data = to_dict(session)
    assert from_dict(data) == session
    # Strict JSON: stores and other languages reject NaN and Infinity.
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)
    assert from_dict(json.loads(text)) == session
    assert MARKER not in text
    assert "ŝecret" not in text, "free text leaked into the stored session"

    assert session.survey_id == survey.id
    assert session.revision == survey.revision
    assert session.language in survey.languages
    groups = [set(session.values), set(session.texts), set(session.skipped), set(session.declined)]
    assert sum(map(len, groups)) == len(set().union(*groups)), "an answer filed twice"
    for question_id in set().union(*groups):
        question = survey.question(question_id)
        assert question is not None
        assert question.answerable
    for question_id, value in session.values.items():
        check_value(survey.question(question_id), value)
    for question_id in session.texts:
        assert survey.question(question_id).kind is QuestionKind.TEXT  # type: ignore[union-attr]
    for question_id in session.skipped:
        assert survey.question(question_id).optional  # type: ignore[union-attr]
    for question_id in session.declined:
        assert survey.question(question_id).sensitive  # type: ignore[union-attr]

    if session.status is SessionStatus.COMPLETED:
        assert session.current is None
        assert session.draft == ()
        for question in survey.questions:
            if not question.answerable:
                continue
            if session.has_answer(question.id):
                assert holds(question, session), f"{question.id} answered but not relevant"
            else:
                assert not holds(question, session), f"{question.id} relevant, never answered"
    else:
        assert session.current is not None
        current = survey.question(session.current)
        assert current is not None
        assert current.answerable
        assert holds(current, session), f"current {current.id} is not relevant"
        if current.kind is QuestionKind.MULTIPLE_CHOICE:
            assert session.draft == current.in_option_order(session.draft)
            assert len(set(session.draft)) == len(session.draft)
        else:
            assert session.draft == ()


def check_value(question: Question | None, value: AnswerValue) -> None:
    assert question is not None
    kind = question.kind
    option_ids = [option.id for option in question.options]
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        assert isinstance(value, str)
        assert value in option_ids
    elif kind is QuestionKind.MULTIPLE_CHOICE:
        assert isinstance(value, tuple)
        assert value == question.in_option_order(value)
        assert question.min_selections <= len(value) <= question.max_selections
    elif kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        assert isinstance(value, int | float)
        assert not isinstance(value, bool)
        assert math.isfinite(value), f"{question.id} recorded {value!r}"
        if kind is QuestionKind.SCALE or question.integer:
            assert isinstance(value, int)
        if question.min_value is not None:
            assert value >= question.min_value
        if question.max_value is not None:
            assert value <= question.max_value
    else:
        raise AssertionError(f"{kind} question {question.id} has a stored value")


def check_events(
    survey: Survey, before: Session | None, session: Session, events: tuple[Event, ...]
) -> None:
    for index, event in enumerate(events):
        if isinstance(event, AnswerRejected):
            following = events[index + 1] if index + 1 < len(events) else None
            assert isinstance(following, QuestionAsked), "a rejection without the question again"
            assert following.again
            assert following.prompt.question_id == event.question_id
        if isinstance(event, QuestionAsked):
            assert event.prompt.language == session.language
    asked = [
        e.prompt.question_id
        for e in events
        if isinstance(e, QuestionAsked) and e.prompt.kind is not QuestionKind.INFO
    ]
    completed = [e for e in events if isinstance(e, SurveyCompleted)]
    was_completed = before is not None and before.status is SessionStatus.COMPLETED
    if session.status is SessionStatus.COMPLETED and not was_completed:
        assert len(completed) == 1
        assert events[-1] is completed[0]
    else:
        assert not completed
    if asked and session.status is not SessionStatus.COMPLETED:
        assert asked[-1] == session.current, "the last question asked is not the current one"
    recorded = [e for e in events if isinstance(e, AnswerRecorded)]
    assert len(recorded) <= 1, "one input recorded several answers"
    if recorded and before is not None:
        assert recorded[0].question_id == before.current
        if recorded[0].outcome is not AnswerOutcome.ANSWERED:
            assert recorded[0].value is None
    if was_completed:
        assert before is not None
        assert replace(session, updated_at=before.updated_at, language=before.language) == before
        assert not any(isinstance(e, QuestionAsked | AnswerRecorded) for e in events)
    for event in events:
        if isinstance(event, AnswerWithdrawn):
            withdrawn = survey.question(event.question_id)
            assert withdrawn is not None
            assert not session.has_answer(withdrawn.id)
            assert not holds(withdrawn, session), f"{withdrawn.id} withdrawn but relevant"
        if isinstance(event, WentBack):
            assert before is not None
            assert before.current is not None
            target, origin = survey.position(event.question_id), survey.position(before.current)
            assert target is not None
            assert origin is not None
            assert target < origin, "back went forward"


# -- valid answers -----------------------------------------------------------------------------


def minimal_number(prompt: Prompt, integer: bool) -> int | float:
    low, high = prompt.min_value, prompt.max_value
    if low is not None:
        value = math.ceil(low) if integer else low
    elif high is not None:
        value = math.floor(high) if integer else high
    else:
        value = 0
    return int(value) if integer else float(value)


def valid_answer(
    survey: Survey, prompt: Prompt, mode: str, script: str
) -> tuple[Inbound, AnswerValue | None]:
    """A valid reply to `prompt` (by button, typed in `script`, or skipped) and the answer the
    engine should record (None when skipped or declined)."""
    qid = prompt.question_id
    question = survey.question(qid)
    assert question is not None
    if mode == "skip" and prompt.allow_skip:
        return Skip(qid), None
    if mode == "skip" and prompt.allow_decline:
        return Decline(None), None
    kind = prompt.kind
    if kind is QuestionKind.TEXT:
        assert prompt.max_length is not None
        text = f"ok {MARKER}"[: prompt.max_length]
        return TextReply(f"  {text}\n"), text.strip()
    if kind is QuestionKind.NUMBER:
        number = minimal_number(prompt, question.integer)
        return TextReply(in_script(str(number), script)), number
    first = prompt.choices[: max(1, prompt.min_selections)]
    expected: AnswerValue
    if kind is QuestionKind.MULTIPLE_CHOICE:
        expected = tuple(choice.id for choice in first)
    elif kind is QuestionKind.SCALE:
        expected = int(first[0].id)
    else:
        expected = first[0].id
    if mode == "button":
        return ChoiceReply(qid, tuple(choice.id for choice in first)), expected
    typed = ", ".join(str(choice.number) for choice in first)
    return TextReply(in_script(typed, script)), expected


def answer_current(run: Run, mode: str, script: str) -> None:
    """Answer the current question validly and check it was recorded as expected."""
    prompt = run.current_prompt()
    inbound, expected = valid_answer(run.survey, prompt, mode, script)
    events = run.send(inbound)
    recorded = [e for e in events if isinstance(e, AnswerRecorded)]
    assert recorded, f"valid answer {inbound!r} to {prompt.question_id} not recorded: {events}"
    assert recorded[0].question_id == prompt.question_id
    if expected is None:
        assert recorded[0].outcome in (AnswerOutcome.SKIPPED, AnswerOutcome.DECLINED)
    else:
        assert recorded[0].outcome is AnswerOutcome.ANSWERED
        assert recorded[0].value == expected
        assert type(recorded[0].value) is type(expected)


def finish(run: Run, data: st.DataObject) -> None:
    """Valid answers complete the survey within (questions x 2) steps, whatever came before."""
    budget = 2 * len(run.survey.questions)
    used = 0
    while run.status is not SessionStatus.COMPLETED:
        assert used < budget, f"not completed after {budget} valid steps"
        used += 1
        if run.status is SessionStatus.PAUSED:
            run.send(Resume())
            continue
        mode = data.draw(st.sampled_from(("button", "typed", "skip")), label="mode")
        answer_current(run, mode, data.draw(SCRIPTS, label="script"))


def any_valid_answer(rnd: random.Random, survey: Survey, prompt: Prompt) -> Inbound:
    """Some valid answer to `prompt`, picked at random (not always the first one), so that later
    `relevant` conditions flip when a participant goes back and changes their mind."""
    question = survey.question(prompt.question_id)
    assert question is not None
    if (prompt.allow_skip or prompt.allow_decline) and rnd.random() < 0.2:
        return Skip(None)
    kind = prompt.kind
    if kind is QuestionKind.TEXT:
        assert prompt.max_length is not None
        return TextReply(rnd.choice((f"ok {MARKER}", MARKER))[: prompt.max_length])
    if kind is QuestionKind.NUMBER:
        low, high = prompt.min_value, prompt.max_value
        low = low if low is not None else (high - 50 if high is not None else -50)
        high = high if high is not None else low + 50
        if question.integer:
            number: float = rnd.randint(math.ceil(low), math.floor(high))
        else:
            number = rnd.randint(math.ceil(2 * low), math.floor(2 * high)) / 2
        return TextReply(str(number))
    if kind is QuestionKind.MULTIPLE_CHOICE:
        count = rnd.randint(prompt.min_selections, prompt.max_selections)
        chosen = rnd.sample(prompt.choices, count)
    else:
        chosen = [rnd.choice(prompt.choices)]
    if rnd.random() < 0.5:
        return TextReply(" ".join(str(choice.number) for choice in chosen))
    return ChoiceReply(prompt.question_id, tuple(choice.id for choice in chosen))


# -- properties --------------------------------------------------------------------------------


@examples(100)
@given(survey_documents())
def test_generated_surveys_parse(document: dict[str, object]) -> None:
    text = dump(document)
    checked = validate(text)
    assert checked.problems == ()
    survey = parse(text)
    questions = document["questions"]
    assert isinstance(questions, list)
    assert [q.id for q in survey.questions] == [q["id"] for q in questions]
    assert [q.kind.value for q in survey.questions] == [q["kind"] for q in questions]
    assert [q.relevant is not None for q in survey.questions] == [
        "relevant" in q for q in questions
    ]
    assert list(survey.languages) == document["languages"]


@examples(150)
@given(st.data())
def test_any_input_sequence_keeps_every_invariant(data: st.DataObject) -> None:
    survey = parse(data.draw(surveys(), label="survey"))
    run = Run(survey, data.draw(START_LANGUAGES, label="language"))
    for inbound in data.draw(inbound_sequences(survey, max_size=25), label="inputs"):
        run.send(inbound)


@examples(100)
@given(st.data())
def test_inputs_aimed_at_the_current_question_keep_every_invariant(data: st.DataObject) -> None:
    survey = parse(data.draw(surveys(), label="survey"))
    run = Run(survey, data.draw(START_LANGUAGES, label="language"))
    for _ in range(data.draw(st.integers(0, 30), label="length")):
        run.send(data.draw(inbounds(survey, run.session.current), label="input"))


@examples(120)
@given(st.data())
def test_valid_answers_complete_the_survey_after_any_noise(data: st.DataObject) -> None:
    survey = parse(data.draw(surveys(), label="survey"))
    run = Run(survey, data.draw(START_LANGUAGES, label="language"))
    for _ in range(data.draw(st.integers(0, 12), label="noise")):
        run.send(data.draw(inbounds(survey, run.session.current), label="input"))
    finish(run, data)
    run.send(data.draw(inbounds(survey, None), label="after completion"))
    assert run.status is SessionStatus.COMPLETED


@examples(100)
@given(st.data())
def test_back_walks_to_the_first_answer_and_stops(data: st.DataObject) -> None:
    survey = parse(data.draw(surveys(), label="survey"))
    run = Run(survey, data.draw(START_LANGUAGES, label="language"))
    for _ in range(data.draw(st.integers(0, len(survey.questions)), label="answers")):
        if run.status is SessionStatus.COMPLETED:
            break
        answer_current(run, data.draw(st.sampled_from(("button", "typed")), label="mode"), "ascii")
    words = ("back", "Back", "رجوع", "rudi", "retour")
    for _ in range(len(survey.questions) + 1):
        if run.status is SessionStatus.COMPLETED:
            events = run.send(GoBack(None))
            assert isinstance(events[0], InputIgnored)
            assert events[0].reason is IgnoredReason.ALREADY_COMPLETED
            return
        how = data.draw(st.integers(0, len(words) + 1), label="back")
        inbound: Inbound = (
            GoBack(None)
            if how == 0
            else GoBack(run.session.current)
            if how == 1
            else TextReply(words[how - 2])
        )
        events = run.send(inbound)
        if any(isinstance(e, WentBack) for e in events):
            continue  # check_events: strictly earlier than where we were
        if isinstance(inbound, TextReply):
            # 'رجوع'/'rudi'/'retour' mean back only in a survey speaking that language, and a
            # label may start with 'back': then the text was an answer or a rejected one. Fine
            # (test_interpret pins the words down); the walk ends here.
            break
        rejected = [e for e in events if isinstance(e, AnswerRejected)]
        assert [e.reason for e in rejected] == [RejectReason.NO_PREVIOUS], events
        break
    else:
        raise AssertionError("back went on for longer than the survey")
    finish(run, data)


@examples(100)
@given(st.data())
def test_typed_option_numbers_in_any_script_equal_the_button(data: st.DataObject) -> None:
    survey = parse(data.draw(surveys(), label="survey"))
    run = Run(survey, data.draw(START_LANGUAGES, label="language"))
    while run.status is SessionStatus.ACTIVE:
        prompt = run.current_prompt()
        if prompt.choices and prompt.kind is not QuestionKind.MULTIPLE_CHOICE:
            choice = data.draw(st.sampled_from(prompt.choices), label="choice")
            script = data.draw(SCRIPTS, label="script")
            events = run.send(TextReply(in_script(str(choice.number), script)))
            recorded = [e for e in events if isinstance(e, AnswerRecorded)]
            assert recorded, events
            expected = int(choice.id) if prompt.kind is QuestionKind.SCALE else choice.id
            assert recorded[0].value == expected
        else:
            answer_current(run, "button", "ascii")


@examples(50)
@given(
    low=st.integers(-60, 60).map(lambda k: k / 10),
    span=st.integers(1, 30).map(lambda k: k / 10),
    integer=st.booleans(),
)
def test_an_accepted_required_number_question_can_be_answered(
    low: float, span: float, integer: bool
) -> None:
    """A survey the validator accepts must not trap participants on a question nobody can
    answer: `integer: true` with bounds that hold no whole number has to be refused."""
    document = {
        "spec_version": 1,
        "id": "bounds",
        "organisation": "Org",
        "title": "Bounds",
        "languages": ["en"],
        "default_language": "en",
        "promise": "We report back.",
        "questions": [
            {
                "id": "n",
                "kind": "number",
                "text": "How many?",
                "integer": integer,
                "min": low,
                "max": round(low + span, 1),
            }
        ],
    }
    checked = validate(dump(document))
    if checked.survey is None:
        return  # refused: fine
    run = Run(checked.survey, "en")
    events = run.send(TextReply(str(minimal_number(run.current_prompt(), integer))))
    assert run.status is SessionStatus.COMPLETED, events


@examples(80)
@given(st.data())
def test_changing_answers_going_back_and_noise_keep_every_invariant(data: st.DataObject) -> None:
    """Participants answer, go back (sometimes far), change their minds, and send noise: answers
    that stop being relevant are withdrawn, and the survey can still be finished."""
    survey = parse(data.draw(surveys(), label="survey"))
    run = Run(survey, data.draw(START_LANGUAGES, label="language"))
    rnd = data.draw(st.randoms(use_true_random=False), label="random")
    for _ in range(data.draw(st.integers(0, 30), label="length")):
        if run.status is SessionStatus.COMPLETED:
            break
        action = rnd.randrange(10)
        if action < 5 and run.status is SessionStatus.PAUSED:
            run.send(Resume())
        elif action < 5:
            inbound = any_valid_answer(rnd, survey, run.current_prompt())
            events = run.send(inbound)
            assert any(isinstance(e, AnswerRecorded) for e in events), (inbound, events)
        elif action < 7:
            for _ in range(rnd.randint(1, len(survey.questions))):
                if not any(isinstance(e, WentBack) for e in run.send(GoBack(None))):
                    break
        else:
            run.send(data.draw(inbounds(survey, run.session.current), label="noise"))
        run.withdrawn += sum(isinstance(e, AnswerWithdrawn) for e in run.events)
    target(float(run.withdrawn), label="answers withdrawn")  # steer towards changed minds
    finish(run, data)
