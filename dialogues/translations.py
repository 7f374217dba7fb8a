"""Translators' round trip, the pure part: a campaign's texts in one language as entries (each
with its context, source text and translation), the checks an imported translation must pass,
and each language's completeness and review state.

A context names where a text lives: `questions.q3.options.yes` in the survey file, or
`system:button.skip` for one of Sauti's own texts (a prefix per built-in catalogue). The file
formats (PO) and storage live in the shell; nothing here reads a file or the clock.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dialogues.localization import FALLBACK_LANGUAGE, Catalog, builtin_catalog
from dialogues.model import LocalizedText, Survey

#: Top-level texts of a survey file, in the order they are shown.
_SURVEY_TEXTS = ("title", "organisation", "promise", "intro", "thanks", "data_notice")
#: A question's own words for refusing an answer (XLSForm's constraint and required messages).
_QUESTION_MESSAGES = ("constraint_message", "required_message")
#: The built-in texts a campaign may word its own way (its survey file's `system_texts`).
OWN_WORDING = "system"


class ReviewState(StrEnum):
    """How far a language's texts can be trusted, from best to worst."""

    SOURCE = "source"  # the language the texts were written in
    REVIEWED = "reviewed"
    UNREVIEWED = "unreviewed"  # translated (or imported) but nobody vouched for it
    MACHINE_DRAFTED = "machine-drafted"


_ORDER = tuple(ReviewState)


@dataclass(frozen=True, slots=True)
class SystemTexts:
    """One built-in catalogue a campaign uses: its context prefix, its texts, and how far each
    language of it was reviewed (a language not named is machine-drafted, English the source).
    `buttons` are the key prefixes of texts shown on a button."""

    prefix: str
    catalog: Catalog
    reviewed: frozenset[str] = frozenset()
    buttons: tuple[str, ...] = ("button.", "option.")


@dataclass(frozen=True, slots=True)
class TextEntry:
    """One text to translate. `translation` is None when there is none yet; `needs_review`
    marks a machine-drafted or unreviewed one (fuzzy in a PO file)."""

    context: str
    source: str
    translation: str | None
    needs_review: bool
    max_chars: int | None = None  # shown on a button: platforms cut longer labels
    required: bool = True  # the campaign cannot run without it (no English fallback allowed)

    @property
    def placeholders(self) -> frozenset[str]:
        return placeholders(self.source)

    @property
    def is_system(self) -> bool:
        return ":" in self.context


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """An import of a language's texts: who vouched for them (None: nobody), when, how many
    entries were still marked for review, and the fingerprint of the texts it covered."""

    reviewer: str | None
    at_ms: int
    unreviewed: int
    fingerprint: str


@dataclass(frozen=True, slots=True)
class LanguageStatus:
    """A campaign language's completeness and review state."""

    language: str
    translated: int
    total: int
    state: ReviewState
    reviewer: str | None = None
    reviewed_at_ms: int | None = None

    @property
    def complete(self) -> bool:
        return self.translated == self.total

    @property
    def ready(self) -> bool:
        """Fit to open without accepting machine-drafted text."""
        return self.complete and self.state in (ReviewState.SOURCE, ReviewState.REVIEWED)

    def missing(self) -> str:
        """What stands between this language and being ready, in a few words."""
        gaps = []
        if not self.complete:
            gaps.append(f"{self.total - self.translated} of {self.total} texts untranslated")
        if self.state not in (ReviewState.SOURCE, ReviewState.REVIEWED):
            gaps.append(self.state.value)
        return ", ".join(gaps)


def placeholders(text: str) -> frozenset[str]:
    """The `{name}` placeholders of a text, which every translation must keep."""
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)
    except ValueError:  # an unbalanced brace: no placeholder can be read from it
        return frozenset()


