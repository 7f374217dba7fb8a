"""Valid survey files: what an author writes is what the survey becomes — the example campaign,
fallback texts, YAML 1.1 traps avoided, spec_version 0 migration, and `relevant` expressions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from pathlib import Path

import pytest

import dialogues
from dialogues import QuestionKind, SurveyDefinitionError
from dialogues.expressions import (
    And,
    Answered,
    AnswerValue,
    Compare,
    Expr,
    InSet,
    Not,
    Or,
    Selected,
    evaluate,
    parse_expression,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "dialogues" / "examples" / "safe_connect.yaml"

HEADER = """\
spec_version: 1
id: soko-2026
organisation: {en: "Soko Traders Union", sw: "Chama cha Wafanyabiashara wa Soko"}
title: {en: "Your market stall", sw: "Meza yako sokoni"}
languages: [en, sw]
default_language: en
"""
PROMISE = 'promise: {en: "We will tell you.", sw: "Tutakueleza."}\n'


def _problem_lines(text: str) -> list[str]:
    with pytest.raises(SurveyDefinitionError) as raised:
        dialogues.parse(text)
    return [str(problem) for problem in raised.value.problems]


def _line_of(text: str, marker: str, occurrence: int = 0) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), 1) if marker in line]
    return lines[occurrence]


# --- the example campaign -------------------------------------------------------------------


def test_example_campaign_loads() -> None:
    result = dialogues.validate(EXAMPLE.read_text(encoding="utf-8"))
    assert result.problems == ()
    survey = result.survey
    assert survey is not None
    assert survey.id == "safe-connect-2026"
    assert len(survey.questions) == 13
    assert survey.languages == ("en", "fr", "ar", "sw")
    assert survey.default_language == "en"
    assert survey.allow_fallback is False
    assert survey.report_back_by == dt.date(2027, 3, 31)
    assert survey.retention_days is None  # the deployment's default applies
    assert dict(survey.translation_status) == {
        "fr": "machine-drafted",
        "ar": "machine-drafted",
        "sw": "machine-drafted",
    }
    assert result.warnings == ("translations not yet reviewed by a native speaker: ar, fr, sw",)


def test_example_campaign_questions_are_built_as_written() -> None:
    survey = dialogues.parse(EXAMPLE.read_text(encoding="utf-8"))
    assert [q.id for q in survey.questions] == [
        "about",
        "uses",
        "money_safe",
        "worry",
        "unsafe",
        "unsafe_what",
        "sim_id",
        "outages",
        "cut_effect",
        "trust",
        "share",
        "change",
        "area",
    ]
    for question in survey.questions:
        assert set(question.text) == {"en", "fr", "ar", "sw"}, question.id

    uses = survey.question("uses")
    assert uses is not None
    assert uses.kind is QuestionKind.MULTIPLE_CHOICE
    assert (uses.min_selections, uses.max_selections) == (1, 3)
    assert [o.id for o in uses.options] == ["calls", "sms", "money", "internet", "other"]

    money_safe = survey.question("money_safe")
    assert money_safe is not None
    assert (money_safe.min_value, money_safe.max_value) == (1, 5)
    assert [o.id for o in money_safe.options] == ["1", "2", "3", "4", "5"]
    assert money_safe.relevant == Selected("uses", "money")
    assert money_safe.min_label is not None
    assert money_safe.min_label["sw"] == "Si salama hata kidogo"

    unsafe = survey.question("unsafe")
    assert unsafe is not None
    assert unsafe.kind is QuestionKind.YES_NO
    assert unsafe.sensitive
    assert [o.id for o in unsafe.options] == ["yes", "no"]

    unsafe_what = survey.question("unsafe_what")
    assert unsafe_what is not None
    assert unsafe_what.optional
    assert unsafe_what.max_length == 500
    assert unsafe_what.relevant == Compare("unsafe", "=", "yes")

    outages = survey.question("outages")
    assert outages is not None
    assert outages.integer
    assert (outages.min_value, outages.max_value) == (0, 30)

    cut_effect = survey.question("cut_effect")
    assert cut_effect is not None
    assert cut_effect.relevant == Compare("outages", ">=", 1)

    about = survey.question("about")
    assert about is not None
    assert not about.answerable


# --- allow_fallback -------------------------------------------------------------------------

FALLBACK = (
    HEADER
    + "allow_fallback: true\n"
    + PROMISE
    + """\
