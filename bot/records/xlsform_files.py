"""XLSForm files: read with pyxform (xlsx, xls, and the csv and markdown forms pyxform reads)
into rows for `dialogues.xlsform`, and a survey written back as an xlsx workbook by Sauti's
own streamed writer (`sheets.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from io import BytesIO
from typing import Any
from zipfile import BadZipFile, ZipFile

from babel import Locale, UnknownLocaleError
from pyxform.xls2json_backends import definition_to_dict, get_definition_data

from bot.records.sheets import Row, Sheet, xlsx_parts
from dialogues.model import Survey
from dialogues.problem_codes import ProblemCode
from dialogues.xlsform import FormImport, FormProblem, Location, Workbook, import_form
from dialogues.xlsform import Sheet as FormSheet
from dialogues.xlsform.writing import survey_as_form

XLSFORM_SHEETS = ("survey", "choices", "settings")
#: The start of every xlsx (a zip): how an upload is told from a YAML file.
ZIP_MAGIC = b"PK\x03\x04"
#: An upload is small (256 KB) but a zip can unpack to far more: a form of thousands of rows
#: unpacks to a few MB, so past this the file is refused before anything reads it.
UNPACKED_BYTES_LIMIT = 32 * 1024 * 1024


def looks_like_workbook(content: bytes) -> bool:
    """An xlsx (a zip) or an old xls (an OLE2 compound file), not a YAML text."""
    return content.startswith((ZIP_MAGIC, b"\xd0\xcf\x11\xe0"))


def import_workbook(content: bytes, *, name: str | None = None) -> FormImport:
    """A survey file made from an XLSForm's bytes; a file that is no workbook is one problem.
    `name` (the file's, without suffix) names a form that has no form_id, as pyxform does."""
    if (unpacked := _unpacked_size(content)) is not None and unpacked > UNPACKED_BYTES_LIMIT:
        limit = UNPACKED_BYTES_LIMIT // (1024 * 1024)
        message = f"the workbook unpacks to more than {limit} MB: not an XLSForm Sauti reads"
        problem = FormProblem(
            Location(""), message, ProblemCode.WORKBOOK_TOO_LARGE, {"limit": limit}
        )
        return FormImport(None, None, (problem,), ())
    try:
        workbook = read_workbook(content)
    except Exception as error:
        # pyxform and openpyxl raise many kinds on a damaged or foreign file (zip, XML,
        # value errors); for the author each means the same: this is no readable workbook.
        message = f"not a readable XLSForm workbook (xlsx or xls): {_short(error)}"
        unreadable = FormProblem(
            Location(""), message, ProblemCode.NOT_A_WORKBOOK, {"error": _short(error)}
        )
        return FormImport(None, None, (unreadable,), ())
    return import_form(workbook, fallback_id=name)


def _unpacked_size(content: bytes) -> int | None:
    """What an xlsx's parts add up to once unpacked (zip readers stop at the sizes its
    directory declares); None for what is no zip."""
    if not content.startswith(ZIP_MAGIC):
        return None
    try:
        with ZipFile(BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (BadZipFile, OSError, ValueError):
        return None


def read_workbook(content: bytes) -> Workbook:
    """The XLSForm sheets of a workbook's bytes, as rows of cell texts."""
    file_type = ".xlsx" if content.startswith(ZIP_MAGIC) else None
    data = definition_to_dict(get_definition_data(content), file_type=file_type)
    sheets: dict[str, FormSheet] = {}
    for name in XLSFORM_SHEETS:
        rows = _get(data, name)
        if rows is None:
            continue
        header = _get(data, f"{name}_header") or [{}]
        columns = tuple(header[0]) if header else ()
        sheets[name] = FormSheet(name, columns, tuple(_clean(row) for row in rows))
    return Workbook(sheets)


def _get(data: Any, key: str) -> Sequence[Mapping[str, Any]] | None:
    # pyxform gives its sheets as a DefinitionData; a mapping is taken too.
    if isinstance(data, dict):
        return data.get(key)
    found: Sequence[Mapping[str, Any]] | None = getattr(data, key, None)
    return found


def _clean(row: Mapping[str, Any]) -> dict[str, str]:
    return {str(key): str(value) for key, value in row.items() if value is not None}


def _short(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:200]


async def form_parts(survey: Survey) -> AsyncIterator[bytes]:
    """The survey as an XLSForm xlsx workbook, given as it is made."""
    names: dict[str, str] = {
        code: name for code in survey.languages if (name := _english_name(code))
    }
    sheets = [
        Sheet(form_sheet.name, _rows(form_sheet.rows), widths=_widths(form_sheet.rows))
        for form_sheet in survey_as_form(survey, names)
    ]
    async for part in xlsx_parts(sheets):
        yield part


async def _rows(rows: Iterable[Row]) -> AsyncIterator[Row]:
    for row in rows:
        yield row


def _widths(rows: Sequence[Sequence[object]]) -> list[float]:
    # Text columns wide enough to read a question; short ones (type, name) as they need.
    count = max((len(row) for row in rows), default=0)
    widths = []
    for index in range(count):
        longest = max((len(str(row[index] or "")) for row in rows if index < len(row)), default=0)
        widths.append(float(min(max(longest, 8), 60)))
    return widths


def _english_name(code: str) -> str | None:
    """The language's English name, as KoboToolbox writes headers ("label::French (fr)")."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name("en")
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    return name or None
