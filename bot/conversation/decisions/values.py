"""Redis replies as text: the client is built without decoding (bytes replies), but redis-py's
types also allow `str`; this names the conversion once for the loop modules."""

from __future__ import annotations

from typing import Any


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def optional_text(value: Any) -> str | None:
    """A reply that may be missing (nil)."""
    return None if value is None else text(value)
