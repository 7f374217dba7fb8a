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

from bot.privacy.data_keys import new_data_key, unwrap
from bot.privacy.fields import decrypt_field, encrypt_field
from bot.privacy.ids import ParticipantId, participant_id
from bot.secret import Secret

_TRANSIT_LABEL = b"sauti/transit/v1"


@dataclass(frozen=True)
class ParticipantCrypto:
    master_key: Secret[bytes]
    """Wraps every participant's data key; the transit key is derived from it."""
    id_secret: Secret[bytes]
    """Keys the HMAC behind `participant_id`."""
    _transit: Secret[bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Derived, so it rotates with the master key; worked out once, not per message.
        transit = hmac.new(self.master_key.reveal(), _TRANSIT_LABEL, hashlib.sha256).digest()
        object.__setattr__(self, "_transit", Secret(transit))

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
        return new_data_key(self.master_key.reveal())

    def unwrap_data_key(self, wrapped: bytes) -> bytes:
        """The data key inside `wrapped`; `DecryptionError` once it was destroyed, or when it
        was wrapped under another master key."""
        return unwrap(self.master_key.reveal(), wrapped)

    # -- sealing in transit (the key derived from the master key) ---------------------------

    def seal_in_transit(self, plaintext: str, bound_to: bytes) -> bytes:
        """`plaintext` sealed for a stream or a short-lived copy, bound to `bound_to` (an event
        id, an idempotency key): it opens only under the same binding."""
        return encrypt_field(self._transit.reveal(), plaintext, bound_to)

    def open_in_transit(self, sealed: bytes, bound_to: bytes) -> str:
        """What `seal_in_transit` sealed; `DecryptionError` for another key or binding."""
        return decrypt_field(self._transit.reveal(), sealed, bound_to)
