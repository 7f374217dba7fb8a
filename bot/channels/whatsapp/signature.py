"""Meta signs every webhook call: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body
with the app secret>`. Checked over the raw bytes, before anything is parsed."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta sends for `body` (the fake Graph API signs with this too)."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(body: bytes, header: str | None, app_secret: str) -> bool:
    """True only for a well-formed header whose HMAC matches, compared in constant time."""
    if not header or not header.startswith(_PREFIX):
        return False
    expected = sign(body, app_secret)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())
