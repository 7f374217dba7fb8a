"""Built-in system texts (buttons, hints, reasons for asking again) and words people type.

The catalogue is YAML shipped inside the package, so translators can work on it without
touching code: `system/messages.yaml` holds English and the first languages side by side, and
each language added since has a file of its own, `system/languages/<code>.yaml`. It is read once,
on first use, into one `Catalog`: texts, control words ("skip"), the words for am/pm, and the
chat-command keywords ("msaada" is help) that the shell recognises in what people type.

A text that counts something ("{count} answers") is written once per CLDR plural category of
each language (`{one: ..., other: ...}`; Arabic has six), and the `counts` section names the
placeholder it counts; `Catalog.message` picks the form for the number. Language names and
writing direction come from CLDR (`dialogues.languages`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import yaml

from dialogues.languages import Direction, direction, native_name, plural_category
from dialogues.normalize import fold

FALLBACK_LANGUAGE = "en"
Intent = Literal["skip", "back", "pause", "resume", "decline", "yes", "no"]
INTENTS: tuple[Intent, ...] = ("skip", "back", "pause", "resume", "decline", "yes", "no")
__all__ = ["Direction", "direction"]  # re-exported: the shell asks the catalogue module


@dataclass(frozen=True, slots=True, eq=False)  # identity equality: usable as a cache key
class Catalog:
    #: the languages the catalogue has texts in -> their names in their own script
    language_names: Mapping[str, str]
    #: key -> language -> text (for a counted text: its "other" form, what translators see)
    messages: Mapping[str, Mapping[str, str]]
    #: intent -> language -> folded words
    words: Mapping[str, Mapping[str, tuple[str, ...]]]
    #: "am" / "pm" -> folded words that put a time of day before or after noon ("2:30 pm")
    day_halves: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: chat command -> language -> folded keywords ("help" -> "sw" -> ("msaada", "menyu"))
    commands: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    #: counted text -> language -> CLDR plural category -> text
    plurals: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    #: counted text -> the placeholder holding its number ("grievance.received" -> "days")
    counts: Mapping[str, str] = field(default_factory=dict)
    #: the languages added in files of their own (`languages/<code>.yaml`), after the first ones
    added_languages: tuple[str, ...] = ()

    def message(self, key: str, language: str, /, **params: object) -> str:
        """A system text in `language` (English when the catalogue lacks that language); a
        counted text in the plural form its number takes in that language."""
        texts = self.messages[key]
        shown = language if texts.get(language) else FALLBACK_LANGUAGE
        template = texts[shown]
        forms = self.plurals.get(key, {}).get(shown)
        count = params.get(self.counts.get(key, ""))
        if forms and isinstance(count, int | float):
            template = forms.get(plural_category(shown, count)) or template
        return template.format(**params) if params else template

    def language_name(self, language: str) -> str:
        """A language's name in its own script, for any language CLDR knows."""
        return self.language_names.get(language) or native_name(language)

    def word(self, intent: Intent, language: str) -> str:
        """The first word for an intent in `language`, to quote in hints ('Send "skip"')."""
        words = self.words[intent].get(language) or self.words[intent][FALLBACK_LANGUAGE]
        return words[0]

    def intent_of(self, folded_text: str, languages: tuple[str, ...]) -> Intent | None:
        """Which control word the (already folded) text is, in any of `languages`."""
        for intent in INTENTS:
            by_language = self.words[intent]
            for language in (*languages, FALLBACK_LANGUAGE):
                if folded_text in by_language.get(language, ()):
                    return intent
        return None

    def command_word(self, command: str, language: str) -> str:
        """The first keyword of a chat command in `language`, to quote ('Send "msaada"')."""
        by_language = self.commands[command]
        return (by_language.get(language) or by_language[FALLBACK_LANGUAGE])[0]

    def command_of(self, folded_text: str) -> str | None:
        """The chat command whose keyword the (already folded) text is, in any language."""
        return _command_index(self).get(folded_text)

    def day_half(self, folded_text: str) -> str | None:
        """ "am" or "pm" when the (already folded) text marks one, in any language."""
        for half, words in self.day_halves.items():
            if folded_text in words:
                return half
        return None


