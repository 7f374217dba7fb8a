"""Tables written as files a spreadsheet opens: CSV and XLSX, both streamed row by row, for the
personal-level export and the aggregate one alike.

A table is rows of cells; a cell is text, a number, a `Share` (a fraction shown as a
percentage) or None (empty). Both writers make text safe the same way:

- **Formula injection.** Text comes from the public (free text, a pseudonym is ours but an
  answer is theirs) and spreadsheets run a cell that starts with `=`, `+`, `-`, `@` (or their
  full-width forms, which some input methods turn into them), a tab, a carriage return, a line
  feed or a NUL as a formula (`=HYPERLINK(...)` sends data away when clicked), also after
  leading spaces, which an import may trim. In CSV such text gets a leading apostrophe
  (OWASP's advice on CSV injection), and so does any `;` followed by one of those signs: in
  French and most European locales a spreadsheet splits a CSV on `;`, so what follows one
  starts a cell. In XLSX a string is never evaluated as it is read, only once edited: such a
  cell keeps its text as typed and carries the "quote prefix" style, which keeps it text when
  edited, with no apostrophe to see. Numbers are written as numbers, so `-3` stays a number.
- **CSV** starts with a byte order mark when it is a file: without one, spreadsheet apps read
  UTF-8 as their local code page and Arabic or Amharic text comes out as noise.
- **XLSX** is written by hand, not through a library: a workbook is a zip of XML parts, and
  Python's zipfile writes one to a stream that cannot seek (each member's sizes follow its
  data), so the file leaves as it is made. A library's workbook is finished in a temporary file
  first: decrypted words on disk, and nothing sent before the last row is read. Strings are
  inline (no shared-strings table held in memory); characters XML cannot carry are replaced.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# What spreadsheets read as the start of a formula: these first, or a sign after spaces.
FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\x00",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)
_SIGNS = "=+\\-@\uff1d\uff0b\uff0d\uff20"
_FORMULA = re.compile(f"[\\s\\x00]*[{_SIGNS}]")
# A `;` that a semicolon-separated reading would make the start of a formula cell.
_AFTER_SEMICOLON = re.compile(f";(?=[\\s\\x00]*[{_SIGNS}])")
BOM = "\ufeff"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's limits: longer text is cut (it would refuse the cell), rows past the last are not shown.
MAX_CELL_CHARS = 32_767
MAX_ROWS = 1_048_576
# Control characters XML 1.0 cannot hold (tab, LF and CR it can), lone surrogates, U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Share(float):
    """A fraction of a whole (0.25): a number in both files, shown as a percentage in XLSX."""


Value = str | int | float | None
Row = Sequence[Value]


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take `text` for a formula."""
    return text.startswith(FORMULA_STARTS) or _FORMULA.match(text) is not None


def safe_cell(text: str) -> str:
    """Text for a CSV cell: an apostrophe before anything a spreadsheet would evaluate, at the
    start and after each `;` (CSV injection, read with `,` or with `;` as the separator)."""
    text = _AFTER_SEMICOLON.sub(";'", text)
    return "'" + text if formula_like(text) else text


# -- CSV ---------------------------------------------------------------------------------------


async def csv_lines(rows: AsyncIterable[Row], *, bom: bool) -> AsyncIterator[str]:
    """One line of text per row (the first one with the byte order mark, for a file)."""
    line = io.StringIO()
    writer = csv.writer(line)
    first = bom
    async for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        text = line.getvalue()
        line.seek(0)
        line.truncate()
        yield BOM + text if first else text
        first = False


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, Share):
        return f"{value:.4f}"
    return str(value)  # rendered here, so never a formula: "-3" stays a number


