"""The server's two secrets and everything Sauti does with them, held in one object.

- The **id secret** keys an HMAC: participant ids, and the other stable pseudonyms that must not
  be traceable to a person without the secret (a WhatsApp message id, a client address).
- The **master key** wraps every participant's data key (envelope encryption), and a key
  derived from it seals what travels through the streams (inbound events, outgoing messages),
  so ingest and the outbox need no per-participant key.

Parts of Sauti receive this one object (a parameter named `crypto`) instead of the raw keys:
the bytes stay inside `Secret`s, so neither reaches a log line, a traceback or a repr.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from bot.privacy.data_keys import new_data_key, unwrap, wrap, wrapped_key_id
from bot.privacy.errors import DecryptionError, KeyMaterialError
from bot.privacy.fields import decrypt_field, encrypt_field
from bot.privacy.ids import ParticipantId, participant_id
from bot.secret import Secret

_TRANSIT_LABEL = b"sauti/transit/v1"


@dataclass(frozen=True)
class ParticipantCrypto:
    master_key: Secret[bytes]
    """Wraps every new participant's data key; the transit key is derived from it."""
    id_secret: Secret[bytes]
    """Keys the HMAC behind `participant_id`."""
    master_key_id: int = 0
    """The current master key's id, written into every data key it wraps."""
    older_master_keys: tuple[tuple[int, Secret[bytes]], ...] = ()
    """Master keys rotated out but not yet retired: they still open what they wrapped or
    sealed, until everything is wrapped and sealed again under the current one."""
    _transits: tuple[Secret[bytes], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = [self.master_key_id, *(key_id for key_id, _ in self.older_master_keys)]
        if len(set(ids)) != len(ids):
            raise KeyMaterialError("two master keys with the same id")
        # Derived, so it rotates with the master key; worked out once, not per message. The
        # current one seals; older ones still open what was sealed before a rotation.
        masters = [self.master_key, *(key for _, key in self.older_master_keys)]
        transits = tuple(Secret(_transit_key(master.reveal())) for master in masters)
        object.__setattr__(self, "_transits", transits)

    @property
    def master_key_ids(self) -> tuple[int, ...]:
        """Every master key id held: the current one first."""
        return (self.master_key_id, *(key_id for key_id, _ in self.older_master_keys))

    # -- pseudonyms (the id secret) ---------------------------------------------------------

    def participant_id(self, channel: str, platform_user_id: str) -> ParticipantId:
        """The participant id of a platform identity (bot.privacy.ids.participant_id)."""
        return participant_id(self.id_secret.reveal(), channel, platform_user_id)

    def keyed_digest(self, message: bytes) -> bytes:
        """HMAC-SHA256 of `message` under the id secret: a stable stand-in for something that
        identifies a person, which cannot be turned back without the secret. Callers prefix
        `message` with a label of their own, so no two uses can produce the same digest."""
        return hmac.new(self.id_secret.reveal(), message, hashlib.sha256).digest()

    # -- data keys (the master key) ---------------------------------------------------------

    def new_data_key(self) -> tuple[bytes, bytes]:
        """A fresh data key for a new participant: (plaintext key, wrapped key to store)."""
        return new_data_key(self.master_key.reveal(), master_key_id=self.master_key_id)

    def unwrap_data_key(self, wrapped: bytes) -> bytes:
        """The data key inside `wrapped`, under whichever held master key wrapped it;
        `DecryptionError` once it was destroyed, or when that master key is not held."""
        key_id = wrapped_key_id(wrapped)
        return unwrap(self._master(key_id), wrapped, master_key_id=key_id)

    def rewrapped(self, wrapped: bytes) -> bytes | None:
        """`wrapped`'s data key wrapped under the current master key, or None when it already
        is; `DecryptionError` when no held master key opens it."""
        if wrapped_key_id(wrapped) == self.master_key_id:
            return None
        data_key = self.unwrap_data_key(wrapped)
        return wrap(self.master_key.reveal(), data_key, master_key_id=self.master_key_id)

    def _master(self, key_id: int) -> bytes:
        if key_id == self.master_key_id:
            return self.master_key.reveal()
        for older_id, key in self.older_master_keys:
            if older_id == key_id:
                return key.reveal()
        raise DecryptionError(f"master key {key_id} is not held (retired, or never configured)")

    # -- sealing in transit (the key derived from the master key) ---------------------------

    def seal_in_transit(self, plaintext: str, bound_to: bytes) -> bytes:
        """`plaintext` sealed for a stream or a short-lived copy, bound to `bound_to` (an event
        id, an idempotency key): it opens only under the same binding."""
        return encrypt_field(self._transits[0].reveal(), plaintext, bound_to)

    def open_in_transit(self, sealed: bytes, bound_to: bytes) -> str:
        """What `seal_in_transit` sealed, under the current master key or a held older one;
        `DecryptionError` for another key or binding."""
        return self._open_in_transit(sealed, bound_to)[0]

    def resealed_in_transit(self, sealed: bytes, bound_to: bytes) -> bytes | None:
        """`sealed` sealed again under the current transit key, or None when it already is;
        `DecryptionError` when no held key opens it."""
        plaintext, current = self._open_in_transit(sealed, bound_to)
        return None if current else self.seal_in_transit(plaintext, bound_to)

    def _open_in_transit(self, sealed: bytes, bound_to: bytes) -> tuple[str, bool]:
        for number, transit in enumerate(self._transits):
            try:
                return decrypt_field(transit.reveal(), sealed, bound_to), number == 0
            except DecryptionError:
                continue
        raise DecryptionError("not sealed under any transit key held")


def _transit_key(master: bytes) -> bytes:
    return hmac.new(master, _TRANSIT_LABEL, hashlib.sha256).digest()