def catalog_from_yaml(text: str) -> Catalog:
    return catalog_from_raw(yaml.safe_load(text))


def catalog_from_raw(raw: dict[str, Any]) -> Catalog:
    """A catalogue from its YAML, as `read_catalog` gives it (section -> name -> language)."""
    words = {
        intent: {lang: tuple(fold(str(w)) for w in items) for lang, items in by_lang.items()}
        for intent, by_lang in raw.get("words", {}).items()
    }
    # A time typed with "pm" means the same whatever language the participant reads.
    day_halves = {
        half: frozenset(fold(str(w)) for items in by_lang.values() for w in items)
        for half, by_lang in raw.get("clock", {}).items()
    }
    commands = {
        command: {lang: tuple(fold(str(w)) for w in items) for lang, items in by_lang.items()}
        for command, by_lang in raw.get("commands", {}).items()
    }
    # In the order the catalogue names them: English, its first languages, then added ones.
    languages = dict.fromkeys(lang for texts in raw["messages"].values() for lang in texts)
    return Catalog(
        language_names={lang: native_name(lang) for lang in languages},
        messages={
            key: {lang: _other_form(text) for lang, text in texts.items()}
            for key, texts in raw["messages"].items()
        },
        words=words,
        day_halves=day_halves,
        commands=commands,
        plurals={
            key: {lang: dict(text) for lang, text in texts.items() if isinstance(text, dict)}
            for key, texts in raw["messages"].items()
            if any(isinstance(text, dict) for text in texts.values())
        },
        counts=dict(raw.get("counts", {})),
        added_languages=tuple(raw.get("added_languages", ())),
    )


def _other_form(text: str | Mapping[str, str]) -> str:
    return text if isinstance(text, str) else text["other"]


def _merge_language(raw: dict[str, Any], language: str, added: dict[str, Any]) -> None:
    """Files one language's sections into the main file's shape: `section: {name: text}`
    becomes `section: {name: {language: text}}`, and `section: text` `section: {language: text}`."""
    raw.setdefault("added_languages", []).append(language)
    for section, content in added.items():
        if section == "translation_status":
            raw.setdefault(section, {})[language] = content
        elif isinstance(content, dict):
            for name, text in content.items():
                raw.setdefault(section, {}).setdefault(name, {})[language] = text
        else:
            raw.setdefault(section, {})[language] = content


@functools.cache
def _command_index(catalog: Catalog) -> Mapping[str, str]:
    """folded keyword -> chat command; the first command to claim a word keeps it."""
    index: dict[str, str] = {}
    for command, by_language in catalog.commands.items():
        for words in by_language.values():
            for word in words:
                index.setdefault(word, command)
    return index


@functools.cache
def builtin_catalog() -> Catalog:
    """The catalogue shipped with Sauti."""
    return catalog_from_raw(read_catalog("dialogues", "system"))


def read_catalog(package: str, folder: str, main_name: str = "messages.yaml") -> dict[str, Any]:
    """A catalogue's main YAML file with each `languages/<code>.yaml` beside it merged in: one
    file per language added, each text written once (`_merge_language`)."""
    base = resources.files(package).joinpath(folder) if folder else resources.files(package)
    raw: dict[str, Any] = yaml.safe_load(base.joinpath(main_name).read_text(encoding="utf-8"))
    added = base.joinpath("languages")
    if added.is_dir():
        for item in sorted(added.iterdir(), key=lambda entry: entry.name):
            if item.name.endswith(".yaml"):
                own = yaml.safe_load(item.read_text(encoding="utf-8")) or {}
                _merge_language(raw, item.name.removesuffix(".yaml"), own)
    return raw
