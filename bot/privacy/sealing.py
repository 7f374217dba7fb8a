"""AES-256-GCM with a versioned header: the one construction both key wrapping and field
encryption use.

A sealed blob is `header || nonce (96 bits) || ciphertext+tag`. The header (format version and,
for wrapped keys, the master key id) is authenticated together with the caller's associated
data, so neither can be altered without the tag failing.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.privacy.errors import DecryptionError, KeyMaterialError

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


def seal(key: bytes, header: bytes, plaintext: bytes, associated: bytes) -> bytes:
    # Random nonces are safe here: each data key encrypts a handful of fields, many orders of
    # magnitude below the 2**32 messages per key where random 96-bit nonces start to risk reuse.
    cipher = _cipher(key, KeyMaterialError)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + cipher.encrypt(nonce, plaintext, header + associated)


def open_sealed(key: bytes, header: bytes, sealed: bytes, associated: bytes) -> bytes:
    """The plaintext, or `DecryptionError` for any reason whatsoever."""
    body = sealed[len(header) :]
    if not sealed.startswith(header) or len(body) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("not a ciphertext of this format")
    cipher = _cipher(key, DecryptionError)
    try:
        return cipher.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], header + associated)
    except InvalidTag:
        raise DecryptionError("wrong key, or the ciphertext was altered or moved") from None


def _cipher(key: bytes, error: type[Exception]) -> AESGCM:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise error(f"expected a {KEY_BYTES}-byte key")
    return AESGCM(key)
