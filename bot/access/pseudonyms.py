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
import re

from bot.access.organisations import (
    DEFAULT_ORG,
    DEFAULT_ORG_NAME,
    Organisation,
    OrganisationError,
    OrganisationStore,
)
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


PSEUDONYM = re.compile(r"^p-[a-z2-7]{16}$")


async def pseudonyms_for(
    organisations: OrganisationStore, crypto: ParticipantCrypto, org: str
) -> Pseudonyms:
    """The pseudonyms of organisation `org`. The default organisation is made when missing (a
    deployment's campaigns from before organisations belong to it before any migration ran);
    any other missing organisation is an OrganisationError."""
    organisation = await organisations.get(org)
    if organisation is None and org == DEFAULT_ORG:
        organisation = await organisations.ensure(DEFAULT_ORG, DEFAULT_ORG_NAME)
    if organisation is None:
        raise OrganisationError(f"no organisation '{org}'")
    return Pseudonyms(crypto, organisation)
