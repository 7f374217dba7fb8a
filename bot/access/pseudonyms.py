"""Organisation-scoped pseudonyms: how an organisation names a participant in everything it
sees (API, exports, pages, CLI listings).

pseudonym = HMAC-SHA256(organisation key, internal participant id), shortened; the
organisation key = HMAC(server id secret, "sauti pseudonym v1" || organisation salt). So the
same person answering two organisations' campaigns gets unrelated pseudonyms, and neither the
pseudonym nor anything in Redis leads back to the internal id without the server's secret.
The internal id never leaves the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from bot.access.organisations import Organisation
from bot.privacy import ParticipantCrypto

_LABEL = b"sauti pseudonym v1|"
# 80 bits: unique among any campaign's respondents (collisions ~ n^2 / 2^81), short to read.
_BYTES = 10


class Pseudonyms:
    """One organisation's pseudonyms."""

    def __init__(self, crypto: ParticipantCrypto, organisation: Organisation) -> None:
        self._key = crypto.keyed_digest(_LABEL + organisation.salt)
        self.org = organisation.slug

    def of(self, participant_id: str) -> str:
        digest = hmac.new(self._key, participant_id.encode(), hashlib.sha256).digest()
        return "p-" + base64.b32encode(digest[:_BYTES]).decode().lower()
