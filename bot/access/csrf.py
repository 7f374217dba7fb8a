"""Tokens that prove a form was sent from one of Sauti's own staff pages (CSRF).

- Signed in: each session has a random token of its own (`StaffSession.csrf`), put in a hidden
  field of every form it is shown; a post must carry it (compared in constant time).
- Not signed in yet (the sign-in and setup forms): a signed double submit. The browser gets a
  random value in a cookie; the form carries an HMAC of that value under a key derived from
  the server's id secret. Another site can neither read the cookie nor compute the HMAC, so it
  cannot make a form that passes.

Both are checked besides the browser's Fetch Metadata / Origin headers (the web chat's
check), so a browser that sends those is protected twice.
"""

from __future__ import annotations

import hmac
import secrets

from bot.privacy import ParticipantCrypto

PRE_SESSION_BYTES = 32
_LABEL = b"staff form before sign-in\x00"


def same_token(expected: str, given: str) -> bool:
    """Whether the form's token is the expected one, in time that does not depend on where
    they differ."""
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


class PreSessionTokens:
    """The signed double submit of forms shown before anyone signed in."""

    def __init__(self, crypto: ParticipantCrypto) -> None:
        self._crypto = crypto

    @staticmethod
    def new_cookie_value() -> str:
        return secrets.token_urlsafe(PRE_SESSION_BYTES)

    def form_token(self, cookie_value: str) -> str:
        return self._crypto.keyed_digest(_LABEL + cookie_value.encode()).hex()

    @staticmethod
    def well_formed(cookie_value: str) -> bool:
        return 32 <= len(cookie_value) <= 2 * PRE_SESSION_BYTES

    def valid(self, cookie_value: str | None, form_token: str) -> bool:
        if cookie_value is None or not self.well_formed(cookie_value):
            return False
        return same_token(self.form_token(cookie_value), form_token)
