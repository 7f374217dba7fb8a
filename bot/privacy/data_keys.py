"""Per-participant data keys, wrapped by the master key (envelope encryption).

Each participant's fields are encrypted under their own random key; only that key's wrapped
form is stored. Destroying the wrapped key erases the person: every field, in Redis and in
every backup, becomes noise, without finding and rewriting each one.

Wrapped key layout: version (1 byte) || master key id (1 byte) || nonce || ciphertext+tag.
The key id says which master key wrapped it, so the master key can be rotated later by
re-wrapping keys in the background while both keys are configured.
"""

from __future__ import annotations

import os

from bot.privacy import sealing
from bot.privacy.errors import DecryptionError, KeyMaterialError

WRAP_VERSION = 1
_HEADER_BYTES = 2
_PURPOSE = b"sauti/data-key"  # domain separation: a wrapped key never opens as a field


def new_data_key(master: bytes, *, master_key_id: int = 0) -> tuple[bytes, bytes]:
    """A fresh random 256-bit data key: (plaintext key, wrapped key to store)."""
    key = os.urandom(sealing.KEY_BYTES)
    return key, wrap(master, key, master_key_id=master_key_id)


def wrap(master: bytes, data_key: bytes, *, master_key_id: int = 0) -> bytes:
    """`data_key` sealed under `master`; used by new keys and, later, by rotation."""
    if len(data_key) != sealing.KEY_BYTES:
        raise KeyMaterialError(f"a data key is {sealing.KEY_BYTES} bytes")
    return sealing.seal(master, _header(master_key_id), data_key, _PURPOSE)


def unwrap(master: bytes, wrapped: bytes, *, master_key_id: int = 0) -> bytes:
    """The data key inside `wrapped`; `DecryptionError` for a wrong master key or bad bytes."""
    if wrapped[:1] == bytes([WRAP_VERSION]) and wrapped[1:2] != bytes([master_key_id]):
        raise DecryptionError(
            f"wrapped under master key id {wrapped_key_id(wrapped)}, not {master_key_id}"
        )
    return sealing.open_sealed(master, _header(master_key_id), wrapped, _PURPOSE)


def wrapped_key_id(wrapped: bytes) -> int:
    """Which master key wrapped this key: what a rotation job reads to pick the key."""
    if len(wrapped) < _HEADER_BYTES or wrapped[0] != WRAP_VERSION:
        raise DecryptionError("not a wrapped data key")
    return wrapped[1]


def _header(master_key_id: int) -> bytes:
    if not 0 <= master_key_id <= 255:
        raise KeyMaterialError("a master key id is 0 to 255")
    return bytes([WRAP_VERSION, master_key_id])
