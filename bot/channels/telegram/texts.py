"""Telegram-only texts (texts.yaml beside this file, and `languages/<code>.yaml` for each
language added since): command descriptions for the menu, per language, and the one line a
group chat gets. Kept here rather than in the survey engine's
catalogue because no other channel shows them."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from dialogues.localization import read_catalog

FALLBACK = "en"


@dataclass(frozen=True)
class TelegramTexts:
    commands: dict[str, dict[str, str]]  # command → language → description
    group_only: dict[str, str]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.group_only)

    def command_menu(self, language: str) -> list[tuple[str, str]]:
        """(command, description) in menu order, in `language` (English where missing)."""
        return [
            (name, texts.get(language) or texts[FALLBACK]) for name, texts in self.commands.items()
        ]

    def group_line(self, language: str | None) -> str:
        return self.group_only.get(language or FALLBACK) or self.group_only[FALLBACK]


@functools.cache
def telegram_texts() -> TelegramTexts:
    raw = read_catalog("bot.channels.telegram", "", "texts.yaml")
    return TelegramTexts(
        commands={
            str(name): {str(lang): str(text) for lang, text in by_lang.items()}
            for name, by_lang in raw["commands"].items()
        },
        group_only={str(lang): str(text) for lang, text in raw["group_only"].items()},
    )