questions:
  - id: sells
    kind: yes_no
    text: {en: "Do you sell food?", sw: "Unauza chakula?"}
  - id: fees
    kind: scale
    min: 1
    max: 5
    text: {en: "How fair are the fees?"}
"""
)


def test_allow_fallback_lets_a_text_miss_a_language() -> None:
    survey = dialogues.parse(FALLBACK)
    fees = survey.question("fees")
    assert fees is not None
    assert dict(fees.text) == {"en": "How fair are the fees?"}
    assert survey.text(fees.text, "sw") == "How fair are the fees?"
    sells = survey.question("sells")
    assert sells is not None
    assert survey.text(sells.text, "sw") == "Unauza chakula?"
    assert survey.text(sells.text, "en") == "Do you sell food?"


def test_without_allow_fallback_the_same_file_is_refused() -> None:
    text = FALLBACK.replace("allow_fallback: true\n", "")
    assert _problem_lines(text) == [
        f"line {_line_of(text, 'How fair')}: questions[1].text: "
        "missing translation for sw (or set allow_fallback: true)"
    ]


def test_allow_fallback_still_needs_the_default_language() -> None:
    text = FALLBACK.replace('{en: "How fair are the fees?"}', '{sw: "Ada ni za haki?"}')
    assert _problem_lines(text) == [
        f"line {_line_of(text, 'Ada ni za haki')}: questions[1].text: missing translation for en"
    ]


# --- YAML 1.1 traps -------------------------------------------------------------------------

NORWEGIAN = """\
spec_version: 1
id: marked-2026
organisation: {no: "Torgforeningen", en: "Market Association"}
title: {no: "Din torgbod", en: "Your market stall"}
languages: [no, en]
default_language: no
promise: {no: "Vi forteller deg hva vi bestemte.", en: "We will tell you what we decided."}
questions:
  - id: open
    kind: single_choice
    text: {no: "Er boden åpen om vinteren?", en: "Is your stall open in winter?"}
    options:
      - {id: yes, text: {no: Ja, en: "Yes"}}
      - {id: no, text: {no: Nei, en: No}}
      - {id: off, text: {no: "Bare av og til", en: "Off and on"}}
      - {id: on, text: {no: "Alltid", en: "Always"}}
  - id: why
    kind: text
    relevant: "open in ('no', 'off')"
    text: {no: "Hvorfor ikke?", en: "Why not?"}
"""


def test_no_is_the_norwegian_language_code_not_false() -> None:
    result = dialogues.validate(NORWEGIAN)
    assert result.problems == ()
    survey = result.survey
    assert survey is not None
    assert survey.languages == ("no", "en")
    assert survey.default_language == "no"
    assert dict(survey.title) == {"no": "Din torgbod", "en": "Your market stall"}
    assert any("no built-in button and hint texts for no" in w for w in result.warnings)


def test_yes_no_off_on_option_ids_stay_strings() -> None:
    survey = dialogues.parse(NORWEGIAN)
    question = survey.question("open")
    assert question is not None
    assert [o.id for o in question.options] == ["yes", "no", "off", "on"]
    assert all(type(o.id) is str for o in question.options)
    assert question.options[1].text["en"] == "No"
    assert question.options[0].text["no"] == "Ja"
    why = survey.question("why")
    assert why is not None
    assert why.relevant == InSet("open", ("no", "off"))


def test_numeric_looking_option_ids_stay_as_written() -> None:
    # Codebook-style ids; YAML 1.1 reads 01 and 010 as octal (1 and 8) but 08 as a string.
    text = (
        HEADER
        + PROMISE
        + """\
questions:
  - id: month
    kind: single_choice
    text: {en: "Which month?", sw: "Mwezi gani?"}
    options:
      - {id: 01, text: {en: "January", sw: "Januari"}}
      - {id: 08, text: {en: "August", sw: "Agosti"}}
      - {id: 010, text: {en: "October", sw: "Oktoba"}}
      - {id: 12, text: {en: "December", sw: "Desemba"}}
