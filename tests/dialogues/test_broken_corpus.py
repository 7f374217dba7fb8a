"""Broken survey files, one realistic author mistake each: every mistake must be reported with
the path and line the author should look at and a message that says what to fix, and nothing
unrelated may be reported next to it.

The expectations live in `broken/expected.yaml`; each file's first line says what is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import dialogues
from dialogues import Problem, SurveyDefinitionError

BROKEN = Path(__file__).parent / "broken"
EXPECTED: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (BROKEN / "expected.yaml").read_text(encoding="utf-8")
)
CORPUS = sorted(path.name for path in BROKEN.glob("*.yaml") if path.name != "expected.yaml")

# A small valid two-language survey, for the cases generated below rather than stored.
VALID = """\
spec_version: 1
id: soko-2026
organisation: {en: "Soko Traders Union", sw: "Chama cha Wafanyabiashara wa Soko"}
title: {en: "Your market stall", sw: "Meza yako sokoni"}
languages: [en, sw]
default_language: en
promise: {en: "We will share what we decided.", sw: "Tutashiriki tulichoamua."}
questions:
"""


def _question(number: int, en: str = "Do you sell food?") -> str:
    return (
        f"  - id: q{number}\n"
        "    kind: yes_no\n"
        "    text:\n"
        f'      en: "{en}"\n'
        '      sw: "Unauza chakula?"\n'
    )


def _problems(text: str) -> tuple[Problem, ...]:
    """parse() must refuse the file with SurveyDefinitionError (not any other exception)."""
    with pytest.raises(SurveyDefinitionError) as raised:
        dialogues.parse(text)
    problems = raised.value.problems
    assert problems, "SurveyDefinitionError without any problem"
    return problems


def _describe(problems: tuple[Problem, ...]) -> str:
    return "\n".join(f"  {problem}" for problem in problems)


def _assert_reports_exactly(problems: tuple[Problem, ...], expected: list[dict[str, Any]]) -> None:
    unmatched = list(problems)
    for want in expected:
        match = next(
            (
                problem
                for problem in unmatched
                if problem.path == want["path"]
                and problem.line == want["line"]
                and want["message"] in problem.message
            ),
            None,
        )
        assert match is not None, (
            f"expected line {want['line']}: {want['path'] or '(file)'}: ...{want['message']}..."
            f"\nbut got:\n{_describe(problems)}"
        )
        if "not_message" in want:
            assert want["not_message"] not in match.message, f"misleading message: {match}"
        unmatched.remove(match)
    assert not unmatched, f"unrelated extra problems:\n{_describe(tuple(unmatched))}"


def test_every_corpus_file_has_expectations_and_vice_versa() -> None:
    assert sorted(EXPECTED) == CORPUS
    assert len(CORPUS) >= 20


@pytest.mark.parametrize("name", CORPUS)
def test_broken_file_reports_its_mistake(name: str) -> None:
    text = (BROKEN / name).read_text(encoding="utf-8")
    problems = _problems(text)
    _assert_reports_exactly(problems, EXPECTED[name])


@pytest.mark.parametrize("name", CORPUS)
def test_problems_come_in_file_order(name: str) -> None:
    problems = _problems((BROKEN / name).read_text(encoding="utf-8"))
    lines = [problem.line or 0 for problem in problems]
    assert lines == sorted(lines), _describe(problems)


@pytest.mark.parametrize("name", CORPUS)
def test_validate_agrees_with_parse(name: str) -> None:
    text = (BROKEN / name).read_text(encoding="utf-8")
    result = dialogues.validate(text)
    assert result.survey is None
    assert result.problems == _problems(text)


def test_several_mistakes_are_all_reported_in_file_order() -> None:
    text = (BROKEN / "several_mistakes.yaml").read_text(encoding="utf-8")
    problems = _problems(text)
    expected = EXPECTED["several_mistakes.yaml"]
    assert len(expected) == 7
    assert [(p.line, p.path) for p in problems] == [(e["line"], e["path"]) for e in expected]
    for problem, want in zip(problems, expected, strict=True):
        assert want["message"] in problem.message


def test_error_message_lists_every_problem_with_its_line() -> None:
    text = (BROKEN / "several_mistakes.yaml").read_text(encoding="utf-8")
    with pytest.raises(SurveyDefinitionError) as raised:
        dialogues.parse(text)
    message = str(raised.value)
    assert message.startswith("7 problems in the survey file")
    assert "line 20: questions[0].options[1].id: duplicate id 'food'" in message
    assert message.index("line 5:") < message.index("line 24:") < message.index("line 35:")


def test_generated_base_is_valid() -> None:
    survey = dialogues.parse(VALID + _question(1))
    assert [q.id for q in survey.questions] == ["q1"]


def test_text_over_4096_characters() -> None:
    long_text = "Tell us. " * 455 + "Please."  # 4102 characters
    assert len(long_text) > 4096
    text = VALID + _question(1) + _question(2, en=long_text) + _question(3)
    problems = _problems(text)
    _assert_reports_exactly(
        problems,
        [
            {
                "path": "questions[1].text.en",
                "line": 17,
                "message": f"is {len(long_text)} characters; the limit is 4096",
            }
        ],
    )


def test_text_of_exactly_4096_characters_is_fine() -> None:
    text = VALID + _question(1, en="x" * 4096)
    assert dialogues.parse(text).questions[0].text["en"] == "x" * 4096


def test_too_many_questions() -> None:
    text = VALID + "".join(_question(number) for number in range(1, 202))
    problems = _problems(text)
    _assert_reports_exactly(
        problems,
        [{"path": "questions", "line": 8, "message": "has 201 questions; the limit is 200"}],
    )


def test_two_hundred_questions_are_fine() -> None:
    text = VALID + "".join(_question(number) for number in range(1, 201))
    assert len(dialogues.parse(text).questions) == 200
