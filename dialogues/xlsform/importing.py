"""An XLSForm made into a Sauti survey file, checked by Sauti's own loader; every problem (the
form's and the loader's) located at its sheet, row and column, all of them at once."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from dialogues.loader import validate
from dialogues.model import Survey
from dialogues.xlsform.reading import read_form
from dialogues.xlsform.workbook import CHOICES, SETTINGS, SURVEY, FormProblem, Workbook

_SHEET_ORDER = {SURVEY: 0, CHOICES: 1, SETTINGS: 2}
_HEADER = "# Made from an XLSForm by `sauti survey import`: the format is docs/survey-spec.md.\n"


@dataclass(frozen=True, slots=True)
class FormImport:
    """The survey file's text and the survey, when the form has no problem."""

    text: str | None
    survey: Survey | None
    problems: tuple[FormProblem, ...]
    warnings: tuple[str, ...]


def import_form(workbook: Workbook, *, fallback_id: str | None = None) -> FormImport:
    """Make a survey file of an XLSForm's rows; `fallback_id` names a form without form_id."""
    reading = read_form(workbook, fallback_id=fallback_id)
    problems = list(reading.problems)
    warnings = [str(w) for w in reading.warnings]
    if reading.document is None:
        return FormImport(None, None, tuple(problems), tuple(warnings))
    text = _HEADER + yaml.dump(
        reading.document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )
    validation = validate(text)
    reported = {p.location for p in problems}
    for problem in validation.problems:
        location = reading.locate(problem.path)
        # The form's own problem on that cell says it better than the loader's consequence.
        if location not in reported:
            problems.append(FormProblem(location, problem.message, problem.code, problem.params))
    warnings.extend(validation.warnings)
    if problems:
        return FormImport(None, None, tuple(_in_order(problems)), tuple(warnings))
    return FormImport(text, validation.survey, (), tuple(warnings))


class _Dumper(yaml.SafeDumper):
    """Texts of several lines (a label and its hint) as blocks, the way an author writes them;
    a text used twice (the parts of a filtered question) written out twice, not as an alias."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and value == value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _in_order(problems: list[FormProblem]) -> list[FormProblem]:
    return sorted(
        problems,
        key=lambda p: (
            _SHEET_ORDER.get(p.location.sheet, 3),
            p.location.row or 0,
            p.location.column or "",
        ),
    )
