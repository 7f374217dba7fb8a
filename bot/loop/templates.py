"""How decision notices reach WhatsApp participants whose 24-hour window has closed (then only
an approved template may go out), per language, for the decision preview."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.channels.whatsapp.template_file import TemplateFileError, load_templates
from bot.channels.whatsapp.templates import DECISION, NOTICE, TemplateBook
from bot.settings.limits import WhatsAppLimits

# What a decision notice asks for outside the window, best first: the template with the
# reaction buttons, else the plain notice (the feeder's `template` hint).
NOTICE_PURPOSES = (DECISION, NOTICE)


@dataclass(frozen=True, slots=True)
class TemplateCoverage:
    own: frozenset[str]  # languages whose own decision or notice template is approved
    buttons: frozenset[str]  # those of them that get the decision template: they can react


def coverage_of(book: TemplateBook, languages: tuple[str, ...]) -> TemplateCoverage:
    """Which of `languages` get a template of their own, and which of those have buttons, as
    the WhatsApp client chooses them."""
    own, buttons = set(), set()
    for language in languages:
        resolved = book.choose(NOTICE_PURPOSES, language)
        if resolved is not None and not resolved.fallback:
            own.add(language)
            if resolved.template.purpose == DECISION:
                buttons.add(language)
    return TemplateCoverage(frozenset(own), frozenset(buttons))


def template_coverage(
    path: Path, limits: WhatsAppLimits, languages: tuple[str, ...]
) -> TemplateCoverage | None:
    """`coverage_of` the templates file; None when it cannot be read (the preview then says
    nothing about templates)."""
    try:
        book = load_templates(path, limits)
    except TemplateFileError:
        return None
    return coverage_of(book, languages)
