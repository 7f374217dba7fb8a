"""An XLSForm as plain rows (what the shell reads from the file), its column headers with their
languages, and the located problems found in it (sheet, row, column)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dialogues.problem_codes import Param, ProblemCode

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[^()]+)\)\s*$")
# A bare code (`label::sw`), as a sheet names a language it has no name for.
_BARE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Other spellings pyxform accepts for the columns Sauti reads, lower case.
_ALIASES = {
    "relevance": "relevant",
    "bind::relevant": "relevant",
    "bind::constraint": "constraint",
    "bind::required": "required",
    "jr:constraintmsg": "constraint_message",
    "bind::jr:constraintmsg": "constraint_message",
    "jr:requiredmsg": "required_message",
    "bind::jr:requiredmsg": "required_message",
    "list name": "list_name",
    "caption": "label",
}


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet: its rows as header -> cell text (empty cells left out), the first data row
    being row 2 of the spreadsheet."""

    name: str
    columns: Sequence[str]
    rows: Sequence[Mapping[str, str]]

    def row_number(self, index: int) -> int:
        return index + 2


@dataclass(frozen=True, slots=True)
class Workbook:
    sheets: Mapping[str, Sheet]

    def sheet(self, name: str) -> Sheet | None:
        return self.sheets.get(name)


@dataclass(frozen=True, slots=True)
class Location:
    """A cell (or a row, or a sheet) of the workbook; `row` is the spreadsheet's row number."""

    sheet: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if not self.sheet:
            return "the file"
        where = f"sheet '{self.sheet}'"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return where


@dataclass(frozen=True, slots=True)
class FormProblem:
    """A problem (or a warning) at its place: `message` in English; `code` and `params` say it
    in stable parts, for readers of other languages (warnings have no code)."""

    location: Location
    message: str
    code: ProblemCode | None = None
    params: Mapping[str, Param] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class Column:
    """A header split into what it holds and, for texts, its language: `label::English (en)`
    is ("label", "English", "en"); `label` is ("label", None, None)."""

    header: str
    base: str
    language_name: str | None
    language: str | None


def read_header(header: str) -> Column:
    base, _, rest = header.partition("::")
    base = base.strip().lower()
    base = _ALIASES.get(base, base)
    if base in ("media", "bind") and "::" in rest:
        kind, _, rest = rest.partition("::")
        base = f"{base}::{kind.strip().lower()}"
        base = _ALIASES.get(base, base)
    if not rest:
        return Column(header, base, None, None)
    match = _LANGUAGE.match(rest.strip())
    if match is None and _BARE_CODE.match(rest.strip()):
        return Column(header, base, rest.strip(), rest.strip())
    if match is None:
        return Column(header, base, rest.strip(), None)
    return Column(header, base, match.group("name"), match.group("code").strip())


def language_label(name: str | None, code: str) -> str:
    """How XLSForm names a language in a header: `English (en)`."""
    return f"{name} ({code})" if name else code
