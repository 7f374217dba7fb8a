"""XLSForm and Sauti's survey format, both ways, without a file in between: any valid survey
written as XLSForm rows reads back as the same survey, and XLSForm's expressions map onto
Sauti's where they can and are refused with their column where they cannot."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings

from dialogues import Survey, parse
from dialogues.expressions import ExpressionError, parse_expression
from dialogues.xlsform import Sheet, Workbook, import_form
from dialogues.xlsform.writing import survey_as_form
from dialogues.xlsform.xpath import canonical, parse_xpath, to_sauti, to_xpath
from tests.dialogues.strategies import surveys


def _as_read(rows: Sequence[Sequence[object]]) -> tuple[tuple[str, ...], list[dict[str, str]]]:
    """Rows as pyxform gives them: the header's names, each cell as stripped text, empty ones
    left out."""
    header = tuple(str(cell) for cell in rows[0])
    body = [
        {
            name: str(cell).strip()
            for name, cell in zip(header, row, strict=True)
            if cell is not None
        }
        for row in rows[1:]
    ]
    return header, [row for row in body if row]


def _round_trip(survey: Survey) -> Survey:
    sheets = {}
    for sheet in survey_as_form(survey, {"en": "English", "fr": "French"}):
        header, rows = _as_read(sheet.rows)
        sheets[sheet.name] = Sheet(sheet.name, header, rows)
    result = import_form(Workbook(sheets))
    assert result.problems == (), result.problems
    assert result.survey is not None
    return result.survey


def _shape(survey: Survey) -> object:
    """The survey as plain values, to compare: its revision (a hash of the file) left out,
    conditions in their canonical form, and texts without the spaces around them, which a
    spreadsheet trims."""
    questions = tuple(
        dataclasses.replace(q, relevant=canonical(q.relevant) if q.relevant else None)
        for q in survey.questions
    )
    plain = dataclasses.asdict(dataclasses.replace(survey, questions=questions))
    plain.pop("revision")
    return _trimmed(plain)


def _trimmed(value: object) -> object:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {key: _trimmed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_trimmed(item) for item in value]
    if isinstance(value, frozenset):
        return frozenset(_trimmed(item) for item in value)
    return value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys(max_questions=8))
def test_any_survey_reads_back_from_its_xlsform_rows(text: str) -> None:
    survey = parse(text)
    back, wanted = _shape(_round_trip(survey)), _shape(survey)
    assert isinstance(back, dict)
    assert isinstance(wanted, dict)
    for got, expected in zip(back.pop("questions"), wanted.pop("questions"), strict=True):
        assert {k: v for k, v in got.items() if v != expected[k]} == {
            k: v for k, v in expected.items() if v != got[k]
        }
    assert back == wanted


@pytest.mark.parametrize(
    ("xpath", "sauti"),
    [
        ("${q1} = 'yes'", "q1 = 'yes'"),
        ("${age} >= 18 and ${age} < 65", "age >= 18 and age < 65"),
        (
            "selected(${fruit}, 'fig') or not(${q1} = 'no')",
            "selected(fruit, 'fig') or not q1 = 'no'",
        ),
        ("count-selected(${fruit}) > 1", "count(fruit) > 1"),
        ("${name} != ''", "answered(name)"),
        ("string-length(${name}) > 0", "answered(name)"),
        ("${name} = ''", "not answered(name)"),
        ("${q1} = 'a' or ${q1} = 'b'", "q1 in ('a', 'b')"),
        ("18 &lt;= ${age}", "age >= 18"),
        ("(${a} = 'x' and ${b} = 'y') or ${c} > 2.5", "(a = 'x' and b = 'y') or c > 2.5"),
    ],
)
def test_xlsform_expressions_become_sauti_ones(xpath: str, sauti: str) -> None:
    translated = parse_xpath(xpath)
    assert to_sauti(translated) == sauti
    assert parse_expression(sauti) == translated  # the survey file reads it back the same
    assert parse_xpath(to_xpath(translated)) == translated


@pytest.mark.parametrize(
    ("xpath", "message", "column"),
    [
        ("${a} + 1 > 2", "Sauti cannot calculate with answers", 6),
        ("now() > ${d}", "Sauti cannot use now() in chat", 1),
        ("${a} = ${b}", "Sauti cannot compare two answers", 1),
        ("a = 'x'", "refer to a question as ${a}", 1),
        ("${a} = 'x' and", "expected an answer like ${q}", 15),
        ("regex(., '^[0-9]+$')", "Sauti cannot use regex() in chat", 1),
    ],
)
def test_expressions_sauti_cannot_check_are_refused_with_their_column(
    xpath: str, message: str, column: int
) -> None:
    with pytest.raises(ExpressionError) as refused:
        parse_xpath(xpath)
    assert message in refused.value.message
    assert refused.value.column == column
