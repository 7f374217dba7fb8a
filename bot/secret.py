"""A value that must never reach a log line, a traceback or a repr.

Tokens, app secrets and keys travel through settings and into adapters. Wrapping them means a
stray `print(settings)`, an f-string in a log call or a dataclass repr shows a mask instead;
reading the value takes an explicit, greppable `.reveal()` at the one place that needs it.
"""

from __future__ import annotations

import hmac
from typing import Generic, TypeVar

T = TypeVar("T", str, bytes)

MASK = "Secret('**********')"


class Secret(Generic[T]):
    """An immutable wrapper whose str and repr are a fixed mask (not even the length leaks)."""

    __slots__ = ("_value",)
    _value: T

    def __init__(self, value: T) -> None:
        object.__setattr__(self, "_value", value)

    def reveal(self) -> T:
        """The wrapped value. Call it where the value is used, never to log or store it."""
        return self._value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __eq__(self, other: object) -> bool:
        # Constant time, so comparing a presented token with a configured one leaks no prefix.
        if not isinstance(other, Secret):
            return NotImplemented
        mine, theirs = self._value, other._value
        if type(mine) is not type(theirs):
            return False
        return hmac.compare_digest(_as_bytes(mine), _as_bytes(theirs))

    def __hash__(self) -> int:
        return hash(self._value)

    def __copy__(self) -> Secret[T]:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Secret[T]:
        return self  # immutable, so `dataclasses.asdict` and `replace` may share it

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the value out where nobody looks for secrets (caches, queues).
        raise TypeError("a Secret cannot be pickled; pass the setting, not the value")


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value
