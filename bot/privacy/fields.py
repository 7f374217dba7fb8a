"""Encrypting one stored field (a phone number, a free-text answer) under a data key.

Layout: version (1 byte) || nonce (96 bits, random) || ciphertext+tag. The associated data
names what the ciphertext is *for*, typically `field_aad(participant, "answer:q3")`: a
ciphertext copied onto another participant or into another field fails to decrypt instead of
silently showing someone else's words.
"""

from __future__ import annotations

from bot.privacy import sealing
from bot.privacy.errors import DecryptionError
from bot.privacy.ids import ParticipantId

FIELD_VERSION = 1
_HEADER = bytes([FIELD_VERSION])
_PURPOSE = b"sauti/field\x00"


def field_aad(participant: ParticipantId, field: str) -> bytes:
    """Associated data binding a ciphertext to one participant's one field.

    Unambiguous because participant ids are a fixed 32 characters of base32 (no "/").
    """
    return f"{participant}/{field}".encode()


def encrypt_field(key: bytes, plaintext: str, associated: bytes) -> bytes:
    """`plaintext` sealed under the participant's data key, bound to `associated`."""
    return sealing.seal(key, _HEADER, plaintext.encode(), _PURPOSE + associated)


def decrypt_field(key: bytes, ciphertext: bytes, associated: bytes) -> str:
    """The plaintext; `DecryptionError` for a wrong key, tampering or other associated data."""
    plaintext = sealing.open_sealed(key, _HEADER, ciphertext, _PURPOSE + associated)
    try:
        return plaintext.decode()
    except UnicodeDecodeError:  # authentic yet not text: not written by encrypt_field
        raise DecryptionError("not an encrypted text field") from None
