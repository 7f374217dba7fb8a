"""A Sauti survey written as an XLSForm's three sheets (survey, choices, settings), one text
column per language, so translators and KoboToolbox users can work on it in a spreadsheet and
`sauti survey import` reads it back into the same survey.

Sauti's own parts go where XLSForm has a place for them (a scale's end labels in a
`tick_labelset` list, limits in `constraint`) and otherwise in columns XLSForm tools ignore:
`sensitive` on the survey sheet, the campaign's texts on the settings sheet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dialogues.dates import TODAY
from dialogues.localization import builtin_catalog
from dialogues.model import LocalizedText, Question, QuestionKind, Survey
from dialogues.xlsform.settings import CAMPAIGN_TEXTS, SYSTEM_TEXT, TEXT_COLUMN
from dialogues.xlsform.workbook import CHOICES, SETTINGS, SURVEY, language_label
from dialogues.xlsform.xpath import to_xpath

Cell = str | int | float | None
_TYPES = {
    QuestionKind.SINGLE_CHOICE: "select_one",
    QuestionKind.MULTIPLE_CHOICE: "select_multiple",
    QuestionKind.YES_NO: "select_one",
    QuestionKind.SCALE: "range",
    QuestionKind.TEXT: "text",
    QuestionKind.DATE: "date",
    QuestionKind.INFO: "note",
}
_DEFAULT_TEXT_LENGTH = 1000
#: A question's own words for refusing an answer, one column per language.
_MESSAGES = ("constraint_message", "required_message")


@dataclass(frozen=True, slots=True)
class FormSheet:
    """One sheet to write: its name and its rows, the header first."""

    name: str
    rows: Sequence[Sequence[Cell]]


def survey_as_form(survey: Survey, language_names: Mapping[str, str]) -> tuple[FormSheet, ...]:
    """The survey's three sheets; `language_names` names each language in the headers
    ("English" makes `label::English (en)`), the code alone where it has no name."""
    headers: dict[str, str] = {
        code: language_label(language_names.get(code), code) for code in survey.languages
    }
    languages: list[str] = list(survey.languages)
    survey_rows: list[list[Cell]] = []
    choices: list[list[Cell]] = []
    taken: set[str] = {str(question.id) for question in survey.questions}
    yes_no_list = _free_name("yes_no", taken)
    messages = [base for base in _MESSAGES if any(getattr(q, base) for q in survey.questions)]
    for question in survey.questions:
        row = _question_row(question, languages, yes_no_list, taken, choices)
        for base in messages:
            row += _texts(getattr(question, base) or {}, languages)
        survey_rows.append(row)
    if any(q.kind is QuestionKind.YES_NO for q in survey.questions):
        catalog = builtin_catalog()
        for answer in ("yes", "no"):
            labels = {code: catalog.message(f"option.{answer}", code) for code in languages}
            choices.append([yes_no_list, answer, *_texts(labels, languages)])
    text_headers = [f"label::{headers[code]}" for code in languages]
    survey_header = ["type", "name", *text_headers, "required", "relevant", "constraint"]
    survey_header += ["parameters", "sensitive"]
    for base in messages:
        survey_header += [f"{base}::{headers[code]}" for code in languages]
    return (
        FormSheet(SURVEY, [survey_header, *survey_rows]),
        FormSheet(CHOICES, [["list_name", "name", *text_headers], *choices]),
        _settings(survey, headers),
    )


def _question_row(
    question: Question,
    languages: list[str],
    yes_no_list: str,
    taken: set[str],
    choices: list[list[Cell]],
) -> list[Cell]:
    kind = question.kind
    type_ = _TYPES.get(kind) or ("integer" if question.integer else "decimal")
    parameters: str | None = None
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        type_ += f" {question.id}"
        for option in question.options:
            choices.append([question.id, option.id, *_texts(option.text, languages)])
    elif kind is QuestionKind.YES_NO:
        type_ += f" {yes_no_list}"
    elif kind is QuestionKind.SCALE:
        parameters = f"start={_plain(question.min_value)} end={_plain(question.max_value)} step=1"
        ends = [(question.min_value, question.min_label), (question.max_value, question.max_label)]
        if question.min_label is not None or question.max_label is not None:
            labelset = _free_name(f"{question.id}_ends", taken)
            parameters += f" tick_labelset={labelset}"
            for value, label in ends:
                if label is not None:
                    choices.append([labelset, _plain(value), *_texts(label, languages)])
    required = None if kind is QuestionKind.INFO or question.optional else "yes"
    relevant = to_xpath(question.relevant) if question.relevant is not None else None
    return [
        type_,
        question.id,
        *_texts(question.text, languages),
        required,
        relevant,
        _constraint(question),
        parameters,
        "yes" if question.sensitive else None,
    ]


def _constraint(question: Question) -> str | None:
    parts: list[str] = []
    if question.kind is QuestionKind.NUMBER:
        if question.min_value is not None:
            parts.append(f". >= {_plain(question.min_value)}")
        if question.max_value is not None:
            parts.append(f". <= {_plain(question.max_value)}")
    elif question.kind is QuestionKind.MULTIPLE_CHOICE:
        if question.min_selections != 1:
            parts.append(f"count-selected(.) >= {question.min_selections}")
        if question.max_selections != len(question.options):
            parts.append(f"count-selected(.) <= {question.max_selections}")
    elif question.kind is QuestionKind.TEXT and question.max_length != _DEFAULT_TEXT_LENGTH:
        parts.append(f"string-length(.) <= {question.max_length}")
    elif question.kind is QuestionKind.DATE:
        for op, bound in ((">=", question.min_date), ("<=", question.max_date)):
            if bound is not None:
                day = "today()" if bound == TODAY else f"date('{bound}')"
                parts.append(f". {op} {day}")
    return " and ".join(parts) or None


def _settings(survey: Survey, headers: Mapping[str, str]) -> FormSheet:
    languages: list[str] = list(survey.languages)
    header: list[Cell] = ["form_title", "form_id", "default_language"]
    row: list[Cell] = [
        survey.text(survey.title, survey.default_language),
        survey.id,
        headers[survey.default_language],
    ]
    for key in CAMPAIGN_TEXTS:
        texts: LocalizedText | None = getattr(survey, key)
        if texts is not None:
            column = TEXT_COLUMN.get(key, key)
            header += [f"{column}::{headers[code]}" for code in languages]
            row += _texts(texts, languages)
    for key, value in (
        ("allow_fallback", "yes" if survey.allow_fallback else None),
        ("shared_phones", "yes" if survey.shared_phones else None),
        ("date_order", survey.date_order if survey.date_order != "day_first" else None),
        ("report_back_by", survey.report_back_by.isoformat() if survey.report_back_by else None),
        ("retention_days", survey.retention_days),
    ):
        if value is not None:
            header.append(key)
            row.append(value)
    for code, state in survey.translation_status.items():
        header.append(f"translation_status::{headers[code]}")
        row.append(state)
    for key, texts in survey.system_texts.items():
        for code, text in texts.items():
            header.append(f"{SYSTEM_TEXT}{key}::{headers[code]}")
            row.append(text)
    return FormSheet(SETTINGS, [header, row])


def _texts(text: Mapping[str, str], languages: Sequence[str]) -> list[Cell]:
    return [text.get(code) for code in languages]


def _free_name(wanted: str, taken: set[str]) -> str:
    """A choice list's name no question's own list uses (those are named after questions)."""
    name, number = wanted, 1
    while name in taken:
        number += 1
        name = f"{wanted}{number}"
    taken.add(name)
    return name


def _plain(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
