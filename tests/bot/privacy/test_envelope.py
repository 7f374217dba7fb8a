"""Envelope encryption: data keys wrapped by the master key, fields bound to their purpose.

Erasure of a participant is "destroy their wrapped data key"; these tests pin down that this
really leaves nothing readable, and that no ciphertext can be opened anywhere but its place.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.privacy import (
    DecryptionError,
    KeyMaterialError,
    ParticipantId,
    decrypt_field,
    encrypt_field,
    field_aad,
    new_data_key,
    unwrap,
    wrap,
    wrapped_key_id,
)

MASTER = bytes(range(32))
AMINA = ParticipantId("a" * 32)
JUMA = ParticipantId("b" * 32)


@given(plaintext=st.text(), associated=st.binary())
def test_a_field_decrypts_to_what_was_encrypted(plaintext: str, associated: bytes) -> None:
    key, wrapped = new_data_key(MASTER)
    ciphertext = encrypt_field(key, plaintext, associated)
    assert decrypt_field(unwrap(MASTER, wrapped), ciphertext, associated) == plaintext


def test_a_wrapped_key_is_versioned_and_names_its_master_key() -> None:
    key, wrapped = new_data_key(MASTER, master_key_id=7)
    assert len(key) == 32
    assert wrapped[0] == 1
    assert wrapped_key_id(wrapped) == 7
    assert unwrap(MASTER, wrapped, master_key_id=7) == key
    with pytest.raises(DecryptionError, match="master key id 7"):
        unwrap(MASTER, wrapped, master_key_id=0)


def test_a_wrong_master_key_cannot_unwrap() -> None:
    _, wrapped = new_data_key(MASTER)
    with pytest.raises(DecryptionError):
        unwrap(os.urandom(32), wrapped)


def test_rewrapping_under_a_new_master_key_keeps_the_data_key() -> None:
    # What master key rotation will do: unwrap with the old key, wrap with the new one.
    key, wrapped = new_data_key(MASTER, master_key_id=0)
    new_master = os.urandom(32)
    rewrapped = wrap(new_master, unwrap(MASTER, wrapped), master_key_id=1)
    assert unwrap(new_master, rewrapped, master_key_id=1) == key


def test_a_destroyed_data_key_leaves_every_field_unreadable() -> None:
    key, wrapped = new_data_key(MASTER)
    fields = {
        name: encrypt_field(key, text, field_aad(AMINA, name))
        for name, text in [("phone", "+254712345678"), ("answer:q1", "the well is dry")]
    }
    # Erasure deletes (or overwrites) the wrapped key; the master key is still there.
    for destroyed in (b"", bytes(len(wrapped)), os.urandom(len(wrapped))):
        with pytest.raises(DecryptionError):
            unwrap(MASTER, destroyed)
    # No other key opens the fields: not a new key for the same person, not the master key.
    replacement, _ = new_data_key(MASTER)
    for candidate in (replacement, MASTER, bytes(32)):
        for name, ciphertext in fields.items():
            with pytest.raises(DecryptionError):
                decrypt_field(candidate, ciphertext, field_aad(AMINA, name))


def test_a_ciphertext_moved_to_another_participant_does_not_decrypt() -> None:
    key, _ = new_data_key(MASTER)
    ciphertext = encrypt_field(key, "my village", field_aad(AMINA, "answer:q2"))
    with pytest.raises(DecryptionError):
        decrypt_field(key, ciphertext, field_aad(JUMA, "answer:q2"))


def test_a_ciphertext_moved_to_another_field_does_not_decrypt() -> None:
    key, _ = new_data_key(MASTER)
    ciphertext = encrypt_field(key, "yes", field_aad(AMINA, "answer:q2"))
    with pytest.raises(DecryptionError):
        decrypt_field(key, ciphertext, field_aad(AMINA, "answer:q3"))


def test_any_altered_byte_is_detected() -> None:
    key, _ = new_data_key(MASTER)
    aad = field_aad(AMINA, "phone")
    ciphertext = encrypt_field(key, "+254712345678", aad)
    for position in range(len(ciphertext)):  # version, nonce, ciphertext and tag alike
        altered = bytearray(ciphertext)
        altered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt_field(key, bytes(altered), aad)
    for cut in (ciphertext[:-1], ciphertext[:13], b""):
        with pytest.raises(DecryptionError):
            decrypt_field(key, cut, aad)


def test_any_altered_byte_of_a_wrapped_key_is_detected() -> None:
    _, wrapped = new_data_key(MASTER)
    for position in range(len(wrapped)):
        altered = bytearray(wrapped)
        altered[position] ^= 0x80
        with pytest.raises(DecryptionError):
            unwrap(MASTER, bytes(altered))


def test_the_same_plaintext_encrypts_differently_every_time() -> None:
    key, _ = new_data_key(MASTER)
    aad = field_aad(AMINA, "answer:q1")
    first, second = (encrypt_field(key, "yes", aad) for _ in range(2))
    assert first[0] == second[0] == 1  # format version
    assert first[1:13] != second[1:13]  # random 96-bit nonces
    assert first != second


def test_data_keys_are_random() -> None:
    assert new_data_key(MASTER)[0] != new_data_key(MASTER)[0]


def test_a_wrapped_key_is_not_a_field_ciphertext() -> None:
    # Domain separation: even under the same key, one construction never opens the other's.
    key, _ = new_data_key(MASTER)
    wrapped = wrap(key, os.urandom(32))
    with pytest.raises(DecryptionError):
        decrypt_field(key, wrapped, b"")


def test_keys_of_the_wrong_size_are_refused() -> None:
    with pytest.raises(KeyMaterialError):
        encrypt_field(b"short", "x", b"")
    with pytest.raises(KeyMaterialError):
        new_data_key(b"short")
    with pytest.raises(DecryptionError):  # on the way back, any failure is a DecryptionError
        decrypt_field(b"short", encrypt_field(bytes(32), "x", b""), b"")
