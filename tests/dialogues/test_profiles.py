"""A survey question declares the panel attribute it feeds: a known one, on a kind of question
that can feed it, and each attribute from one question at most."""

from __future__ import annotations

import pytest

from dialogues import SurveyDefinitionError, parse
from tests.kit.example import example_survey

AREA = "  - id: area\n    kind: single_choice\n"


def test_the_area_question_feeds_the_area_attribute() -> None:
    survey = parse(example_survey().replace(AREA, AREA + "    profile: area\n"))
    assert [q.id for q in survey.questions if q.profile == "area"] == ["area"]


@pytest.mark.parametrize(
    ("declared", "said"),
    [
        ("    profile: home\n", "unknown profile attribute 'home'"),
        ("    profile: [area]\n", "unknown profile attribute"),
    ],
)
def test_an_unknown_attribute_is_named_with_its_line(declared: str, said: str) -> None:
    with pytest.raises(SurveyDefinitionError) as raised:
        parse(example_survey().replace(AREA, AREA + declared))
    assert said in str(raised.value)
    assert "questions[12].profile" in str(raised.value)


def test_a_yes_no_question_feeds_no_profile() -> None:
    source = example_survey().replace(
        "  - id: sim_id\n    kind: yes_no\n",
        "  - id: sim_id\n    kind: yes_no\n    profile: group\n",
    )
    with pytest.raises(SurveyDefinitionError) as raised:
        parse(source)
    assert "'profile' does not apply to a yes_no question" in str(raised.value)


def test_two_questions_feeding_one_attribute_are_refused() -> None:
    source = example_survey().replace(AREA, AREA + "    profile: group\n")
    worry = "  - id: worry\n    kind: single_choice\n"
    assert worry in source
    with pytest.raises(SurveyDefinitionError) as raised:
        parse(source.replace(worry, worry + "    profile: group\n"))
    assert "questions 'worry' and 'area' both feed the 'group' profile" in str(raised.value)
