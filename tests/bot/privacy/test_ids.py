"""Participant ids: stable pseudonyms that cannot be reversed without the server secret."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.privacy import KeyMaterialError, participant_id

SECRET = b"s" * 32
OTHER_SECRET = b"o" * 32


def test_the_same_person_on_the_same_channel_always_gets_the_same_id() -> None:
    assert participant_id(SECRET, "telegram", "123456789") == participant_id(
        SECRET, "telegram", "123456789"
    )


def test_ids_differ_across_channels_secrets_and_people() -> None:
    ids = {
        participant_id(SECRET, "telegram", "123456789"),
        participant_id(SECRET, "whatsapp", "123456789"),
        participant_id(SECRET, "telegram", "123456780"),
        participant_id(OTHER_SECRET, "telegram", "123456789"),
    }
    assert len(ids) == 4


@given(st.text(max_size=40))
def test_an_id_is_32_characters_of_base32_and_does_not_contain_the_platform_id(
    user: str,
) -> None:
    pid = participant_id(SECRET, "whatsapp", user)
    assert re.fullmatch(r"[a-z2-7]{32}", pid)  # 160 bits, safe in keys and URLs
    if len(user) >= 4:
        assert user not in pid


def test_a_channel_name_cannot_contain_the_separator() -> None:
    # Otherwise ("a:b", "c") and ("a", "b:c") would hash the same text.
    with pytest.raises(ValueError, match="channel"):
        participant_id(SECRET, "web:chat", "1")
    assert participant_id(SECRET, "webchat", "b:c") != participant_id(SECRET, "webchat", "bc")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(KeyMaterialError):
        participant_id(b"short", "telegram", "1")
