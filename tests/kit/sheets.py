"""Spreadsheet files as a spreadsheet user's app reads them: a workbook's sheets as records."""

from __future__ import annotations

from typing import Any


def records(sheet: Any) -> list[dict[str, Any]]:
    """A sheet's rows below its header, by the header's names."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def about(sheet: Any) -> dict[str, Any]:
    """A sheet of two columns (a name, then what it says) as a dict."""
    return {name: value for name, value, *_ in sheet.iter_rows(values_only=True)}