"""
    )
    question = dialogues.parse(text).questions[0]
    assert [o.id for o in question.options] == ["01", "08", "010", "12"]


def test_a_campaign_id_of_digits_is_accepted() -> None:
    # The spec allows letters, digits, "-" and "_"; an all-digit id reads as an integer in YAML.
    survey = dialogues.parse(
        HEADER.replace("id: soko-2026", "id: 2026")
        + PROMISE
        + "questions:\n  - {id: q1, kind: yes_no, text: {en: Open?, sw: Wazi?}}\n"
    )
    assert survey.id == "2026"


# --- spec_version 0 (XLSForm-like) ----------------------------------------------------------

V0 = """\
spec_version: 0
id: soko-2026
organisation: {en: "Soko Traders Union", sw: "Chama cha Wafanyabiashara wa Soko"}
title: {en: "Your market stall", sw: "Meza yako sokoni"}
languages: [en, sw]
default_language: en
promise: {en: "We will tell you.", sw: "Tutakueleza."}
questions:
  - name: intro
    type: note
    label: {en: "A few questions about your stall.", sw: "Maswali machache kuhusu meza yako."}
  - name: sells
    type: select_one
    required: true
    label:
      en: "What do you sell most?"
      sw: "Unauza nini zaidi?"
    choices:
      - name: food
        label: {en: "Food", sw: "Chakula"}
      - name: clothes
        label: {en: "Clothes", sw: "Nguo"}
  - name: goods
    type: select_multiple
    relevant: "sells = 'food'"
    label: {en: "Which foods?", sw: "Vyakula gani?"}
    choices:
      - {name: fish, label: {en: "Fish", sw: "Samaki"}}
      - {name: fruit, label: {en: "Fruit", sw: "Matunda"}}
  - name: stalls
    type: integer
    required: true
    label: {en: "How many stalls?", sw: "Meza ngapi?"}
  - name: price
    type: decimal
    label: {en: "Daily fee?", sw: "Ada ya kila siku?"}
  - name: fair
    type: scale
    min: 1
    max: 5
    label: {en: "Are the fees fair?", sw: "Ada ni za haki?"}
  - name: comment
    type: text
    label: {en: "Anything else?", sw: "Kingine?"}
"""

V1 = """\
spec_version: 1
id: soko-2026
organisation: {en: "Soko Traders Union", sw: "Chama cha Wafanyabiashara wa Soko"}
title: {en: "Your market stall", sw: "Meza yako sokoni"}
languages: [en, sw]
default_language: en
promise: {en: "We will tell you.", sw: "Tutakueleza."}
questions:
  - id: intro
    kind: info
    text: {en: "A few questions about your stall.", sw: "Maswali machache kuhusu meza yako."}
  - id: sells
    kind: single_choice
    text: {en: "What do you sell most?", sw: "Unauza nini zaidi?"}
    options:
      - {id: food, text: {en: "Food", sw: "Chakula"}}
      - {id: clothes, text: {en: "Clothes", sw: "Nguo"}}
  - id: goods
    kind: multiple_choice
    optional: true
    relevant: "sells = 'food'"
    text: {en: "Which foods?", sw: "Vyakula gani?"}
    options:
      - {id: fish, text: {en: "Fish", sw: "Samaki"}}
      - {id: fruit, text: {en: "Fruit", sw: "Matunda"}}
  - id: stalls
    kind: number
    integer: true
    text: {en: "How many stalls?", sw: "Meza ngapi?"}
  - id: price
    kind: number
    integer: false
    optional: true
    text: {en: "Daily fee?", sw: "Ada ya kila siku?"}
  - id: fair
    kind: scale
    optional: true
    min: 1
    max: 5
    text: {en: "Are the fees fair?", sw: "Ada ni za haki?"}
  - id: comment
    kind: text
    optional: true
    text: {en: "Anything else?", sw: "Kingine?"}
