"""What Sauti knows about a language from CLDR (through Babel): its name in its own script,
its writing direction and its plural rule. Hand-written lists of these went stale and wrong
("1 answers"); CLDR covers every language a survey may name.
"""

from __future__ import annotations

import functools
from typing import Literal

from babel import Locale, UnknownLocaleError

Direction = Literal["ltr", "rtl"]
#: CLDR plural categories, in CLDR's order
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


@functools.lru_cache(maxsize=256)
def locale_of(language: str) -> Locale | None:
    """The CLDR locale of a language code ('fa-AF', 'sw'), or of its base language when the
    region is unknown; None when CLDR does not know the language at all."""
    for code in (language, language.split("-", maxsplit=1)[0]):
        try:
            return Locale.parse(code, sep="-")
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return None


def direction(language: str) -> Direction:
    """Writing direction of a language code ('ar' -> 'rtl', 'ps' -> 'rtl', 'sw' -> 'ltr')."""
    locale = locale_of(language)
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def native_name(language: str) -> str:
    """The language's name in its own script ('am' -> 'አማርኛ', 'fr' -> 'Français'); the code
    itself when CLDR does not know it. Capitalised, as it heads a button or a list."""
    locale = locale_of(language)
    name = locale.get_language_name(locale) if locale is not None else None
    return name[:1].upper() + name[1:] if name else language


def plural_category(language: str, count: float) -> str:
    """The CLDR plural category of `count` in `language`: Arabic 3 -> 'few', 11 -> 'many'."""
    locale = locale_of(language)
    return locale.plural_form(count) if locale is not None else ("one" if count == 1 else "other")


def plural_categories(language: str) -> frozenset[str]:
    """Every category a counted text needs in `language` ('other' always; Arabic all six)."""
    locale = locale_of(language)
    tags = locale.plural_form.tags if locale is not None else {"one"}
    return frozenset(tags) | {"other"}
