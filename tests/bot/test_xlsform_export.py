"""`sauti survey export`: a survey as an XLSForm that KoboToolbox's converter (pyxform) accepts,
and that `sauti survey import` reads back into the same survey."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from bot.records.xlsform_files import form_parts, import_workbook
from dialogues import Survey, parse

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "dialogues" / "examples").glob("*.yaml"))
# Every kind and option a survey file has, beyond what the examples use.
EVERY_KIND = """
spec_version: 1
id: every-kind
organisation: {en: Acme, sw: Acme}
title: {en: Every kind, sw: Kila aina}
languages: [en, sw]
default_language: en
allow_fallback: true
shared_phones: true
retention_days: 90
translation_status: {sw: draft}
promise: {en: We will tell you., sw: Tutakueleza.}
data_notice: {en: Our notice., sw: Taarifa yetu.}
questions:
  - {id: pick, kind: single_choice, text: {en: Pick, sw: Chagua},
     options: [{id: a, text: {en: A, sw: A}}, {id: b, text: {en: B}}, {id: c, text: {en: C}}]}
  - {id: ticks, kind: multiple_choice, min: 2, max: 3, relevant: "pick in ('a', 'b')",
     text: {en: Ticks}, options: [{id: x, text: {en: X}}, {id: y, text: {en: Y}},
     {id: z, text: {en: Z}}, {id: w, text: {en: W}}]}
  - {id: ok, kind: yes_no, sensitive: true, optional: true, text: {en: OK?, sw: Sawa?},
     relevant: "count(ticks) >= 2 and not selected(ticks, 'w') or answered(pick)"}
  - {id: rate, kind: scale, min: 0, max: 10, text: {en: Rate}, labels: {max: {en: Best}}}
  - {id: money, kind: number, integer: false, min: 0.5, text: {en: Money}, relevant: "rate > 3"}
  - {id: many, kind: number, text: {en: How many}}
  - {id: why, kind: text, max_length: 200, optional: true, text: {en: Why}, relevant: "ok = 'yes'"}
  - {id: bye, kind: info, text: {en: Bye, sw: Kwaheri}}
"""


def _workbook(survey: Survey) -> bytes:
    async def collect() -> bytes:
        return b"".join([part async for part in form_parts(survey)])

    return asyncio.run(collect())


def _same(first: Survey, second: Survey) -> list[str]:
    """The fields in which two surveys differ (the revision, a hash of the file, aside)."""
    return [
        field.name
        for field in dataclasses.fields(first)
        if field.name != "revision"
        and not field.name.startswith("_")
        and getattr(first, field.name) != getattr(second, field.name)
    ]


@pytest.mark.parametrize(
    "text", [*(p.read_text(encoding="utf-8") for p in EXAMPLES), EVERY_KIND],
    ids=[*(p.stem for p in EXAMPLES), "every_kind"],
)  # fmt: skip
def test_import_of_the_export_is_the_same_survey(text: str) -> None:
    survey = parse(text)
    result = import_workbook(_workbook(survey))
    assert result.problems == ()
    assert result.survey is not None
    assert _same(survey, result.survey) == []


@pytest.mark.parametrize("text", [EXAMPLES[0].read_text(encoding="utf-8"), EVERY_KIND])
def test_kobo_s_converter_accepts_the_exported_form(tmp_path: Path, text: str) -> None:
    form = tmp_path / "form.xlsx"
    form.write_bytes(_workbook(parse(text)))
    xform = convert(xlsform=str(form), validate=False).xform
    assert "<h:title>" in xform
    assert 'lang="English (en)"' in xform


def test_the_export_has_a_label_column_per_language_for_translators(tmp_path: Path) -> None:
    out = tmp_path / "safe.xlsx"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "survey", "export", str(EXAMPLES[0]), "-o", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = [cell.value for cell in book["survey"][1]]
    for language in ("English (en)", "French (fr)", "Arabic (ar)", "Swahili (sw)"):
        assert f"label::{language}" in header
    rows = {row[1]: row for row in book["survey"].iter_rows(min_row=2, values_only=True)}
    assert rows["money_safe"][0] == "range"
    assert rows["worry"][header.index("relevant")] == "${money_safe} <= 2"
    assert str(rows["uses"][header.index("label::Swahili (sw)")]).startswith("Unatumia laini")