"""


def test_spec_version_0_migrates_to_the_same_survey_as_v1() -> None:
    old, new = dialogues.parse(V0), dialogues.parse(V1)
    assert old.questions == new.questions
    assert (old.id, old.languages, old.default_language) == (
        new.id,
        new.languages,
        new.default_language,
    )
    assert (old.title, old.organisation, old.promise) == (new.title, new.organisation, new.promise)


def test_spec_version_0_questions_are_optional_unless_required() -> None:
    survey = dialogues.parse(V0)
    optional = {q.id: q.optional for q in survey.questions if q.answerable}
    assert optional == {
        "sells": False,
        "goods": True,
        "stalls": False,
        "price": True,
        "fair": True,
        "comment": True,
    }


def _v0_with(old: str, new: str) -> str:
    assert old in V0
    return V0.replace(old, new, 1)


def test_spec_version_0_duplicate_question_name_reports_its_line() -> None:
    text = _v0_with("  - name: stalls", "  - name: sells")
    assert _problem_lines(text) == [
        f"line {_line_of(text, '- name: sells', 1)}: questions[3].id: "
        "duplicate id 'sells' (also used at questions[1])"
    ]


def test_spec_version_0_missing_translation_reports_the_label_line() -> None:
    text = _v0_with('{en: "Daily fee?", sw: "Ada ya kila siku?"}', '{en: "Daily fee?"}')
    assert _problem_lines(text) == [
        f"line {_line_of(text, 'Daily fee')}: questions[4].text: "
        "missing translation for sw (or set allow_fallback: true)"
    ]


def test_spec_version_0_relevant_mistake_reports_its_line() -> None:
    text = _v0_with("relevant: \"sells = 'food'\"", "relevant: \"sells = 'fod'\"")
    (problem,) = _problem_lines(text)
    assert problem.startswith(f"line {_line_of(text, 'relevant')}: questions[2].relevant: ")
    assert "'sells' has no option 'fod'; did you mean 'food'?" in problem


@pytest.mark.parametrize(
    ("old", "new", "marker", "words"),
    [
        pytest.param(
            "      - name: clothes",
            "      - name: food",
            ("- name: food", 1),
            "duplicate id 'food'",
            id="duplicate choice name",
        ),
        pytest.param(
            '      sw: "Unauza nini zaidi?"',
            '      sv: "Unauza nini zaidi?"',
            ("sv:", 0),
            "'sv' is not one of the languages (en, sw)",
            id="undeclared language inside a block label",
        ),
        pytest.param(
            'label: {en: "Clothes", sw: "Nguo"}',
            'label: {en: "Clothes", sv: "Nguo"}',
            ("Clothes", 0),
            "'sv' is not one of the languages (en, sw)",
            id="undeclared language inside a choice label",
        ),
        pytest.param(
            "    type: select_one\n    required: true\n",
            "    type: select_one\n    required: sometimes\n",
            ("required:", 0),
            "required",
            id="required that is not true or false",
        ),
        pytest.param(
            "    type: select_one\n",
            "    type: select_on\n",
            ("select_on", 0),
            "did you mean 'select_one'?",
            id="misspelt v0 type",
        ),
    ],
)
def test_spec_version_0_mistakes_report_the_line_the_author_wrote(
    old: str, new: str, marker: tuple[str, int], words: str
) -> None:
    text = _v0_with(old, new)
    problems = _problem_lines(text)
    line = _line_of(text, *marker)
    assert any(p.startswith(f"line {line}: ") and words in p for p in problems), problems


# --- relevant expressions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("q1 = 'calls'", Compare("q1", "=", "calls")),
        ("q1 == 'calls'", Compare("q1", "=", "calls")),
        ("q1 != 'calls'", Compare("q1", "!=", "calls")),
        ("q1 = ‘calls’", Compare("q1", "=", "calls")),
        ("q5 >= 4", Compare("q5", ">=", 4)),
        ("q5 < 2.5", Compare("q5", "<", 2.5)),
        ("q5 > -1", Compare("q5", ">", -1)),
        ("q1 in ('calls', 'money')", InSet("q1", ("calls", "money"))),
        ("selected(q2, 'sms')", Selected("q2", "sms")),
        ("count(q2) >= 2", Compare("q2", ">=", 2, count=True)),
        ("answered(q7)", Answered("q7")),
        ("not answered(q7)", Not(Answered("q7"))),
        (
            "q1 = 'a' and q2 = 'b' or q3 = 'c'",
            Or((And((Compare("q1", "=", "a"), Compare("q2", "=", "b"))), Compare("q3", "=", "c"))),
        ),
        (
            "q1 = 'a' and (q2 = 'b' or q3 = 'c')",
            And((Compare("q1", "=", "a"), Or((Compare("q2", "=", "b"), Compare("q3", "=", "c"))))),
        ),
        (
            "not q1 = 'a' and q2 = 'b'",
            And((Not(Compare("q1", "=", "a")), Compare("q2", "=", "b"))),
        ),
    ],
)
def test_relevant_expressions_parse_into_structure(source: str, expected: Expr) -> None:
    assert parse_expression(source) == expected


def _holds(
    source: str, values: Mapping[str, AnswerValue], answered: Collection[str] | None = None
) -> bool:
    return evaluate(parse_expression(source), values, set(values) if answered is None else answered)


def test_comparisons_on_answers() -> None:
    assert _holds("q1 = 'calls'", {"q1": "calls"})
    assert not _holds("q1 = 'calls'", {"q1": "money"})
    assert _holds("q1 != 'calls'", {"q1": "money"})
    assert _holds("q1 in ('calls', 'money')", {"q1": "money"})
    assert not _holds("q1 in ('calls', 'money')", {"q1": "sms"})
    assert _holds("q5 >= 4", {"q5": 4})
    assert _holds("q5 >= 4", {"q5": 4.5})
    assert not _holds("q5 >= 4", {"q5": 3})
    assert _holds("q5 < 2.5", {"q5": 2})


def test_choices_and_counts() -> None:
    ticked: dict[str, AnswerValue] = {"q2": ("sms", "calls")}
    assert _holds("selected(q2, 'sms')", ticked)
    assert not _holds("selected(q2, 'money')", ticked)
    assert _holds("count(q2) >= 2", ticked)
    assert not _holds("count(q2) >= 3", ticked)
    assert not _holds("count(q2) >= 2", {"q2": ("sms",)})
    assert _holds("selected(q1, 'sms')", {"q1": "sms"})  # also works on a single choice


def test_skipped_questions_make_every_comparison_false() -> None:
    nothing: dict[str, AnswerValue] = {}
    for source in (
        "q1 = 'calls'",
        "q1 != 'calls'",
        "q1 in ('calls', 'money')",
        "q5 >= 4",
        "q5 < 4",
        "selected(q2, 'sms')",
        "count(q2) >= 1",
        "answered(q1)",
    ):
        assert not _holds(source, nothing), source


def test_not_turns_a_skipped_comparison_true() -> None:
    assert _holds("not q1 = 'calls'", {})
    assert _holds("not answered(q7)", {})
    assert not _holds("not answered(q7)", {}, answered={"q7"})
    assert not _holds("not q1 = 'calls'", {"q1": "calls"})


def test_answered_counts_free_text_answers_that_have_no_value() -> None:
    assert _holds("answered(q7)", {}, answered={"q7"})


def test_and_or_combine_answers() -> None:
    answers: dict[str, AnswerValue] = {"q1": "money", "q5": 2}
    assert _holds("q1 = 'money' and q5 <= 2", answers)
    assert not _holds("q1 = 'money' and q5 > 2", answers)
    assert _holds("q1 = 'calls' or q5 <= 2", answers)
    assert _holds("q1 = 'calls' and q5 > 9 or selected(q1, 'money')", answers)
    assert not _holds("q1 = 'calls' and (q5 > 9 or selected(q1, 'money'))", answers)


# --- the campaign's own data notice ---------------------------------------------------------

NOTICE_SURVEY = (
    HEADER
    + PROMISE
    + 'data_notice: {en: "Only our research team reads them.", sw: "Timu yetu tu inayasoma."}\n'
    + """\
questions:
  - {id: sells, kind: yes_no, text: {en: "Do you sell food?", sw: "Unauza chakula?"}}
"""
)


def test_a_campaign_may_bring_its_own_data_notice() -> None:
    survey = dialogues.parse(NOTICE_SURVEY)
    assert survey.data_notice == {
        "en": "Only our research team reads them.",
        "sw": "Timu yetu tu inayasoma.",
    }
    without = "".join(line for line in NOTICE_SURVEY.splitlines(True) if "data_notice" not in line)
    assert dialogues.parse(without).data_notice is None  # the built-in notice is said


def test_a_data_notice_needs_every_language() -> None:
    text = NOTICE_SURVEY.replace(', sw: "Timu yetu tu inayasoma."', "")
    assert _problem_lines(text) == [
        f"line {_line_of(text, 'data_notice')}: data_notice: "
        "missing translation for sw (or set allow_fallback: true)"
    ]
