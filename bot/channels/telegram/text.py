"""Plain text that fits Telegram: lengths as Telegram counts them, and safe splitting.

Telegram measures message text in UTF-16 code units (an emoji is two), so a 4096-character
limit counted in Python characters could still be refused."""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """The largest n such that text[:n] is at most `limit` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` UTF-16 units, cut at a paragraph, line or word break where
    one is near, and never inside a character or before a combining mark (Arabic vowel
    signs stay on their letter)."""
    pieces: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        cut = _fitting_prefix(rest, limit)
        for breaker in ("\n\n", "\n", " "):
            at = rest.rfind(breaker, 0, cut)
            if at > cut // 2:
                cut = at
                break
        else:
            while cut > 1 and unicodedata.combining(rest[cut]):
                cut -= 1
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 units, with an ellipsis when something was cut."""
    if utf16_len(text) <= limit:
        return text
    cut = _fitting_prefix(text, max(0, limit - 1))
    while cut > 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS
