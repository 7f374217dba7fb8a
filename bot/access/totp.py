"""The second factor: time-based one-time codes (RFC 6238, 6 digits every 30 s), as any
authenticator app makes them.

The secret is stored sealed with the server's transit key, bound to the account's address
(a sealed secret copied onto another account does not open). A code is accepted one step
early or late (a phone's clock drifts), and never twice: the last time step accepted is kept
per account, and only a later step is accepted after it — so a code seen over someone's
shoulder, or replayed from a captured request, is worthless.
"""

from __future__ import annotations

import hmac
import re

import pyotp
from redis.asyncio import Redis

from bot.privacy import DecryptionError, ParticipantCrypto
from bot.storage.keys import KeySchema

ISSUER = "Sauti"
DRIFT_STEPS = 1
_CODE = re.compile(r"^[0-9]{6}$")
# The step kept expires once no code it could block is acceptable any more (a few steps).
_STEP_MEMORY_SECONDS = 300
_LAST = "last"


def new_secret() -> str:
    """A fresh secret: 32 base32 characters (160 bits, RFC 4226's recommendation)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The `otpauth://` URI an authenticator app reads (as text, or from the QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def seal_secret(crypto: ParticipantCrypto, email: str, secret: str) -> bytes:
    return crypto.seal_in_transit(secret, bound_to=_binding(email))


def open_secret(crypto: ParticipantCrypto, email: str, sealed: bytes) -> str | None:
    """The secret, or None when it does not open (another key, another account)."""
    try:
        return crypto.open_in_transit(sealed, bound_to=_binding(email))
    except DecryptionError:
        return None


def reseal_secret(crypto: ParticipantCrypto, email: str, sealed: bytes) -> bytes | None:
    """The secret sealed again under the current master key (a key rotation), or None when it
    already is; `DecryptionError` when no held key opens it."""
    return crypto.resealed_in_transit(sealed, _binding(email))


def _binding(email: str) -> bytes:
    return b"staff totp\x00" + email.encode()


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code `code` is, within the drift allowed; None if none."""
    code = code.strip().replace(" ", "")
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now) // totp.interval
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


class CodeChecker:
    """Accepts each account's codes once, in increasing time steps."""

    def __init__(self, redis: Redis, schema: KeySchema) -> None:
        self._redis = redis
        self._schema = schema

    async def accept(self, email: str, secret: str, code: str, now: float) -> bool:
        step = matching_step(secret, code, now)
        if step is None:
            return False
        key = self._schema.staff_totp_step(email)
        # ZADD GT CH answers 1 only when the step is later than the one kept (or none is):
        # one command decides and records, so two requests with one code cannot both pass.
        pipe = self._redis.pipeline(transaction=True)
        pipe.zadd(key, {_LAST: step}, gt=True, ch=True)
        pipe.expire(key, _STEP_MEMORY_SECONDS)
        changed, _ = await pipe.execute()
        return bool(changed)

    async def forget(self, email: str) -> None:
        """After a reset: a new secret's codes start afresh."""
        await self._redis.delete(self._schema.staff_totp_step(email))
