"""Which languages an XLSForm speaks: its `label::Language (code)` columns, and its default."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from dialogues.problem_codes import Param, ProblemCode
from dialogues.xlsform.workbook import (
    CHOICES,
    SETTINGS,
    SURVEY,
    Column,
    Location,
    Workbook,
    read_header,
)

#: Columns holding participant-facing text, one per language.
TEXT_COLUMNS = frozenset(
    {"label", "hint", "constraint_message", "required_message", "guidance_hint"}
    | {"campaign_title", "organisation", "promise", "intro", "thanks", "data_notice"}
)
#: What a form that names no language at all is taken to be written in (said as a warning).
UNNAMED_LANGUAGE = "en"

Warn = Callable[[Location, str], None]


class Report(Protocol):
    """Where a problem found on the way goes (`FormReader.problem`)."""

    def __call__(
        self, location: Location, message: str, code: ProblemCode, /, **params: Param
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class FormLanguages:
    codes: tuple[str, ...]
    default: str
    #: The language of columns that name none (`label`), or None when they are refused.
    unnamed: str | None

    def of(self, column: Column) -> str | None:
        """The language of a text column, None when it has no usable one (already reported)."""
        if column.language is not None:
            return column.language
        return self.unnamed if column.language_name is None else None


def find_languages(workbook: Workbook, problem: Report, warning: Warn) -> FormLanguages:
    codes: list[str] = []
    unnamed_used = False
    for sheet_name in (SURVEY, CHOICES, SETTINGS):
        sheet = workbook.sheet(sheet_name)
        for header in sheet.columns if sheet else ():
            column = read_header(header)
            if column.base not in TEXT_COLUMNS:
                continue
            where = Location(sheet_name, 1, header)
            if column.language_name is not None and column.language is None:
                problem(
                    where,
                    f"name the language's code too, like '{column.base}::"
                    f"{column.language_name} (xx)' (en, fr, sw, ...)",
                    ProblemCode.LANGUAGE_WITHOUT_CODE,
                    example=f"{column.base}::{column.language_name} (xx)",
                )
            elif column.language is None:
                unnamed_used = True
            elif column.language not in codes and column.base == "label":
                codes.append(column.language)
    default = _default_language(workbook, codes, problem)
    unnamed: str | None = None
    if unnamed_used:
        if default is not None:
            unnamed = default
        elif not codes:
            unnamed = UNNAMED_LANGUAGE
            warning(
                Location(SURVEY, 1, "label"),
                f"the form names no language: taken as '{UNNAMED_LANGUAGE}'; "
                "name it with a column like 'label::English (en)'",
            )
        else:
            problem(
                Location(SURVEY, 1, "label"),
                "a label column without a language beside columns with one: name its "
                "language (like 'label::English (en)') or set default_language in settings",
                ProblemCode.LABEL_WITHOUT_LANGUAGE,
            )
    if unnamed is not None and unnamed not in codes:
        codes.insert(0, unnamed)
    return FormLanguages(tuple(codes), default or (codes[0] if codes else "en"), unnamed)


def _default_language(workbook: Workbook, codes: list[str], problem: Report) -> str | None:
    settings = workbook.sheet(SETTINGS)
    raw = settings.rows[0].get("default_language") if settings and settings.rows else None
    if raw is None:
        return None
    column = read_header(f"x::{raw}")
    code = column.language or (raw.strip() if " " not in raw.strip() else None)
    if code is None or (codes and code not in codes):
        shown = ", ".join(codes) or "none"
        problem(
            Location(SETTINGS, 2, "default_language"),
            f"'{raw}' is not one of the form's languages ({shown}); write it as the label "
            "columns do, like 'English (en)'",
            ProblemCode.DEFAULT_NOT_A_FORM_LANGUAGE,
            language=raw,
            languages=shown,
        )
        return None
    return code
