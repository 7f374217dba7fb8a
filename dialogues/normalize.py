"""Fold what people type on phones into a comparable form: case, accents, scripts, digits."""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

_PUNCTUATION_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_SPACES = re.compile(r"\s+")


class _FoldTable(dict[int, int | None]):
    """str.translate table, filled on first sight of each character: combining marks (accents,
    Arabic harakat) and the tatweel are dropped; Arabic letters people type interchangeably
    (hamza carriers, ta marbuta, alef maqsura) become one."""

    _LETTERS: ClassVar[dict[str, str]] = {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
    }

    def __missing__(self, codepoint: int) -> int | None:
        char = chr(codepoint)
        if char in self._LETTERS:
            folded: int | None = ord(self._LETTERS[char])
        elif unicodedata.combining(char) or char == "\u0640":  # mark, or ARABIC TATWEEL
            folded = None
        else:
            folded = codepoint
        self[codepoint] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form: 'Électricité !' -> 'electricite'."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.casefold()).translate(_FOLD_TABLE)
    return _PUNCTUATION_EDGES.sub("", _SPACES.sub(" ", text.lower()).strip())


def ascii_digits(text: str) -> str:
    """Any decimal digit (Arabic-Indic ٣, Eastern Arabic-Indic ۳, Devanagari ३, ...) -> 0-9,
    and the Arabic decimal/thousands separators -> '.' / ','."""
    out = []
    for ch in text:
        if ch.isdecimal():  # not isdigit(): superscripts and Ethiopic numerals are no digits here
            out.append(str(unicodedata.decimal(ch)))
        elif ch == "\u066b":  # ARABIC DECIMAL SEPARATOR
            out.append(".")
        elif ch in "\u066c\u060c":  # ARABIC THOUSANDS SEPARATOR, ARABIC COMMA
            out.append(",")
        else:
            out.append(ch)
    return "".join(out)


_LONGEST_NUMBER = 40  # longer "numbers" are noise, and would overflow a float to infinity
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[,. \u00a0\u202f']\d{3})+$")


def parse_number(text: str) -> float | None:
    """A number as people write it: '12', '٣', '2,5' (decimal comma), '1 000', '1,000,000'.
    None when the text is not one number."""
    raw = ascii_digits(text).strip().replace("\u2212", "-")
    if not raw or len(raw) > _LONGEST_NUMBER:
        return None
    if _NUMBER.match(raw):
        return float(raw)
    if _GROUPED.match(raw) and not re.match(r"^[+-]?\d{1,3}[,.]\d{3}$", raw):
        # Several groups of three ("1,000,000", "1 000"): thousands separators.
        return float(re.sub(r"[,. \u00a0\u202f']", "", raw))
    if _GROUPED.match(raw):
        # "1,000": one group after a comma is a thousands separator ("1.000" never gets here:
        # it reads as the decimal 1.0 above).
        return float(re.sub(r"[,.]", "", raw))
    if re.match(r"^[+-]?\d+,\d+$", raw):
        return float(raw.replace(",", "."))  # decimal comma: "2,5"
    return None
