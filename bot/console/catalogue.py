"""The console's message catalogues for translators: every message of its modules and
templates extracted, and each language's `.po` brought up to date (new messages added
untranslated, translations kept, messages gone marked obsolete).

    python -m bot.console.catalogue          # update every catalogue under locale/
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.console.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES

METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "yes"}}


def console_dir() -> Path:
    return Path(str(resources.files("bot.console")))


def extracted() -> Catalog:
    """Every message the console shows, with where it is used."""
    catalog = Catalog(domain=DOMAIN, project="Sauti console")
    for filename, lineno, message, comments, context in extract_from_dir(
        console_dir(), METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogue_path(language: str) -> Path:
    return console_dir() / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def update(language: str) -> None:
    path = catalogue_path(language)
    template = extracted()
    if path.exists():
        with path.open("rb") as po:
            catalog = read_po(po, locale=language, domain=DOMAIN)
        # The creation date stays: a date that moves on every update is a merge conflict.
        catalog.update(template, update_header_comment=False, update_creation_date=False)
    else:
        catalog = Catalog(locale=language, domain=DOMAIN, project="Sauti console")
        catalog.update(template)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, width=100, omit_header=False, sort_output=True)


def main() -> int:
    for language in LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            update(language)
            print(f"updated {catalogue_path(language).relative_to(console_dir())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
