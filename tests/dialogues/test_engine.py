"""Engine behaviour a participant notices: navigation, pausing, languages, stale buttons,
multiple-choice toggles, conditional questions, and compact sessions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dialogues import Session, SessionStatus, Survey, advance, from_dict, parse, start, to_dict
from dialogues.events import (
    AnswerOutcome,
    AnswerRecorded,
    AnswerRejected,
    AnswerWithdrawn,
    Event,
    IgnoredReason,
    InputIgnored,
    LanguageChanged,
    QuestionAsked,
    RejectReason,
    SelectionChanged,
    SurveyCompleted,
    SurveyStarted,
)
from dialogues.inbound import (
    ChangeLanguage,
    ChoiceReply,
    GoBack,
    Inbound,
    Pause,
    Skip,
    SubmitSelection,
    TextReply,
    ToggleOption,
)

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "dialogues" / "examples" / "safe_connect.yaml"

SMALL = """
spec_version: 1
id: small
organisation: {en: Acme, sw: Acme}
title: {en: Small, sw: Ndogo}
languages: [en, sw]
default_language: en
promise: {en: We will report back., sw: Tutawajulisha.}
questions:
  - id: food
    kind: single_choice
    text: {en: Enough food?, sw: Chakula cha kutosha?}
    options:
      - {id: yes_always, text: {en: Always, sw: Daima}}
      - {id: sometimes, text: {en: Sometimes, sw: Wakati mwingine}}
      - {id: never, text: {en: Never, sw: Kamwe}}
  - id: why
    kind: multiple_choice
    min: 1
    max: 2
    relevant: food != 'yes_always'
    text: {en: Why?, sw: Kwa nini?}
    options:
      - {id: price, text: {en: Prices, sw: Bei}}
      - {id: road, text: {en: Roads, sw: Barabara}}
      - {id: rain, text: {en: Rain, sw: Mvua}}
  - id: age
    kind: number
    optional: true
    min: 15
    max: 120
    text: {en: Your age?, sw: Umri wako?}