# -- XLSX --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet: its tab's name, its rows (read when the sheet is written: an async
    generator may look at what earlier sheets counted), the first `header_rows` in bold and
    kept in view while scrolling."""

    name: str
    rows: AsyncIterable[Row]
    header_rows: int = 1
    widths: Sequence[float] = ()  # columns' widths in characters, from the first


async def xlsx_parts(sheets: Sequence[Sheet]) -> AsyncIterator[bytes]:
    """The workbook's bytes, given as they are made: one (often empty) piece per row of every
    sheet, then the end of the zip. Compression holds back up to some tens of KB."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as book:
        for name, text in _fixed_parts(sheets):
            book.writestr(name, text)
        yield sink.take()
        for number, sheet in enumerate(sheets, start=1):
            # zip64 from the start: a worksheet past 2 GiB could not be finished without it.
            with book.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
                part.write(_sheet_start(sheet).encode())
                count = 0
                async for row in sheet.rows:
                    count += 1
                    if count <= MAX_ROWS:
                        part.write(_xml_row(count, row, bold=count <= sheet.header_rows))
                    yield sink.take()
                part.write(b"</sheetData></worksheet>")
            yield sink.take()
    yield sink.take()


class _Sink:
    """Where the zip is written: collects bytes for `take`. It cannot seek (no `tell`), so
    zipfile writes each member's sizes after its data instead of going back for them."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        taken = b"".join(self._parts)
        self._parts.clear()
        return taken


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# The cell formats of _STYLES, in order; the last two keep a formula-like text as text.
_NORMAL, _BOLD, _PERCENT, _QUOTED, _BOLD_QUOTED = 0, 1, 2, 3, 4
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _fixed_parts(sheets: Sequence[Sheet]) -> list[tuple[str, str]]:
    """Every part but the worksheets: what they are, how they relate, their names, the styles."""
    numbers = range(1, len(sheets) + 1)
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>'
            for n in numbers
        )
        + "</Types>"
    )
    package_rels = (
        f'{_XML}<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>'
        + "".join(
            f'<sheet name="{_attribute(sheet.name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, sheet in zip(numbers, sheets, strict=True)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        f'{_XML}<Relationships xmlns="{_RELS}">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{_DOC_RELS}/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in numbers
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="{_DOC_RELS}/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", package_rels),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", _STYLES),
    ]


def _sheet_start(sheet: Sheet) -> str:
    view = ""
    if sheet.header_rows:
        top = f"A{sheet.header_rows + 1}"
        view = (
            '<sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{sheet.header_rows}" topLeftCell="{top}" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews>'
        )
    columns = ""
    if sheet.widths:
        columns = (
            "<cols>"
            + "".join(
                f'<col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>'
                for n, width in enumerate(sheet.widths, start=1)
            )
            + "</cols>"
        )
    return f'{_XML}<worksheet xmlns="{_MAIN}">{view}{columns}<sheetData>'


def _xml_row(number: int, row: Row, *, bold: bool) -> bytes:
    cells = "".join(
        _xml_cell(f"{column_name(n)}{number}", value, bold=bold) for n, value in enumerate(row)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def _xml_cell(reference: str, value: Value, *, bold: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        quoted = formula_like(value)
        number = (_BOLD_QUOTED if quoted else _BOLD) if bold else (_QUOTED if quoted else _NORMAL)
        style = f' s="{number}"' if number != _NORMAL else ""
        text = _xml_text(value[:MAX_CELL_CHARS])
        return (
            f'<c r="{reference}" t="inlineStr"{style}>'
            f'<is><t xml:space="preserve">{text}</t></is></c>'
        )
    if isinstance(value, bool):  # a bool is an int to Python; to a reader it is a word
        return _xml_cell(reference, "yes" if value else "no", bold=bold)
    if not math.isfinite(value):  # no number for XLSX: said in words
        return _xml_cell(reference, str(value), bold=bold)
    style = f' s="{_PERCENT}"' if isinstance(value, Share) else ""
    return f'<c r="{reference}"{style}><v>{value!r}</v></c>'


def _xml_text(text: str) -> str:
    # A carriage return as a reference: a raw one would be read back as a line feed.
    return escape(_NOT_XML.sub("\ufffd", text)).replace("\r", "&#13;")


def _attribute(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text), {'"': "&quot;"})


def column_name(index: int) -> str:
    """A column's letters from its 0-based index: 0 is A, 25 Z, 26 AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
