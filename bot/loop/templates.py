"""How decision notices reach WhatsApp participants whose 24-hour window has closed (then only
an approved template may go out), per language, for the decision preview."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.channels.whatsapp.template_file import TemplateFileError, load_templates
from bot.channels.whatsapp.templates import (
    DECISION,
    NOTICE,
    SHARED,
    Menu,
    TemplateBook,
    filled_body,
    parameter_values,
)
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


@dataclass(frozen=True, slots=True)
class ClosedWindowNotice:
    """A notice as a WhatsApp participant whose 24-hour window has closed reads it: the
    approved template's words around the notice, and its buttons."""

    template: str  # the template's name
    language: str  # the WhatsApp language code it goes in
    text: str
    buttons: tuple[str, ...]
    fallback: bool  # another language's template: theirs has none approved


def closed_window_notice(
    book: TemplateBook, language: str, text: str, menu: Menu, *, shared: bool
) -> ClosedWindowNotice | None:
    """What the WhatsApp client sends for a notice outside the window (the template it
    chooses, filled as `TemplateBook.content` fills it); None: nothing can go."""
    resolved = book.choose((SHARED,) if shared else NOTICE_PURPOSES, language, menu)
    if resolved is None:
        return None
    template = resolved.template
    approved = template.languages[resolved.code]
    body = filled_body(approved.body, parameter_values(template, text))
    return ClosedWindowNotice(
        template.name, resolved.code, body, approved.buttons, resolved.fallback
    )


def template_book(path: Path, limits: WhatsAppLimits) -> TemplateBook | None:
    """The templates file, or None when it cannot be read."""
    try:
        return load_templates(path, limits)
    except TemplateFileError:
        return None


class TemplatesFile:
    """The templates file as a web process reads it: parsed again only once it changed (its
    modification time or size), since a decision's page needs it twice a view and parsing it
    takes longer (~15 ms on a busy machine) than everything else the preview reads."""

    def __init__(self, path: Path, limits: WhatsAppLimits) -> None:
        self._path = path
        self._limits = limits
        self._read_at: tuple[int, int] | None = None
        self._book: TemplateBook | None = None
        self._read = False

    def book(self) -> TemplateBook | None:
        """The book (None: the file cannot be read)."""
        try:
            status = self._path.stat()
            stamp: tuple[int, int] | None = (status.st_mtime_ns, status.st_size)
        except OSError:
            stamp = None
        if not self._read or stamp != self._read_at:
            self._book = template_book(self._path, self._limits)
            self._read_at, self._read = stamp, True
        return self._book

    def coverage(self, languages: tuple[str, ...]) -> TemplateCoverage | None:
        book = self.book()
        return None if book is None else coverage_of(book, languages)
