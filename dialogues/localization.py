"""Built-in system texts (buttons, hints, reasons for asking again) and words people type.

The catalogue is YAML shipped inside the package (`system/messages.yaml`), so translators can
work on it without touching code. It is read once, on first use, into one `Catalog`: texts,
language names, control words ("skip"), the words for am/pm, and the chat-command keywords
("msaada" is help) that the shell recognises in what people type.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import yaml

from dialogues.normalize import fold

FALLBACK_LANGUAGE = "en"
_RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"}
)

Direction = Literal["ltr", "rtl"]
Intent = Literal["skip", "back", "pause", "resume", "decline", "yes", "no"]
INTENTS: tuple[Intent, ...] = ("skip", "back", "pause", "resume", "decline", "yes", "no")


def direction(language: str) -> Direction:
    """Writing direction of a language code ('ar' -> 'rtl'); region suffixes are ignored."""
    return "rtl" if language.split("-", maxsplit=1)[0].lower() in _RTL_LANGUAGES else "ltr"


@dataclass(frozen=True, slots=True, eq=False)  # identity equality: usable as a cache key
class Catalog:
    language_names: Mapping[str, str]
    messages: Mapping[str, Mapping[str, str]]
    #: intent -> language -> folded words
    words: Mapping[str, Mapping[str, tuple[str, ...]]]
    #: "am" / "pm" -> folded words that put a time of day before or after noon ("2:30 pm")
    day_halves: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: chat command -> language -> folded keywords ("help" -> "sw" -> ("msaada", "menyu"))
    commands: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def message(self, key: str, language: str, /, **params: object) -> str:
        """A system text in `language` (English when the catalogue lacks that language)."""
        texts = self.messages[key]
        template = texts.get(language) or texts[FALLBACK_LANGUAGE]
        return template.format(**params) if params else template

    def language_name(self, language: str) -> str:
        return self.language_names.get(language, language)

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
    raw: dict[str, Any] = yaml.safe_load(text)
    words = {
        intent: {lang: tuple(fold(str(w)) for w in items) for lang, items in by_lang.items()}
        for intent, by_lang in raw["words"].items()
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
    return Catalog(
        language_names=dict(raw["languages"]),
        messages={key: dict(texts) for key, texts in raw["messages"].items()},
        words=words,
        day_halves=day_halves,
        commands=commands,
    )


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
    source = resources.files("dialogues").joinpath("system", "messages.yaml")
    return catalog_from_yaml(source.read_text(encoding="utf-8"))
