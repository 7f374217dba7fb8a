"""`Secret`: the mask is all a repr, str, f-string or log line can ever show."""

from __future__ import annotations

import copy
import logging
import pickle

import pytest

from bot.secret import Secret

MASK = "Secret('**********')"


def test_repr_str_and_format_show_only_the_mask() -> None:
    secret = Secret("hunter2-token")
    assert repr(secret) == MASK
    assert str(secret) == MASK
    assert f"{secret}" == MASK
    assert repr([secret]) == f"[{MASK}]"


def test_the_mask_does_not_leak_the_length() -> None:
    assert repr(Secret("a")) == repr(Secret("a" * 500)) == repr(Secret(b"\x00" * 32))


def test_reveal_returns_the_value() -> None:
    assert Secret("token").reveal() == "token"
    assert Secret(b"\x01\x02").reveal() == b"\x01\x02"


def test_logging_a_secret_shows_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("token is %s / %r", Secret("s3cr3t"), Secret("s3cr3t"))
    assert "s3cr3t" not in caplog.text
    assert MASK in caplog.text


def test_equality_compares_values_of_the_same_kind() -> None:
    assert Secret("abc") == Secret("abc")
    assert Secret("abc") != Secret("abd")
    assert Secret("abc") != Secret(b"abc")
    assert Secret("émoji ✓") == Secret("émoji ✓")  # non-ASCII compares in constant time too
    assert hash(Secret("abc")) == hash(Secret("abc"))


def test_a_secret_is_immutable() -> None:
    secret = Secret("abc")
    with pytest.raises(AttributeError):
        secret._value = "other"


def test_pickling_is_refused_so_a_secret_does_not_end_up_in_a_cache_or_queue() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secret("abc"))


def test_copies_share_the_immutable_value() -> None:
    secret = Secret("abc")
    assert copy.copy(secret) is secret
    assert copy.deepcopy(secret) is secret
