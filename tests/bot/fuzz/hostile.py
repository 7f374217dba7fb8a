"""Hostile input, as corpora and Hypothesis strategies: what a broken client, a fuzzer or an
attacker holding a webhook secret may send.

Payloads are built from a well-formed template in which any value can be swapped for raw
JSON text (`Raw`), since json.dumps cannot write what matters most: nesting deeper than Python
recurses, `1e400`, integers of 5000 digits, lone surrogates. Drawing is deterministic
(`drawn`): the same examples on every run, so a failure can be replayed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

T = TypeVar("T")

DEEP = 5_000  # far past Python's recursion limit (1000)


@dataclass(frozen=True)
class Raw:
    """JSON text put into a payload as it is."""

    text: str


# Values that are valid JSON for Python's reader (NaN and Infinity included), each of which has
# broken some JSON reader somewhere; swapped in at every place of a template.
FRAGMENTS: dict[str, str] = {
    "deep-array": "[" * DEEP + "]" * DEEP,
    "deep-object": '{"a":' * DEEP + "1" + "}" * DEEP,
    "lone-high-surrogate": '"\\ud800"',
    "lone-low-surrogate": '"x\\udfffy"',
    "surrogate-pair-reversed": '"\\ude00\\ud83d"',
    "huge-float": "1e400",
    "huge-negative-float": "-1e400",
    "tiny-float": "1e-400",
    "nan": "NaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "5000-digits": "9" * 5000,
    "minus-5000-digits": "-" + "9" * 5000,
    "5000-digit-string": '"' + "9" * 5000 + '"',
    "superscript-two": '"²"',
    "negative": "-1",
    "zero": "0",
    "fraction": "1.5",
    "true": "true",
    "null": "null",
    "empty-string": '""',
    "empty-array": "[]",
    "empty-object": "{}",
    "huge-string": json.dumps("x" * 20_000),
    "nul-and-controls": '"\\u0000\\u0007\\n\\r\\t\\u202e"',
    "markup": json.dumps("<script>alert(1)</script>&amp;\"'"),
    "array-of-nulls": "[null, null, null]",
    "object-with-junk": '{"id": [], "from": {}, "type": 1}',
}

# Whole bodies that are not UTF-8 JSON at all.
BROKEN_BODIES: dict[str, bytes] = {
    "empty": b"",
    "truncated": b'{"entry": [{"changes": [',
    "not-json": b"{not json",
    "invalid-utf8": b'{"a": "\xff\xfe"}',
    "raw-surrogate-bytes": b'{"a": "\xed\xa0\x80"}',
    "utf16": '{"a": 1}'.encode("utf-16"),
    "bom": b'\xef\xbb\xbf{"a": 1}',
    "never-closed": b"[" * DEEP,
    "closed-too-often": b"{}" + b"]" * 1000,
    "nul-bytes": b"\x00" * 64,
    "binary": bytes(range(256)) * 4,
}

# One fragment of each kind, for the places where every fragment would be more of the same.
SAMPLE = (
    "deep-array",
    "lone-high-surrogate",
    "huge-float",
    "nan",
    "5000-digits",
    "empty-array",
    "empty-object",
    "null",
    "superscript-two",
    "negative",
)

# JSON that parses, but is no object: not a webhook body.
NOT_OBJECTS: dict[str, bytes] = {
    "array": b"[]",
    "string": b'"entry"',
    "number": b"1e400",
    "null": b"null",
    "deep-array": b"[" * DEEP + b"]" * DEEP,
}

CONTENT_TYPES = (
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",  # and no boundary
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
    "application/json; charset=no-such-charset",
    "",
)

# Query-string and form values, already percent-encoded: what a hand-made link carries.
QUERY_VALUES: dict[str, str] = {
    "superscript-two": quote("²"),
    "arabic-digit": quote("٣"),
    "5000-digits": "9" * 5000,
    "negative": "-1",
    "float": "1e400",
    "empty": "",
    "space": "%20",
    "plus": "+",
    "encoded-surrogate": "%ED%A0%80",
    "invalid-utf8": "%FF%FE",
    "overlong-utf8": "%C0%AF",
    "nul": "%00",
    "lone-percent": "%",
    "bad-percent": "%zz",
    "markup": quote('"><script>alert(1)</script>'),
    "newline": "%0D%0ALocation:%20x",
    "long": "x" * 3000,
}


def render(value: Any) -> str:
    """JSON text of `value`, with each Raw put in as it is."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(render(item) for item in value) + "]"
    return json.dumps(value)


def places(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every value in a template, the template itself first."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from places(item, (*path, index))


def swapped(value: Any, path: tuple[str | int, ...], new: Any) -> Any:
    """A copy of `value` with what is at `path` replaced by `new`."""
    if not path:
        return new
    head, *rest = path
    if isinstance(value, dict):
        return {k: swapped(v, tuple(rest), new) if k == head else v for k, v in value.items()}
    return [swapped(v, tuple(rest), new) if i == head else v for i, v in enumerate(value)]


def text_of_any_kind() -> st.SearchStrategy[str]:
    """Strings with anything in them: lone surrogates, controls, any script, none at all."""
    character = st.one_of(st.characters(), st.characters(categories=["Cs"]))
    return st.one_of(st.text(character, max_size=40), st.just("x" * 5_000))


def json_of_any_shape() -> st.SearchStrategy[Any]:
    """Any JSON-like value, hostile leaves included (Raw fragments among them)."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**30),
        st.floats(),  # NaN and the infinities too
        text_of_any_kind(),
        st.sampled_from([Raw(fragment) for fragment in FRAGMENTS.values()]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.text(max_size=10), text_of_any_kind()), inner, max_size=4),
        ),
        max_leaves=10,
    )


def swaps(template: Any) -> st.SearchStrategy[Any]:
    """`template` with a value anywhere in it swapped for a value of any shape."""
    paths = list(places(template))
    return st.builds(
        lambda path, new: swapped(template, path, new),
        st.sampled_from(paths),
        json_of_any_shape(),
    )


def percent_encoded() -> st.SearchStrategy[str]:
    """A query or form value as it travels: text of any kind (surrogates as UTF-8 would have
    them), or raw bytes, percent-encoded."""
    as_text = text_of_any_kind().map(
        lambda text: quote(text.encode("utf-8", "surrogatepass"), safe="")
    )
    as_bytes = st.binary(max_size=30).map(lambda raw: quote(raw, safe=""))
    return st.one_of(as_text, as_bytes, st.sampled_from(list(QUERY_VALUES.values())))


def drawn(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """`count` examples of `strategy`, the same ones on every run (derandomized)."""
    found: list[T] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def collect(example: T) -> None:
        found.append(example)

    collect()
    return found
