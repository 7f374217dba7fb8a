"""Generous reading of typed answers, as a participant would notice it: option numbers in any
script, labels in any of the survey's languages, yes/no words, numbers the way people write
them, control words in the participant's language, and clear reasons when something is refused.

Everything goes through the public engine (`start`/`advance`) on small surveys and checks the
events a channel would turn into messages.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache

import pytest

from dialogues import Session, SessionStatus, Survey, advance, parse, start
from dialogues.events import (
    AnswerOutcome,
    AnswerRecorded,
    AnswerRejected,
    Event,
    QuestionAsked,
    RejectReason,
    SurveyPaused,
    WentBack,
)
from dialogues.expressions import AnswerValue
from dialogues.inbound import TextReply

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)

HEADER = """
spec_version: 1
id: interpret
organisation: {en: Nuru, fr: Nuru, sw: Nuru, ar: نورو}
title: {en: Test, fr: Test, sw: Jaribio, ar: اختبار}
languages: [en, fr, sw, ar]
default_language: en
promise: {en: We report back., fr: Nous revenons vers vous., sw: Tutarudi kwako., ar: سنعود إليك.}
questions:
  - id: first
    kind: yes_no
    text: {en: Ready?, fr: Prêt ?, sw: Tayari?, ar: جاهز؟}
"""

QUESTIONS = {
    "single": """
  - id: q
    kind: single_choice
    optional: true
    text: {en: Main worry?, fr: Souci principal ?, sw: Wasiwasi mkuu?, ar: القلق الأساسي؟}
    options:
      - {id: power, text: {en: Electricity, fr: Électricité, sw: Umeme, ar: الكهرباء}}
      - id: money
        text: {en: Mobile money, fr: Argent mobile, sw: Pesa kwa simu, ar: المال عبر الهاتف}
      - {id: net, text: {en: Internet, fr: Réseau, sw: Intaneti, ar: إنترنت}}
      - {id: tank, text: {en: Water tank, fr: Citerne, sw: Tangi la maji, ar: خزان ماء}}
      - {id: water, text: {en: Water, fr: Eau, sw: Maji, ar: الماء}}
      - {id: other, text: {en: Other, fr: Autre, sw: Nyingine, ar: أخرى}}
""",
    "multiple": """
  - id: q
    kind: multiple_choice
    text: {en: Uses?, fr: Usages ?, sw: Matumizi?, ar: الاستخدامات؟}
    options:
      - {id: calls, text: {en: Calls, fr: Appels, sw: Simu, ar: المكالمات}}
      - {id: sms, text: {en: Text messages, fr: SMS, sw: Ujumbe, ar: الرسائل}}
      - {id: money, text: {en: Mobile money, fr: Argent mobile, sw: Pesa kwa simu, ar: المال}}
      - {id: internet, text: {en: Internet, fr: Internet, sw: Intaneti, ar: الإنترنت}}
""",
    "yes_no": """
  - id: q
    kind: yes_no
    text: {en: Safe?, fr: En sécurité ?, sw: Salama?, ar: آمن؟}
""",
    "integer": """
  - id: q
    kind: number
    optional: true
    min: 0
    max: 100
    text: {en: How many?, fr: Combien ?, sw: Ngapi?, ar: كم؟}
""",
    "decimal": """
  - id: q
    kind: number
    integer: false
    text: {en: How much?, fr: Combien ?, sw: Kiasi gani?, ar: كم؟}
""",
    "at_least_one": """
  - id: q
    kind: number
    min: 1
    text: {en: Since when?, fr: Depuis quand ?, sw: Tangu lini?, ar: منذ متى؟}
""",
    "at_most_ten": """
  - id: q
    kind: number
    max: 10
    text: {en: Hours?, fr: Heures ?, sw: Saa ngapi?, ar: كم ساعة؟}
