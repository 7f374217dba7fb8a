"""Webhook bodies from outside, read as JSON so that no single value in them can fail the
whole body, or anything downstream of the channel.

Python's json module trips on three things a hostile (or broken) sender can put anywhere in a
body, each of which would cost every message beside it:

- deep nesting raises RecursionError (not ValueError). Nothing Telegram or Meta send nests
  deeper than about a dozen levels, so any value deeper than `MAX_DEPTH` is read as null: the
  item holding it is then malformed on its own, and its neighbours are read as usual;
- an integer of more than 4300 digits raises ValueError (and str() of one does too): integers
  longer than `MAX_INT_DIGITS` are read as floats, as JavaScript reads them (1e400 is inf);
- a lone surrogate (`"\\ud800"`) is valid JSON but not valid Unicode: the first `.encode()`
  downstream (an HMAC of an id, a sealed answer) would raise. Each is read as U+FFFD.

What is left to reject is a body that is not UTF-8 JSON at all: `UnreadableBodyError`.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32  # arrays and objects within one another; the platforms use about 12
MAX_INT_DIGITS = 100  # ids and timestamps are 20 digits at most

# A JSON string (escapes included) or a bracket: enough to follow nesting without parsing.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
# A \u escape of a surrogate; only through one can a lone surrogate reach a decoded body.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnreadableBodyError(ValueError):
    """The body is not UTF-8 JSON; `reason` says which part failed (never the content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def load_json(body: bytes) -> Any:
    """The decoded body; raises UnreadableBodyError ("encoding" or "syntax")."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        # Checked here rather than by json.loads: it lets raw surrogate bytes through.
        raise UnreadableBodyError("encoding") from None
    if text.count("[") + text.count("{") > MAX_DEPTH:  # cheap: most bodies cannot be too deep
        text = _pruned(text)
    try:
        data = json.loads(text, parse_int=_integer)
    except ValueError:
        raise UnreadableBodyError("syntax") from None
    return _without_lone_surrogates(data) if _SURROGATE_ESCAPE.search(text) else data


def _pruned(text: str) -> str:
    """`text` with every array or object nested deeper than MAX_DEPTH replaced by null."""
    kept: list[str] = []
    depth = 0
    resume_at = 0  # where the text after the last pruned value starts
    for token in _TOKENS.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth == MAX_DEPTH + 1:
                kept.append(text[resume_at : token.start()])
        elif bracket in ("]", "}"):
            if depth == MAX_DEPTH + 1:
                kept.append("null")
                resume_at = token.end()
            depth -= 1
    if depth > MAX_DEPTH:  # never closed: not JSON, and too deep to let json.loads find out
        raise UnreadableBodyError("syntax")
    kept.append(text[resume_at:])
    return "".join(kept)


def _integer(digits: str) -> int | float:
    return int(digits) if len(digits) <= MAX_INT_DIGITS else float(digits)


def _without_lone_surrogates(value: Any) -> Any:
    """Recursion is safe here: the value is at most MAX_DEPTH deep."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            _without_lone_surrogates(key): _without_lone_surrogates(item)
            for key, item in value.items()
        }
    return value
