"""The state of reading one XLSForm: its languages and choice lists, the problems and warnings
found so far, and where in the workbook each part of the survey document came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialogues.expressions import Expr, ExpressionError
from dialogues.problem_codes import Param, ProblemCode
from dialogues.xlsform.languages import FormLanguages
from dialogues.xlsform.workbook import FormProblem, Location, Sheet, Workbook, read_header
from dialogues.xlsform.xpath import parse_xpath

TRUE = frozenset({"yes", "true", "true()", "1"})
FALSE = frozenset({"no", "false", "false()", "0"})
MEDIA = frozenset({"image", "audio", "video", "big-image", "media::image", "media::audio"})
MEDIA |= {"media::video", "media::big-image"}


@dataclass
class FormReading:
    """What reading a form found: the document (None when nothing could be made of it)."""

    document: dict[str, Any] | None
    problems: list[FormProblem] = field(default_factory=list)
    warnings: list[FormProblem] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)

    def locate(self, path: str) -> Location:
        """Where a document path came from: the nearest enclosing part that has a place."""
        while path:
            if path in self.locations:
                return self.locations[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.locations.get("", Location("settings"))


@dataclass(frozen=True, slots=True)
class Part:
    """One question a filtered choice question became (`dialogues/xlsform/cascades.py`)."""

    id: str
    options: frozenset[str]


class FormReader:
    """The state of reading one form: its languages, choice lists, problems and places."""

    def __init__(self, workbook: Workbook, reading: FormReading) -> None:
        self.workbook = workbook
        self.reading = reading
        self.languages = FormLanguages((), "en", None)
        self.lists: dict[str, list[tuple[int, Mapping[str, str]]]] = {}
        # Filtered choice questions: the filter and the choices' rows by the path built under,
        # each part's options by their place in the whole list, and the parts of each question.
        self.choice_filters: dict[str, str] = {}
        self.option_rows: dict[str, list[Mapping[str, str]]] = {}
        self.option_order: dict[str, list[int]] = {}
        self.splits: dict[str, list[Part]] = {}

    def problem(
        self, location: Location, message: str, code: ProblemCode, /, **params: Param
    ) -> None:
        self.reading.problems.append(FormProblem(location, message, code, params))

    def warning(self, location: Location, message: str) -> None:
        self.reading.warnings.append(FormProblem(location, message))

    def place(self, path: str, location: Location) -> None:
        self.reading.locations.setdefault(path, location)

    def texts(
        self, sheet: Sheet, index: int, row: Mapping[str, str], base: str, path: str
    ) -> dict[str, str]:
        """A row's text of one kind (`label`, `hint`) per language, each cell's place noted."""
        found: dict[str, str] = {}
        for header, value in row.items():
            column = read_header(header)
            language = self.languages.of(column)
            if column.base != base or language is None:
                continue
            found[language] = value
            self.place(f"{path}.{language}", Location(sheet.name, sheet.row_number(index), header))
        for code in self.languages.codes:
            named = self.header_for(sheet, base, code)
            if named is not None:
                self.place(f"{path}.{code}", Location(sheet.name, sheet.row_number(index), named))
        return found

    def header_for(self, sheet: Sheet, base: str, language: str) -> str | None:
        for header in sheet.columns:
            column = read_header(header)
            if column.base == base and self.languages.of(column) == language:
                return header
        return None

    def expression(self, where: Location, source: str, *, columns: bool = False) -> Expr | None:
        try:
            return parse_xpath(source, columns=columns)
        except ExpressionError as error:
            self.problem(
                where,
                f"{error.message} (at character {error.column} of {source!r})",
                error.code,
                **error.params,
                column=error.column,
                expression=source,
            )
            return None


def cell_of(row: Mapping[str, str], base: str) -> str | None:
    for header, value in row.items():
        column = read_header(header)
        if column.base == base and column.language_name is None:
            return value.strip()
    return None


def header_of(row: Mapping[str, str], base: str) -> str:
    for header in row:
        if read_header(header).base == base:
            return header
    return base
