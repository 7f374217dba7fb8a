"""Fit a label into a character limit without cutting a word in half."""

from __future__ import annotations

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """`text` itself when it fits; else as many whole words as fit, then "…". A single word
    longer than the limit is cut (nothing else fits), still marked with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    head = text[: room + 1]
    cut = head.rfind(" ")
    kept = head[:cut] if cut > 0 else text[:room]
    return kept.rstrip(" ,;:.-–—·،") + ELLIPSIS


def flatten(text: str) -> str:
    """One line: template parameters may hold no newline, tab or run of spaces."""
    return " ".join(text.split())


def truncate(text: str, limit: int) -> str:
    """Like `shorten` for long text: keeps its line breaks, cuts at the last space that fits."""
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS) + 1]
    cut = max(head.rfind(" "), head.rfind("\n"))
    return (head[:cut] if cut > 0 else head[:-1]).rstrip() + ELLIPSIS