def entries(
    survey: Survey,
    language: str,
    systems: tuple[SystemTexts, ...],
    *,
    button_chars: int,
) -> list[TextEntry]:
    """Every text a campaign shows in `language`: its own (source: its default language) and
    the built-in ones it uses (source: English), in the order a participant meets them."""
    status = survey.translation_status.get(language)
    own_review = language != survey.default_language and status != "reviewed"
    found = [
        TextEntry(
            context,
            text[survey.default_language],
            text.get(language),
            own_review and language in text,
            max_chars=button_chars if ".options." in context else None,
            required=not survey.allow_fallback,
        )
        for context, text in survey_texts(survey)
    ]
    for system in systems:
        drafted = language != FALLBACK_LANGUAGE and language not in system.reviewed
        own = survey.system_texts if system.prefix == OWN_WORDING else {}
        for key, texts in system.catalog.messages.items():
            worded = own.get(key, {}).get(language)  # the campaign's own wording of it
            found.append(
                TextEntry(
                    f"{system.prefix}:{key}",
                    texts[FALLBACK_LANGUAGE],
                    worded if worded is not None else texts.get(language),
                    own_review if worded is not None else drafted and language in texts,
                    max_chars=button_chars if key.startswith(system.buttons) else None,
                    required=False,  # English is shown where a built-in text is missing
                )
            )
    return found


def survey_texts(survey: Survey) -> Iterator[tuple[str, LocalizedText]]:
    """The survey's own texts with their contexts (question and option ids, not positions, so
    that a context survives questions being reordered)."""
    for name in _SURVEY_TEXTS:
        text = getattr(survey, name)
        if text:
            yield name, text
    for question in survey.questions:
        base = f"questions.{question.id}"
        yield f"{base}.text", question.text
        for name in _QUESTION_MESSAGES:
            message: LocalizedText | None = getattr(question, name)
            if message:
                yield f"{base}.{name}", message
        for option in question.options:
            if option.text:  # yes/no answers are Sauti's own (system:option.yes)
                yield f"{base}.options.{option.id}", option.text
        if question.min_label:
            yield f"{base}.labels.min", question.min_label
        if question.max_label:
            yield f"{base}.labels.max", question.max_label


def fingerprint(found: Sequence[TextEntry]) -> str:
    """What a review vouches for: every context, source and translation. A review stops
    counting once any of them changes (a new survey version, an upgraded built-in text)."""
    digest = hashlib.sha256()
    for entry in found:
        for part in (entry.context, entry.source, entry.translation or ""):
            digest.update(part.encode())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def language_status(
    survey: Survey,
    language: str,
    found: Sequence[TextEntry],
    record: ReviewRecord | None,
    *,
    texts_fingerprint: str | None = None,
) -> LanguageStatus:
    """Completeness and review state of one language: an import's record while it covers the
    texts as they are, else what the survey file declares and how the built-in texts stand.
    `texts_fingerprint` is `fingerprint(found)` when the caller keeps it already."""
    translated = sum(entry.translation is not None for entry in found)
    if record is not None and record.fingerprint == (texts_fingerprint or fingerprint(found)):
        if record.reviewer is not None and record.unreviewed == 0:
            return LanguageStatus(
                language, translated, len(found), ReviewState.REVIEWED,
                reviewer=record.reviewer, reviewed_at_ms=record.at_ms,
            )  # fmt: skip
        return LanguageStatus(language, translated, len(found), ReviewState.UNREVIEWED)
    states = [ReviewState.SOURCE]
    if language != survey.default_language:
        declared = survey.translation_status.get(language)
        states.append(_DECLARED.get(declared or "", ReviewState.UNREVIEWED))
    if any(entry.is_system and entry.needs_review for entry in found):
        states.append(ReviewState.MACHINE_DRAFTED)
    return LanguageStatus(language, translated, len(found), max(states, key=_ORDER.index))


_DECLARED = {
    "reviewed": ReviewState.REVIEWED,
    "machine-drafted": ReviewState.MACHINE_DRAFTED,
    "draft": ReviewState.UNREVIEWED,
}


@dataclass(frozen=True, slots=True)
class ImportedText:
    """One entry of a translator's file: where it is (line), its context, its text (one per
    plural form), and whether it is still marked for review."""

    line: int
    context: str | None
    forms: tuple[str, ...]
    needs_review: bool


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int
    context: str | None
    message: str

    def __str__(self) -> str:
        where = f" {self.context}:" if self.context else ""
        return f"{self.line}:{where} {self.message}"


