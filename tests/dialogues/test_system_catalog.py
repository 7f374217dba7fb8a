"""The built-in catalogue keeps the rules its header gives editors: every text in every built-in
language with the English placeholders, buttons that fit WhatsApp, no word meaning two things."""

from __future__ import annotations

import string
from importlib import resources
from typing import Any

import pytest
import yaml

from dialogues.localization import builtin_catalog
from dialogues.normalize import fold

LANGUAGES = tuple(builtin_catalog().language_names)  # every shipped language
BUTTON_CHARS = 20  # WhatsApp cuts reply buttons at 20 characters


def _raw() -> dict[str, Any]:
    source = resources.files("dialogues").joinpath("system", "messages.yaml")
    loaded: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    return loaded


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(builtin_catalog().messages))
def test_every_text_in_every_language_with_the_english_placeholders(key: str) -> None:
    texts = builtin_catalog().messages[key]
    assert sorted(texts) == sorted(LANGUAGES)
    if key in builtin_catalog().plurals:
        return  # a counted text's forms: tests/bot/test_shipped_languages.py
    english = _placeholders(texts["en"])
    for language in LANGUAGES:
        assert _placeholders(texts[language]) == english, language


def test_buttons_and_menu_items_fit_a_whatsapp_button() -> None:
    too_long = [
        (key, language, text)
        for key, texts in builtin_catalog().messages.items()
        if key.startswith(("button.", "menu."))
        for language, text in texts.items()
        if len(text) > BUTTON_CHARS
    ]
    assert too_long == []


def test_no_typed_word_means_two_commands_or_a_command_and_a_time() -> None:
    raw = _raw()
    meaning: dict[str, str] = {}
    clashes = []
    sections = [("command", raw["commands"]), ("clock", raw["clock"])]
    for section, entries in sections:
        for name, by_language in entries.items():
            for words in by_language.values():
                for word in words:
                    folded = fold(str(word))
                    known = meaning.setdefault(folded, f"{section}:{name}")
                    if known != f"{section}:{name}":
                        clashes.append((folded, known, name))
    assert clashes == []
