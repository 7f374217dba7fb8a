"""Redis replies as Python values. The client does not decode (answers and sealed fields are
bytes), while its types say `bytes | str`: these name the conversion once."""

from __future__ import annotations


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()