def check_import(
    expected: Sequence[TextEntry], imported: Sequence[ImportedText]
) -> list[ImportProblem]:
    """Every problem of an imported translation, located: unknown or repeated contexts,
    placeholders lost or added, labels too long for a button, plural forms where a text has
    one, required texts left empty, Sauti's own texts changed. Empty when it may be stored."""
    by_context = {entry.context: entry for entry in expected}
    seen: set[str] = set()
    problems: list[ImportProblem] = []
    for item in imported:
        problems += _problems(item, by_context.get(item.context or ""), seen)
        seen.add(item.context or "")
    return problems


def _problems(
    item: ImportedText, entry: TextEntry | None, seen: set[str]
) -> Iterator[ImportProblem]:
    def problem(message: str) -> ImportProblem:
        return ImportProblem(item.line, item.context, message)

    if entry is None:
        yield problem(
            "no text of this campaign has this context (msgctxt): keep the contexts as exported"
            if item.context
            else "the entry has no context (msgctxt): keep the contexts as exported"
        )
        return
    if item.context in seen:
        yield problem("this context appears twice")
    if len(item.forms) != 1:
        yield problem(f"this text has one form, not {len(item.forms)} plural forms")
        return
    text = item.forms[0]
    if not text.strip():
        if entry.required and not entry.is_system:
            yield problem("the translation is empty: every text of this campaign is required")
        return
    kept = placeholders(text)
    for name in sorted(entry.placeholders - kept):
        yield problem(f"the placeholder {{{name}}} is missing: keep it as it is")
    for name in sorted(kept - entry.placeholders):
        yield problem(f"the placeholder {{{name}}} is not in the source text: remove it")
    if entry.max_chars is not None and len(text) > entry.max_chars:
        yield problem(
            f"a button label of {len(text)} characters: at most {entry.max_chars} fit on a button"
        )
    if entry.is_system and text != entry.translation and not is_own_wording(entry.context):
        yield problem(
            "these texts of Sauti's are shared by every campaign and cannot be changed from "
            "here: keep the exported text and send the correction to the Sauti team"
        )


def is_own_wording(context: str) -> bool:
    """Whether a campaign may word this built-in text its own way (a `system:` text)."""
    return context.startswith(OWN_WORDING + ":")


def applied(document: dict[str, Any], language: str, imported: Mapping[str, str]) -> dict[str, Any]:
    """The survey document (as read from its YAML) with the imported texts set in `language`
    (context -> text); the language is added to the survey's when it is new. A `system:` text
    that differs from Sauti's own becomes the campaign's wording of it (`system_texts`); one
    put back as Sauti's drops that wording."""
    languages = document.setdefault("languages", [])
    if language not in languages:
        languages.append(language)
    for context, text in imported.items():
        if is_own_wording(context):
            _set_wording(document, context.partition(":")[2], language, text)
        else:
            _text_at(document, context)[language] = text
    return document


def _set_wording(document: dict[str, Any], key: str, language: str, text: str) -> None:
    if not isinstance(document.get("system_texts"), dict):
        document["system_texts"] = {}
    wordings: dict[str, Any] = document["system_texts"]
    if text != builtin_catalog().messages.get(key, {}).get(language):
        wordings.setdefault(key, {})[language] = text
    elif isinstance(wordings.get(key), dict):
        wordings[key].pop(language, None)
        if not wordings[key]:
            del wordings[key]
    if not wordings:
        del document["system_texts"]


def _text_at(document: dict[str, Any], context: str) -> dict[str, Any]:
    """The language mapping a context names in the document (contexts come from `entries`,
    so they name a text that exists)."""
    parts = context.split(".")
    if parts[0] != "questions":
        found: dict[str, Any] = document[parts[0]]
        return found
    question = next(q for q in document["questions"] if str(q.get("id")) == parts[1])
    if parts[2] in ("text", *_QUESTION_MESSAGES):
        text: dict[str, Any] = question[parts[2]]
        return text
    if parts[2] == "labels":
        label: dict[str, Any] = question["labels"][parts[3]]
        return label
    option = next(o for o in question["options"] if str(o.get("id")) == parts[3])
    option_text: dict[str, Any] = option["text"]
    return option_text
