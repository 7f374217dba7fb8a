"""Dates as people type them in a chat, and as they are shown back to them.

A participant types `2026-03-05`, `5/3/2026` (day or month first, as the campaign says),
`5.3.26`, `5 March 2026`, `March 5th, 2026`, `٥ مارس ٢٠٢٦` or `5 Machi 2026`: digits of any
script, month names in any language Babel knows (wide and abbreviated). Whatever was typed,
the answer is stored as an ISO date (`2026-03-05`). Nothing here reads the clock: "today" is
the day the caller passes in.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from typing import Final

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from dialogues.model import DateBound, DateOrder
from dialogues.normalize import ascii_digits, fold

TODAY: Final = "today"
#: The example a hint and a re-ask show: 31 December cannot be misread whichever comes first.
_EXAMPLE = {"day_first": "31/12/2000", "month_first": "12/31/2000"}
_TOKENS = re.compile(r"\d+|[^\W\d_]+")
# Words a date is written with besides its month ("5th of March", "le 5 mars", "5 de março"):
# short ones are ignored; a longer word that is no month makes the text no date.
_FILLER_LENGTH = 3
# Two-digit years read as POSIX strptime reads them: 69-99 in the 1900s, 00-68 in the 2000s.
_CENTURY_PIVOT = 69


def read_date(text: str, order: DateOrder, languages: Iterable[str]) -> dt.date | None:
    """The date `text` names, or None. `languages`: whose month names to try, in order."""
    tokens = _TOKENS.findall(fold(ascii_digits(text))[:60])  # no date is longer; keep it cheap
    numbers = [token for token in tokens if token.isdigit()]
    words = [token for token in tokens if not token.isdigit()]
    if len(numbers) == 3 and not words:
        return _numeric(numbers, order)
    if len(numbers) != 2:
        return None
    months = [month for word in words if (month := _month(word, tuple(languages))) is not None]
    others = [word for word in words if _month(word, tuple(languages)) is None]
    if len(months) != 1 or any(len(word) > _FILLER_LENGTH for word in others):
        return None
    first, second = numbers
    day, year = (first, second) if len(second) >= len(first) else (second, first)
    return _date(year, str(months[0]), day)


def resolve(bound: DateBound | None, today: dt.date | None) -> dt.date | None:
    """A limit as a day: `today` is the day the answer is given (None: no limit)."""
    return today if bound == TODAY else bound if isinstance(bound, dt.date) else None


def example(order: DateOrder) -> str:
    """A date written as the campaign reads numbers, for hints."""
    return _EXAMPLE[order]


def parse_bound(raw: object) -> DateBound | None:
    """A limit as a survey file writes it (`2020-01-01`, `today`), or None when it is none."""
    if raw == TODAY:
        return TODAY
    if isinstance(raw, dt.datetime):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None


def show_date(value: dt.date | str, language: str) -> str:
    """A date as `language` writes it in full ('5 March 2026', '5 mars 2026'); ISO where Babel
    does not know the language; an answer stored otherwise (by an older survey) as it is."""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    except ValueError:
        return str(value)
    return _shown(day, language)


@functools.lru_cache(maxsize=4096)
def _shown(day: dt.date, language: str) -> str:
    try:
        return format_date(day, format="long", locale=language)
    except (UnknownLocaleError, ValueError):
        return day.isoformat()


def _numeric(numbers: list[str], order: DateOrder) -> dt.date | None:
    first, second, third = numbers
    if len(first) == 4:
        return _date(first, second, third)
    if len(third) not in (2, 4):
        return None
    day, month = (first, second) if order == "day_first" else (second, first)
    return _date(third, month, day)


def _date(year: str, month: str, day: str) -> dt.date | None:
    if len(year) not in (2, 4) or len(month) > 2 or len(day) > 2:
        return None
    number = int(year)
    if len(year) == 2:
        number += 1900 if number >= _CENTURY_PIVOT else 2000
    try:
        return dt.date(number, int(month), int(day))
    except ValueError:
        return None


def _month(word: str, languages: tuple[str, ...]) -> int | None:
    for language in (*languages, "en"):
        month = _month_names(language).get(word)
        if month is not None:
            return month
    return None


@functools.lru_cache(maxsize=256)
def _month_names(language: str) -> Mapping[str, int]:
    """Folded month name -> month number, wide and abbreviated, as written in a date and
    standing alone ('mars', 'janv', 'machi', 'مارس'); empty for a language Babel lacks."""
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return {}
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in locale.months[context][width].items():
                names.setdefault(fold(name), number)
    return names
