"""Translators' files: a campaign's texts in one language written as a PO file (gettext's
format, which Poedit, Weblate, Lokalize and OmegaT open) and read back, through Babel.

Each entry carries its source text (msgid), where it lives (msgctxt), a note for the
translator (the button limit, the placeholders to keep), the current translation (msgstr;
empty when there is none) and `fuzzy` when that translation was machine-drafted or never
reviewed. A translator clears `fuzzy` on what they vouch for.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from babel import UnknownLocaleError
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import PoFileError, read_po, write_po

from dialogues.translations import ImportedText, TextEntry

PROJECT_PREFIX = "Sauti campaign "


def po_file(campaign_id: str, language: str, found: Sequence[TextEntry], now: dt.datetime) -> bytes:
    """The PO file of a campaign's texts in `language`."""
    settings: dict[str, Any] = {
        "project": f"{PROJECT_PREFIX}{campaign_id}",
        "version": None,
        "creation_date": now,
        "revision_date": now,
        "fuzzy": False,  # the header itself is sound: msgfmt reads a fuzzy header as absent
        "charset": "utf-8",
        "last_translator": "Sauti export",  # the translator's tool puts their name here
        "language_team": language,
    }
    try:  # a language CLDR does not know (no plural rule) is still named in the header
        catalog = PoCatalog(locale=language.replace("-", "_"), **settings)
    except (ValueError, UnknownLocaleError):  # older Babel: such a file names no language
        catalog = PoCatalog(locale=None, **settings)
    catalog.header_comment = (
        f"# Texts of the Sauti campaign {campaign_id} in '{language}'.\n"
        "# An empty msgstr is untranslated. 'fuzzy' marks a machine-drafted or unreviewed\n"
        "# translation: remove it from each entry you have reviewed."
    )
    for entry in found:
        flags = ["fuzzy"] if entry.needs_review else []
        if entry.placeholders:
            flags.append("python-brace-format")  # lets `msgfmt -c` check the placeholders too
        catalog.add(
            entry.source,
            entry.translation or "",
            context=entry.context,
            auto_comments=_notes(entry),
            flags=flags,
        )
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False)
    return out.getvalue()


def _notes(entry: TextEntry) -> list[str]:
    notes = []
    if entry.max_chars is not None:
        notes.append(f"A button label: at most {entry.max_chars} characters.")
    if entry.placeholders:
        kept = ", ".join(f"{{{name}}}" for name in sorted(entry.placeholders))
        notes.append(f"Keep {kept} exactly as written: Sauti fills them in.")
    if entry.is_system:
        notes.append("One of Sauti's own texts, shared by every campaign: shown here to review.")
    elif not entry.required:
        notes.append("May stay empty: the campaign then shows its default language.")
    return notes


class UnreadableFileError(Exception):
    """Not a PO file Sauti can read; the message says where and why."""


def read_po_file(data: bytes) -> tuple[str | None, str | None, list[ImportedText]]:
    """(the campaign it names, its language, its entries with their lines)."""
    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as error:
        raise UnreadableFileError(f"line {error.lineno + 1}: {error}") from None
    except (UnicodeDecodeError, LookupError) as error:
        raise UnreadableFileError(f"the file is not UTF-8 text: {error}") from None
    project = catalog.project or ""
    campaign = project.removeprefix(PROJECT_PREFIX) if project.startswith(PROJECT_PREFIX) else None
    identifier = getattr(catalog, "locale_identifier", None) or catalog.locale
    # Babel writes fr_CD; survey files name it fr-CD
    language = str(identifier).replace("_", "-") if identifier else None
    found = [
        ImportedText(
            line=message.lineno or 0,
            context=message.context,
            forms=_forms(message.string),
            needs_review=message.fuzzy,
        )
        for message in catalog
        if message.id  # not the header
    ]
    return campaign, language, found


def _forms(string: object) -> tuple[str, ...]:
    """The translation's forms: one, or one per plural form."""
    if isinstance(string, (tuple, list)):
        return tuple(str(form) for form in string)
    return (str(string or ""),)
