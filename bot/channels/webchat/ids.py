"""Web chat identities: the private link's token and the ids of the events a page posts."""

from __future__ import annotations

import base64
import hashlib

from bot.privacy import ParticipantCrypto


def token_from(crypto: ParticipantCrypto, nonce: str) -> str:
    """The private link made for a Start form: derived from the form's nonce, so tapping Start
    twice opens one chat. 32 characters, unguessable without the server's id secret."""
    digest = crypto.keyed_digest(f"webchat-join:{nonce}".encode())
    return base64.urlsafe_b64encode(digest[:24]).decode()


def event_id(participant_id: str, nonce: str) -> str:
    """The id of what one form of one participant posted: "w:" and 16 characters.

    Short, because it travels with every answer through the inbound stream. It is a hash of
    participant and form nonce rather than both in clear: unique per participant and form (a
    resent form has the same id, so it counts once), without the participant id in it, and a
    nonce copied from someone else's page cannot collide with their events, since the hash
    covers the participant too."""
    digest = hashlib.sha256(f"{participant_id}:{nonce}".encode()).digest()
    return "w:" + base64.urlsafe_b64encode(digest[:12]).decode()
