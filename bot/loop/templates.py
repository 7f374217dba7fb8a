"""Which participant languages have an approved WhatsApp template of their own for notices
(outside the 24-hour window nothing else may go out), for the decision preview."""

from __future__ import annotations

from pathlib import Path

from bot.channels.whatsapp.templates import NOTICE, TemplateFileError, load_templates


def notice_template_languages(path: Path, languages: tuple[str, ...]) -> set[str] | None:
    """The languages among `languages` whose own notice template is approved; None when the
    templates file cannot be read (the preview then says nothing about templates)."""
    try:
        book = load_templates(path)
    except TemplateFileError:
        return None
    found = set()
    for language in languages:
        resolved = book.resolve(NOTICE, language)
        if resolved is not None and not resolved.fallback:
            found.add(language)
    return found
