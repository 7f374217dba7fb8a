"""The console's own languages: gettext catalogues (`locale/<lang>/LC_MESSAGES/console.po`,
Babel's format; message ids are the English texts), the language each request is shown in,
and numbers and dates formatted for it.

The `.po` files are read and compiled in memory at start: no build step, and a translator's
edit shows on the next start. `tests/console/test_catalogue.py` extracts every message of the
templates and modules and fails on one a catalogue lacks.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from importlib import resources

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "fr")  # English is the message ids themselves: it has no catalogue
LANGUAGE_COOKIE = "sauti_console_language"
DOMAIN = "console"


@dataclass(frozen=True, slots=True)
class Language:
    """One interface language: its translations and how it writes."""

    code: str
    name: str  # in itself ("Français")
    translations: NullTranslations
    direction: str  # "ltr" or "rtl"

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def number(self, value: float | None, withheld: str = "") -> str:
        if value is None:
            return withheld
        if isinstance(value, int):  # counts: a results page writes hundreds of them
            return _integer(value, self.code)
        return format_decimal(value, locale=self.code)

    def percent(self, share: float | None, withheld: str = "") -> str:
        return withheld if share is None else format_percent(share, locale=self.code)

    def date(self, value: dt.date | None) -> str:
        return "" if value is None else format_date(value, "medium", locale=self.code)

    def moment(self, value: dt.datetime | None) -> str:
        """A time, in UTC (staff work across time zones; the page says so where it matters)."""
        if value is None:
            return ""
        return format_datetime(value, "medium", tzinfo=dt.UTC, locale=self.code)


@functools.lru_cache(maxsize=16_384)
def _integer(value: int, code: str) -> str:
    """An integer as the language writes it; cached, since Babel takes about 0.1 ms for each
    and the same counts come back page after page."""
    return format_decimal(value, locale=code)


def load_languages() -> dict[str, Language]:
    languages = {}
    for code in LANGUAGES:
        locale = Locale.parse(code)
        translations = _catalogue(code) if code != DEFAULT_LANGUAGE else NullTranslations()
        languages[code] = Language(
            code, str(locale.display_name), translations, locale.text_direction
        )
    return languages


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The chosen language (cookie), else the browser's best supported one, else English."""
    if cookie in LANGUAGES:
        return cookie
    for wanted in _preferences(accept_language or ""):
        primary = wanted.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def _preferences(header: str) -> list[str]:
    """Accept-Language's tags, best first (unreadable weights count as 0)."""
    weighted = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag:
            weighted.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def _catalogue(code: str) -> Translations:
    path = resources.files("bot.console").joinpath(f"locale/{code}/LC_MESSAGES/{DOMAIN}.po")
    with path.open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for "translated later"
    """Marks a message for the catalogues where it is defined; translated where it is shown."""
    return message
