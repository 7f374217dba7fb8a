"""Webhook bodies read as JSON: no value in them can fail the body, or what comes after."""

from __future__ import annotations

import json

import pytest

from bot.channels.json_body import MAX_DEPTH, UnreadableBodyError, load_json


def test_a_value_nested_too_deep_is_read_as_null_and_its_neighbours_as_they_are() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    body = f'{{"before": 1, "junk": {deep}, "after": "x"}}'.encode()
    data = load_json(body)
    assert (data["before"], data["after"]) == (1, "x")
    value = data["junk"]
    for _ in range(MAX_DEPTH - 1):  # the object holding it is the first level
        [value] = value
    assert value is None


def test_brackets_inside_strings_are_text_not_nesting() -> None:
    texts = ['[[[{{ \\" ]' * 20, '\\"[{'] * 5  # quotes escaped inside: the string goes on
    body = json.dumps({"texts": texts, "shallow": [[[1]]]}).encode()
    assert body.count(b"[") > MAX_DEPTH  # so it is checked for depth
    assert load_json(body) == {"texts": texts, "shallow": [[[1]]]}


def test_a_body_that_never_closes_its_nesting_is_unreadable() -> None:
    with pytest.raises(UnreadableBodyError, match="syntax"):
        load_json(b"[" * 1_000_000)


def test_integers_too_long_for_python_are_read_as_floats() -> None:
    assert load_json(b'{"id": ' + b"9" * 5000 + b', "n": 12}') == {"id": float("inf"), "n": 12}


def test_lone_surrogates_become_replacement_characters_and_pairs_stay_whole() -> None:
    data = load_json(b'{"\\ud800k": ["a\\udfffb", "\\ud83d\\ude00"]}')
    assert data == {"\ufffdk": ["a\ufffdb", "\N{GRINNING FACE}"]}
    for text in (*data, *data["\ufffdk"]):
        text.encode()  # what an HMAC or a sealed answer does next


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"t": "\xff"}', "encoding"),
        (b'{"t": "\xed\xa0\x80"}', "encoding"),  # a surrogate as raw bytes: not UTF-8
        (b"{not json", "syntax"),
        (b"", "syntax"),
    ],
)
def test_what_is_not_utf8_json_is_unreadable(body: bytes, reason: str) -> None:
    with pytest.raises(UnreadableBodyError, match=reason):
        load_json(body)
