"""The crypto bundle: one object holds the server's keys, keeps them out of every repr, and
produces exactly what the separate keys produced before it (entries already in streams, ids
already in Redis and wrapped keys already stored must keep opening after an upgrade)."""

from __future__ import annotations

import hashlib
import hmac
import pickle

import pytest

from bot.privacy import (
    DecryptionError,
    ParticipantCrypto,
    decrypt_field,
    encrypt_field,
    participant_id,
    unwrap,
)
from bot.secret import Secret

MASTER = bytes(range(32))
ID_SECRET = bytes(range(32, 64))
CRYPTO = ParticipantCrypto(Secret(MASTER), Secret(ID_SECRET))


def test_no_key_reaches_a_repr_or_a_pickle() -> None:
    shown = repr(CRYPTO) + str(CRYPTO)
    for key in (MASTER, ID_SECRET):
        assert key.hex() not in shown
        assert repr(key) not in shown
    assert "Secret('**********')" in shown
    with pytest.raises(TypeError):
        pickle.dumps(CRYPTO)


def test_participant_ids_are_the_hmac_every_channel_always_used() -> None:
    assert CRYPTO.participant_id("telegram", "77") == participant_id(ID_SECRET, "telegram", "77")


def test_transit_sealing_opens_what_the_derived_transit_key_sealed_before() -> None:
    # The transit key was `HMAC(master key, "sauti/transit/v1")`: an entry sealed with it by an
    # older Sauti, still waiting in a stream, must open.
    transit = hmac.new(MASTER, b"sauti/transit/v1", hashlib.sha256).digest()
    sealed = encrypt_field(transit, "ndiyo", b"event-1")
    assert CRYPTO.open_in_transit(sealed, b"event-1") == "ndiyo"
    assert decrypt_field(transit, CRYPTO.seal_in_transit("hapana", b"k"), b"k") == "hapana"


def test_a_sealed_body_opens_only_under_its_binding_and_its_master_key() -> None:
    sealed = CRYPTO.seal_in_transit("ndiyo", b"event-1")
    with pytest.raises(DecryptionError):
        CRYPTO.open_in_transit(sealed, b"event-2")
    other = ParticipantCrypto(Secret(bytes(32)), Secret(ID_SECRET))
    with pytest.raises(DecryptionError):
        other.open_in_transit(sealed, b"event-1")


def test_data_keys_are_wrapped_by_the_master_key() -> None:
    key, wrapped = CRYPTO.new_data_key()
    assert CRYPTO.unwrap_data_key(wrapped) == key
    assert unwrap(MASTER, wrapped) == key
    with pytest.raises(DecryptionError):
        ParticipantCrypto(Secret(bytes(32)), Secret(ID_SECRET)).unwrap_data_key(wrapped)


def test_keyed_digests_use_the_id_secret_and_not_the_master_key() -> None:
    expected = hmac.new(ID_SECRET, b"label:value", hashlib.sha256).digest()
    assert CRYPTO.keyed_digest(b"label:value") == expected
    assert CRYPTO.keyed_digest(b"label:value") != CRYPTO.keyed_digest(b"label:other")
