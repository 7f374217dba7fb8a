"""CSV and XLSX as a spreadsheet user's app reads them (the csv module, openpyxl): text from
the public that looks like a formula stays text, numbers stay numbers, characters XML cannot
hold do not break the workbook, and the workbook leaves in pieces as it is made."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import AsyncIterator

import openpyxl
import pytest

from bot.records.sheets import (
    MAX_CELL_CHARS,
    Row,
    Share,
    Sheet,
    column_name,
    csv_lines,
    xlsx_parts,
)

TYPED = [
    '=HYPERLINK("http://evil.example","click")',
    "+255 700 000 001",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    " =1+1",  # an import that trims spaces leaves the formula
    "\u00a0=1+1",
    "\n=1+1",
    "\x00=1+1",
    "\uff1d1+1",  # full-width signs: some input methods turn them into = + - @
    "\uff0b1+1",
    "\uff0d1+1",
    "\uff201+1",
    "fine = good",
]


async def _rows(rows: list[Row]) -> AsyncIterator[Row]:
    for row in rows:
        yield row


async def _book(*sheets: Sheet) -> openpyxl.Workbook:
    data = b"".join([piece async for piece in xlsx_parts(sheets)])
    return openpyxl.load_workbook(io.BytesIO(data))


async def test_formulas_typed_by_the_public_are_inert_in_csv_and_xlsx() -> None:
    rows: list[Row] = [["typed"], *([text] for text in TYPED)]
    text = "".join([line async for line in csv_lines(_rows(rows), bom=False)])
    shown = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert shown == ["'" + typed for typed in TYPED[:-1]] + [TYPED[-1]]
    book = await _book(Sheet("Typed", _rows(rows)))
    cells = [row[0] for row in book["Typed"].iter_rows(min_row=2)]
    # XLSX shows the text as typed (a NUL, which XML cannot hold, replaced), with no
    # apostrophe to see, and keeps it text even once edited: the quote prefix style.
    assert [cell.value for cell in cells] == [typed.replace("\x00", "\ufffd") for typed in TYPED]
    assert {cell.data_type for cell in cells} == {"s"}  # text, never a formula
    assert [cell.quotePrefix for cell in cells] == [True] * (len(TYPED) - 1) + [False]


async def test_a_phrase_starting_with_a_dash_shows_no_stray_apostrophe_in_xlsx() -> None:
    rows: list[Row] = [["said"], ["- the agent asked for money"], ["+ de 50 ans"]]
    sheet = (await _book(Sheet("Said", _rows(rows))))["Said"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "- the agent asked for money",
        "+ de 50 ans",
    ]
    assert sheet["A1"].font.b
    assert not sheet["A1"].quotePrefix


async def test_a_formula_after_a_semicolon_stays_text_where_csv_is_split_on_semicolons() -> None:
    """French and most European locales open a CSV with `;` as the separator."""
    rows: list[Row] = [["participant", "story"], ["p1", "x;=HYPERLINK(A2&B2)"], ["p2", "a; -1"]]
    text = "".join([line async for line in csv_lines(_rows(rows), bom=False)])
    for separator in (",", ";"):
        cells = [cell for row in csv.reader(io.StringIO(text), delimiter=separator) for cell in row]
        assert not [cell for cell in cells if cell.lstrip().startswith(("=", "+", "-", "@"))]
    stories = [row[1] for row in csv.reader(io.StringIO(text))][1:]
    assert stories == ["x;'=HYPERLINK(A2&B2)", "a;' -1"]  # the text, readable, made inert


async def test_each_worksheet_is_written_with_room_past_4_gib() -> None:
    """A worksheet's size is known only at its end: without zip64 from the start, one past
    2 GiB could not be finished."""
    data = b"".join([piece async for piece in xlsx_parts([Sheet("A", _rows([["x"]]))])])
    book = zipfile.ZipFile(io.BytesIO(data))
    info = book.getinfo("xl/worksheets/sheet1.xml")
    header = data[info.header_offset : info.header_offset + 30]
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_length
    extra = data[start : start + extra_length]
    assert struct.unpack("<H", extra[:2])[0] == 0x0001  # the zip64 extra field
    assert openpyxl.load_workbook(io.BytesIO(data))["A"]["A1"].value == "x"


async def test_numbers_are_numbers_and_shares_percentages() -> None:
    rows: list[Row] = [["n", "share"], [-3, Share(0.25)], [2.5, None]]
    text = "".join([line async for line in csv_lines(_rows(rows), bom=True)])
    assert text == "\ufeffn,share\r\n-3,0.2500\r\n2.5,\r\n"
    sheet = (await _book(Sheet("Numbers", _rows(rows))))["Numbers"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["n", "share"],
        [-3, 0.25],
        [2.5, None],
    ]
    assert sheet["B2"].number_format == "0.00%"
    assert sheet["A1"].font.b
    assert not sheet["A2"].font.b


async def test_text_xml_cannot_hold_is_replaced_and_what_it_can_is_kept() -> None:
    words = ["a\x00b\x1bc", "line\r\nbreak", " spaced ", "عربي ኢትዮጵያ", "x" * (MAX_CELL_CHARS + 9)]
    sheet = (await _book(Sheet("Words", _rows([words]), header_rows=0)))["Words"]
    [row] = list(sheet.iter_rows(values_only=True))
    assert row[:4] == ("a\ufffdb\ufffdc", "line\r\nbreak", " spaced ", "عربي ኢትዮጵያ")
    assert row[4] == "x" * MAX_CELL_CHARS  # Excel's limit


async def test_the_workbook_leaves_as_it_is_made() -> None:
    many: list[Row] = [[f"row {n} " + "words " * 40, n] for n in range(5_000)]
    pieces = [piece async for piece in xlsx_parts([Sheet("Many", _rows(many), header_rows=0)])]
    sent = [piece for piece in pieces if piece]
    assert len(sent) > 3  # not one piece at the end
    book = openpyxl.load_workbook(io.BytesIO(b"".join(pieces)))
    assert book["Many"].max_row == 5_000


@pytest.mark.parametrize(
    ("index", "name"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_names(index: int, name: str) -> None:
    assert column_name(index) == name