""",
    "scale": """
  - id: q
    kind: scale
    min: 1
    max: 5
    labels:
      min: {en: Very bad, fr: Très mauvais, sw: Mbaya sana, ar: سيئ جدًا}
      max: {en: Very good, fr: Très bon, sw: Nzuri sana, ar: جيد جدًا}
    text: {en: Network?, fr: Réseau ?, sw: Mtandao?, ar: الشبكة؟}
""",
    "text": """
  - id: q
    kind: text
    optional: true
    max_length: 20
    text: {en: Anything else?, fr: Autre chose ?, sw: Kingine?, ar: شيء آخر؟}
""",
}


@cache
def survey(kind: str) -> Survey:
    return parse(HEADER + QUESTIONS[kind])


def at_question(kind: str, language: str) -> Session:
    """A session in `language` whose first question is answered and `q` is current."""
    opened = start(survey(kind), language, NOW)
    session = advance(survey(kind), opened.session, TextReply("1"), NOW).session
    assert session.current == "q"
    return session


def reply(kind: str, text: str, language: str = "en") -> tuple[Event, ...]:
    events = advance(survey(kind), at_question(kind, language), TextReply(text), NOW).events
    if any(isinstance(e, AnswerRejected) for e in events):
        asked = events[-1]
        assert isinstance(asked, QuestionAsked)
        assert asked.again
        assert asked.prompt.question_id == "q"
    return events


def recorded(kind: str, text: str, language: str = "en") -> AnswerValue | None:
    events = reply(kind, text, language)
    answers = [e for e in events if isinstance(e, AnswerRecorded)]
    assert answers, f"{text!r} was not accepted: {events}"
    assert answers[0].question_id == "q"
    assert answers[0].outcome is AnswerOutcome.ANSWERED
    return answers[0].value


def rejected(kind: str, text: str, language: str = "en") -> AnswerRejected:
    events = reply(kind, text, language)
    assert not any(isinstance(e, AnswerRecorded) for e in events), f"{text!r} accepted: {events}"
    refusals = [e for e in events if isinstance(e, AnswerRejected)]
    assert len(refusals) == 1, events
    return refusals[0]


# -- option numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2", ("sms",)),
        ("1,3", ("calls", "money")),
        ("1 3", ("calls", "money")),
        ("1, 3", ("calls", "money")),
        ("3,1", ("calls", "money")),
        ("1;3", ("calls", "money")),
        ("1 and 3", ("calls", "money")),
        ("1 et 3", ("calls", "money")),
        ("1 na 3", ("calls", "money")),
        ("١، ٣", ("calls", "money")),  # Arabic-Indic digits, Arabic comma
        ("١،٣", ("calls", "money")),
        ("١ و ٣", ("calls", "money")),
        ("۲", ("sms",)),  # Eastern Arabic-Indic (Persian/Urdu keyboards)
        ("۱، ۴", ("calls", "internet")),
        ("२", ("sms",)),  # Devanagari
        ("१, ३", ("calls", "money")),
        ("1, 1", ("calls",)),
        ("4 2", ("sms", "internet")),
    ],
)
def test_option_numbers_on_a_multiple_choice(typed: str, expected: tuple[str, ...]) -> None:
    assert recorded("multiple", typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2", "money"),
        ("٢", "money"),
        ("۳", "net"),
        ("३", "net"),
        ("6", "other"),
        ("2.", "money"),
        ("(2)", "money"),
        ("#3", "net"),
    ],
)
def test_option_numbers_on_a_single_choice(typed: str, expected: str) -> None:
    assert recorded("single", typed) == expected


@pytest.mark.parametrize("typed", ["0", "7", "1,3", "٩", "12"])
def test_option_numbers_that_are_not_options_say_which_numbers_work(typed: str) -> None:
    refusal = rejected("single", typed)
    assert refusal.reason in (RejectReason.NOT_AN_OPTION, RejectReason.TOO_MANY)
    if refusal.reason is RejectReason.NOT_AN_OPTION:
        assert "1" in refusal.message
        assert "6" in refusal.message


def test_option_number_out_of_range_on_multiple_choice_is_refused_in_swahili() -> None:
    refusal = rejected("multiple", "1, 9", "sw")
    assert refusal.reason is RejectReason.NOT_AN_OPTION
    assert "Samahani" in refusal.message
    assert "4" in refusal.message


@pytest.mark.parametrize("typed", ["፩", "፪", "²", "①", "𐩀", "1" * 5000, "3" * 4400 + ", 1"])
def test_digit_like_characters_and_huge_numbers_never_break_a_choice(typed: str) -> None:
    """Ethiopic numerals, superscripts and 5000-digit 'numbers' are digits to str.isdigit()
    but not to int(): they must be read or refused, never raise."""
    for kind in ("single", "multiple", "yes_no", "scale"):
        events = reply(kind, typed)
        answers = [e for e in events if isinstance(e, AnswerRecorded)]
        refusals = [e for e in events if isinstance(e, AnswerRejected)]
        assert answers or refusals, (kind, events)


# -- labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("Electricity", "en", "power"),
        ("ELECTRICITY", "en", "power"),
        ("  electricity !", "en", "power"),
        ("Électricité", "en", "power"),  # French label in an English conversation
        ("electricite", "fr", "power"),  # no accents
        ("ÉLECTRICITÉ", "sw", "power"),
        ("umeme", "fr", "power"),
        ("Pesa kwa simu", "ar", "money"),
        ("الكهرباء", "en", "power"),
        ("الكَهْرَبَاءُ", "ar", "power"),  # with tashkeel
        ("اخرى", "ar", "other"),  # أخرى without hamza
        ("أخرى", "ar", "other"),
        ("انترنت", "ar", "net"),  # إنترنت without hamza
        ("الــماء", "ar", "water"),  # tatweel
        ("mobi", "en", "money"),  # unique beginning
        ("argent", "sw", "money"),
        ("money", "en", "money"),  # the option id
    ],
)
def test_labels_in_any_survey_language(typed: str, language: str, expected: str) -> None:
    assert recorded("single", typed, language) == expected


def test_an_exact_label_wins_over_a_longer_label_that_starts_with_it() -> None:
    assert recorded("single", "water") == "water"  # not ambiguous with "Water tank"


@pytest.mark.parametrize("typed", ["wat", "Mo", "el", "i"])
def test_ambiguous_or_too_short_beginnings_are_refused(typed: str) -> None:
    """'wat' starts 'Water' and 'Water tank'; 'mo' and 'el' are shorter than three letters."""
    assert rejected("single", typed).reason is RejectReason.NOT_AN_OPTION


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("calls, internet", ("calls", "internet")),
        ("Appels et SMS", ("calls", "sms")),
        ("simu na intaneti", ("calls", "internet")),
        ("المكالمات، الإنترنت", ("calls", "internet")),
        ("Mobile money", ("money",)),
        ("internet, 1", ("calls", "internet")),
    ],
)
def test_labels_on_a_multiple_choice(typed: str, expected: tuple[str, ...]) -> None:
    assert recorded("multiple", typed) == expected


# -- yes / no --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("yes", "yes"),
        ("Y", "yes"),
        ("YES!", "yes"),
        ("ok", "yes"),
        ("oui", "yes"),
        ("Oui", "yes"),
        ("ndiyo", "yes"),
        ("Ndio", "yes"),
        ("نعم", "yes"),
        ("1", "yes"),
        ("١", "yes"),
        ("no", "no"),
        ("N", "no"),
        ("non", "no"),
        ("hapana", "no"),
        ("لا", "no"),
        ("2", "no"),
        ("٢", "no"),
    ],
)
def test_yes_no_words_and_numbers(typed: str, expected: str) -> None:
    for language in ("en", "sw"):
        assert recorded("yes_no", typed, language) == expected


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "yes or no"), ("fr", "oui ou non"), ("sw", "ndiyo au hapana"), ("ar", "بنعم أو لا")],
)
def test_not_yes_or_no_is_explained_in_the_participants_language(language: str, words: str) -> None:
    refusal = rejected("yes_no", "maybe", language)
    assert refusal.reason is RejectReason.YES_NO
    assert words in refusal.message


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", 12.0),
        ("2,5", 2.5),  # decimal comma
        ("2.5", 2.5),
        ("1 000", 1000.0),
        ("1\u00a0000", 1000.0),
        ("1,000,000", 1000000.0),
        ("1 000 000", 1000000.0),
        ("-3", -3.0),
        ("\u22123", -3.0),  # MINUS SIGN
        ("٣٫٥", 3.5),  # Arabic-Indic with the Arabic decimal separator
        ("١٢", 12.0),
        ("۱۲٫۵", 12.5),
        ("१२", 12.0),
    ],
)
def test_numbers_as_people_write_them(typed: str, expected: float) -> None:
    value = recorded("decimal", typed)
    assert value == expected
    assert isinstance(value, float)


@pytest.mark.parametrize(("typed", "expected"), [("12", 12), ("٧", 7), (" 100 ", 100), ("0", 0)])
def test_whole_numbers_are_recorded_as_integers(typed: str, expected: int) -> None:
    value = recorded("integer", typed)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize("typed", ["2,5", "3.5", "٣٫٥", "0,1"])
def test_a_fraction_on_a_whole_number_question_is_refused(typed: str) -> None:
    refusal = rejected("integer", typed)
    assert refusal.reason is RejectReason.NOT_WHOLE
    assert "whole number" in refusal.message


@pytest.mark.parametrize(
    ("language", "word"),
    [("en", "number"), ("fr", "nombre"), ("sw", "namba"), ("ar", "رقم")],
)
@pytest.mark.parametrize("typed", ["150", "-1", "١٠١"])
def test_out_of_range_names_the_bounds_in_the_participants_language(
    language: str, word: str, typed: str
) -> None:
    refusal = rejected("integer", typed, language)
    assert refusal.reason is RejectReason.OUT_OF_RANGE
    assert word in refusal.message
    assert "0" in refusal.message
    assert "100" in refusal.message


def test_below_the_minimum_and_above_the_maximum_name_their_bound() -> None:
    low = rejected("at_least_one", "0", "fr")
    assert low.reason is RejectReason.BELOW_MIN
    assert "au moins 1" in low.message
    high = rejected("at_most_ten", "11", "sw")
    assert high.reason is RejectReason.ABOVE_MAX
    assert "10" in high.message
    assert "isiyozidi" in high.message


@pytest.mark.parametrize("typed", ["abc", "", "12 kg", "1e3", "five"])
def test_not_a_number_asks_for_a_number(typed: str) -> None:
    refusal = rejected("decimal", typed, "sw")
    assert refusal.reason is RejectReason.NOT_A_NUMBER
    assert "namba" in refusal.message


@pytest.mark.parametrize("typed", ["9" * 400, "-" + "9" * 400, "1" * 309 + ",5"])
def test_a_number_too_large_for_a_float_is_not_recorded_as_infinity(typed: str) -> None:
    """float('9' * 400) is inf: it must be refused, not stored (inf is not valid JSON)."""
    events = reply("decimal", typed)
    for event in events:
        if isinstance(event, AnswerRecorded):
            assert isinstance(event.value, float)
            assert math.isfinite(event.value), event


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3", 3),
        ("٣", 3),
        ("3.0", 3),
        ("Very bad", 1),
        ("très mauvais", 1),
        ("NZURI SANA", 5),
        ("سيئ جدا", 1),  # without the tanween of the label
    ],
)
def test_scale_values_and_end_labels(typed: str, expected: int) -> None:
    value = recorded("scale", typed)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize("typed", ["0", "6", "2.5", "good"])
def test_off_the_scale_names_its_ends(typed: str) -> None:
    refusal = rejected("scale", typed, "fr")
    assert refusal.reason is RejectReason.OUT_OF_RANGE
    assert "de 1 à 5" in refusal.message


# -- control words ---------------------------------------------------------------------------

CONTROL_KINDS = ["single", "integer", "text"]  # all optional, so 'skip' is allowed


@pytest.mark.parametrize("kind", CONTROL_KINDS)
@pytest.mark.parametrize(
    ("language", "word"),
    [
        ("sw", "ruka"),
        ("sw", "Ruka!"),
        ("fr", "passer"),
        ("fr", "Suivant"),
        ("ar", "تخطي"),
        ("ar", "تخطّي"),  # with shadda
        ("en", "skip"),
    ],
)
def test_skip_words(kind: str, language: str, word: str) -> None:
    events = reply(kind, word, language)
    answers = [e for e in events if isinstance(e, AnswerRecorded)]
    assert answers, events
    assert answers[0].outcome is AnswerOutcome.SKIPPED


@pytest.mark.parametrize("kind", CONTROL_KINDS)
@pytest.mark.parametrize(
    ("language", "word"),
    [
        ("sw", "rudi"),
        ("sw", "rudi nyuma"),
        ("fr", "retour"),
        ("fr", "précédent"),
        ("fr", "PRECEDENT"),
        ("ar", "رجوع"),
        ("ar", "السابق"),
    ],
)
def test_back_words(kind: str, language: str, word: str) -> None:
    events = reply(kind, word, language)
    assert [e.question_id for e in events if isinstance(e, WentBack)] == ["first"]
    asked = events[-1]
    assert isinstance(asked, QuestionAsked)
    assert asked.prompt.question_id == "first"
    assert asked.prompt.previous_answer is not None


@pytest.mark.parametrize("kind", CONTROL_KINDS)
@pytest.mark.parametrize(
    ("language", "word"),
    [
        ("sw", "sitisha"),
        ("sw", "baadaye"),
        ("fr", "pause"),
        ("fr", "plus tard"),
        ("ar", "إيقاف"),
        ("ar", "ايقاف"),  # without hamza
        ("ar", "لاحقًا"),
    ],
)
def test_pause_words(kind: str, language: str, word: str) -> None:
    session = at_question(kind, language)
    step = advance(survey(kind), session, TextReply(word), NOW)
    assert step.session.status is SessionStatus.PAUSED
    paused = [e for e in step.events if isinstance(e, SurveyPaused)]
    assert paused, step.events
    assert not any(isinstance(e, AnswerRecorded) for e in step.events)


@pytest.mark.parametrize(
    ("kind", "language", "word"),
    [("multiple", "sw", "ruka"), ("yes_no", "fr", "passer"), ("scale", "ar", "تخطي")],
)
def test_skipping_a_required_question_is_refused_in_the_participants_language(
    kind: str, language: str, word: str
) -> None:
    refusal = rejected(kind, word, language)
    assert refusal.reason is RejectReason.REQUIRED
    assert {"sw": "kurukwa", "fr": "passer", "ar": "تخطّيه"}[language] in refusal.message


# -- free text -------------------------------------------------------------------------------


def test_free_text_is_kept_as_typed_without_surrounding_spaces() -> None:
    assert recorded("text", "  Pole pole  \n") == "Pole pole"
    assert recorded("text", "يا سلام") == "يا سلام"


def test_free_text_longer_than_max_length_is_refused_with_its_length() -> None:
    refusal = rejected("text", "x" * 25, "en")
    assert refusal.reason is RejectReason.TOO_LONG
    assert "25" in refusal.message
    assert "20" in refusal.message
    refusal = rejected("text", "ن" * 21, "ar")
    assert refusal.reason is RejectReason.TOO_LONG
    assert "21" in refusal.message


def test_free_text_of_exactly_max_length_is_accepted() -> None:
    assert recorded("text", "y" * 20) == "y" * 20


@pytest.mark.parametrize("typed", ["", "   ", "\n\t "])
def test_empty_text_is_refused(typed: str) -> None:
    refusal = rejected("text", typed, "sw")
    assert refusal.reason is RejectReason.EMPTY
    assert "andika" in refusal.message