"""


def _survey(text: str = SMALL) -> Survey:
    return parse(text)


def _run(survey: Survey, session: Session, *inputs: Inbound) -> tuple[Session, list[Event]]:
    events: list[Event] = []
    for inbound in inputs:
        step = advance(survey, session, inbound, NOW)
        session = step.session
        events.extend(step.events)
    return session, events


def _asked(events: list[Event]) -> list[str]:
    return [e.prompt.question_id for e in events if isinstance(e, QuestionAsked)]


def test_start_introduces_the_survey_and_asks_the_first_question() -> None:
    step = start(_survey(), "sw", NOW)
    assert isinstance(step.events[0], SurveyStarted)
    assert step.events[0].promise == "Tutawajulisha."
    assert _asked(list(step.events)) == ["food"]
    assert step.session.current == "food"


def test_start_in_an_unknown_language_uses_the_default() -> None:
    assert start(_survey(), "de", NOW).session.language == "en"


def test_conditional_question_is_skipped_when_it_does_not_apply() -> None:
    survey = _survey()
    _, events = _run(survey, start(survey, "en", NOW).session, TextReply("always"))
    assert _asked(events) == ["age"]


def test_going_back_and_changing_an_answer_withdraws_answers_that_no_longer_apply() -> None:
    survey = _survey()
    session = start(survey, "en", NOW).session
    session, _ = _run(survey, session, TextReply("2"), TextReply("1,3"))
    assert session.current == "age"
    session, events = _run(survey, session, GoBack(), GoBack())
    assert session.current == "food"
    prompt = [e for e in events if isinstance(e, QuestionAsked)][-1].prompt
    assert prompt.previous_answer == "Sometimes"
    session, events = _run(survey, session, ChoiceReply("food", ("yes_always",)))
    assert [e.question_id for e in events if isinstance(e, AnswerWithdrawn)] == ["why"]
    assert "why" not in session.values
    assert _asked(events) == ["age"]


def test_coming_back_to_a_multiple_choice_pre_ticks_the_earlier_answer() -> None:
    survey = _survey()
    session, _ = _run(survey, start(survey, "en", NOW).session, TextReply("2"), TextReply("1,3"))
    session, events = _run(survey, session, GoBack())
    prompt = [e for e in events if isinstance(e, QuestionAsked)][-1].prompt
    assert prompt.selected == ("price", "rain")


def test_toggles_tick_and_untick_then_done_records_the_selection() -> None:
    survey = _survey()
    session, _ = _run(survey, start(survey, "en", NOW).session, TextReply("2"))
    session, events = _run(
        survey,
        session,
        ToggleOption("why", "rain"),
        ToggleOption("why", "price"),
        ToggleOption("why", "rain"),
    )
    changes = [e.selected for e in events if isinstance(e, SelectionChanged)]
    assert changes == [("rain",), ("price", "rain"), ("price",)]
    session, events = _run(survey, session, SubmitSelection("why"))
    recorded = [e for e in events if isinstance(e, AnswerRecorded)]
    assert recorded[0].value == ("price",)


def test_done_with_nothing_ticked_is_asked_again() -> None:
    survey = _survey()
    session, _ = _run(survey, start(survey, "en", NOW).session, TextReply("2"))
    session, events = _run(survey, session, SubmitSelection("why"))
    assert isinstance(events[0], AnswerRejected)
    assert events[0].reason is RejectReason.NOT_AN_OPTION
    assert session.current == "why"


def test_a_stale_button_is_ignored_politely_and_changes_nothing() -> None:
    survey = _survey()
    session, _ = _run(survey, start(survey, "en", NOW).session, TextReply("2"))
    after, events = _run(survey, session, ChoiceReply("food", ("never",)))
    assert isinstance(events[0], InputIgnored)
    assert events[0].reason is IgnoredReason.STALE
    assert after.values == session.values


def test_switching_language_asks_the_current_question_again_in_the_new_language() -> None:
    survey = _survey()
    session, events = _run(survey, start(survey, "en", NOW).session, ChangeLanguage("sw"))
    assert isinstance(events[0], LanguageChanged)
    asked = [e for e in events if isinstance(e, QuestionAsked)]
    assert asked[0].again
    assert asked[0].prompt.text == "Chakula cha kutosha?"
    assert session.language == "sw"


def test_labels_typed_in_another_survey_language_are_understood() -> None:
    survey = _survey()
    session, _ = _run(survey, start(survey, "en", NOW).session, TextReply("kamwe"))
    assert session.values["food"] == "never"


def test_pause_keeps_answers_and_the_next_message_resumes_with_the_question() -> None:
    survey = _survey()
    session, _ = _run(survey, start(survey, "en", NOW).session, TextReply("2"), Pause())
    assert session.status is SessionStatus.PAUSED
    session, events = _run(survey, session, TextReply("3"))
    assert session.status is SessionStatus.ACTIVE
    assert "why" not in session.values  # the message after a pause is not read as an answer
    assert _asked(events) == ["why"]


def test_optional_question_can_be_skipped_and_required_cannot() -> None:
    survey = _survey()
    session, events = _run(survey, start(survey, "en", NOW).session, Skip())
    assert any(isinstance(e, AnswerRejected) and e.reason is RejectReason.REQUIRED for e in events)
    session, events = _run(survey, session, TextReply("1"), TextReply("skip"))
    recorded = [e for e in events if isinstance(e, AnswerRecorded)]
    assert recorded[-1].outcome is AnswerOutcome.SKIPPED
    assert isinstance(events[-1], SurveyCompleted)
    assert events[-1].message.endswith("We will report back.")


def test_input_after_completion_is_answered_not_recorded() -> None:
    survey = _survey()
    session, _ = _run(survey, start(survey, "en", NOW).session, TextReply("1"), TextReply("30"))
    assert session.status is SessionStatus.COMPLETED
    after, events = _run(survey, session, TextReply("hello"))
    assert isinstance(events[0], InputIgnored)
    assert after.values == session.values


def test_session_of_a_changed_survey_resumes_at_the_first_unanswered_question() -> None:
    survey = _survey()
    session, _ = _run(survey, start(survey, "en", NOW).session, TextReply("2"))
    edited = _survey(SMALL.replace("id: why", "id: reasons").replace("ids: why", "ids: reasons"))
    session, events = _run(edited, session, TextReply("1"))
    assert _asked(events) == ["reasons"]


def test_session_of_another_survey_is_a_programming_error() -> None:
    survey = _survey()
    other = parse(SMALL.replace("id: small", "id: other"))
    with pytest.raises(ValueError, match="session of survey"):
        advance(other, start(survey, "en", NOW).session, TextReply("1"), NOW)


def test_example_session_in_progress_is_under_one_kilobyte() -> None:
    """A 20-question survey in progress: every question answered but the last."""
    survey = _twenty_questions()
    session = start(survey, "en", NOW).session
    typed = {
        "single_choice": "2",
        "multiple_choice": "1,3,5",
        "scale": "4",
        "number": "1234",
        "yes_no": "yes",
    }
    for _ in range(19):
        question = survey.question(session.current or "")
        assert question is not None
        session = advance(survey, session, TextReply(typed[question.kind.value]), NOW).session
    assert session.current == "q20"
    encoded = json.dumps(to_dict(session), separators=(",", ":"), ensure_ascii=False)
    assert len(encoded.encode()) < 1024, encoded
    assert from_dict(json.loads(encoded)) == session


def _twenty_questions() -> Survey:
    kinds = ["single_choice", "multiple_choice", "scale", "number", "yes_no"]
    lines = [
        "spec_version: 1",
        "id: twenty",
        "organisation: {en: Acme}",
        "title: {en: Twenty}",
        "languages: [en]",
        "default_language: en",
        "promise: {en: We will report back.}",
        "questions:",
    ]
    for number in range(1, 21):
        kind = kinds[number % len(kinds)]
        lines += [f"  - id: q{number}", f"    kind: {kind}", f"    text: {{en: Question {number}}}"]
        if kind in ("single_choice", "multiple_choice"):
            lines.append("    options:")
            lines += [f"      - {{id: opt{o}, text: {{en: Option {o}}}}}" for o in range(1, 6)]
        if kind == "scale":
            lines += ["    min: 1", "    max: 5"]
    return parse("\n".join(lines))


def test_example_campaign_completes_in_every_language() -> None:
    survey = parse(EXAMPLE.read_text(encoding="utf-8"))
    for language in survey.languages:
        session = start(survey, language, NOW).session
        for _ in range(40):
            if session.status is SessionStatus.COMPLETED:
                break
            session = advance(survey, session, TextReply("1"), NOW).session
            if session.current in ("unsafe_what", "change"):
                session = advance(survey, session, Skip(), NOW).session
        assert session.status is SessionStatus.COMPLETED, language


def test_several_answers_are_shown_with_the_arabic_comma_in_arabic() -> None:
    survey = parse(EXAMPLE.read_text(encoding="utf-8"))
    step = advance(survey, start(survey, "ar", NOW).session, TextReply("1,3"), NOW)
    recorded = [e for e in step.events if isinstance(e, AnswerRecorded)]
    assert recorded[0].display == "المكالمات، المال عبر الهاتف"
