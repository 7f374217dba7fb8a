"""Answers as the answers hash keeps them: read back as written, in this format and the one
before, and never a field Redis's default limits would refuse to keep compact."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.stored_answers import encode_answer, read_answers

TIMES = st.integers(min_value=1_700_000_000, max_value=2_000_000_000)
OPTION_IDS = st.from_regex(r"[a-z0-9_-]{1,8}", fullmatch=True)
VALUES = st.one_of(
    OPTION_IDS,
    st.integers(min_value=-1000, max_value=1000),
    st.tuples(OPTION_IDS, OPTION_IDS),
)


def _stored(fields: dict[str, bytes]) -> dict[bytes, bytes]:
    return {name.encode(): value for name, value in fields.items()}


@given(TIMES, VALUES)
def test_an_answer_reads_back_as_written(at: int, value: str | int | tuple[str, ...]) -> None:
    [answer] = read_answers(_stored(encode_answer("q1", "answered", at, value=value))).values()
    assert (answer.outcome, answer.value, answer.at, answer.free_text) == (
        "answered",
        value,
        at,
        False,
    )


@given(TIMES, st.binary(min_size=29, max_size=16_100))
def test_a_sealed_text_of_any_length_reads_back_in_fields_of_at_most_64_bytes(
    at: int, sealed: bytes
) -> None:
    fields = encode_answer("unsafe_what", "answered", at, sealed=sealed)
    assert all(len(name) <= 64 and len(value) <= 64 for name, value in fields.items())
    [answer] = read_answers(_stored(fields)).values()
    assert (answer.free_text, answer.sealed, answer.at) == (True, sealed, at)


def test_answers_written_before_read_the_same_as_now() -> None:
    before = {
        b"uses": json.dumps({"o": "answered", "t": 1_796_618_656, "v": ["calls", "money"]}),
        b"change": json.dumps({"o": "skipped", "t": 1_796_618_657}),
        b"unsafe_what": json.dumps({"o": "answered", "t": 1_796_618_658, "x": "AQID"}),
    }
    now = {
        **encode_answer("uses", "answered", 1_796_618_656, value=("calls", "money")),
        **encode_answer("change", "skipped", 1_796_618_657),
        **encode_answer("unsafe_what", "answered", 1_796_618_658, sealed=b"\x01\x02\x03"),
    }
    assert read_answers({k: v.encode() for k, v in before.items()}) == read_answers(_stored(now))
