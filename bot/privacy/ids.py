"""Pseudonymous participant ids: the only way code and logs refer to a person.

The id is an HMAC of the platform identity under a server secret, so it is stable (the same
person on the same channel always maps to the same id, on every machine sharing the secret)
but cannot be turned back into a phone number or Telegram id without that secret: not by
enumerating every phone number, which a plain hash would allow.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import NewType

from bot.privacy.errors import KeyMaterialError

ParticipantId = NewType("ParticipantId", str)

ID_SECRET_MIN_BYTES = 32
_ID_BYTES = 20  # 160 bits: collisions stay negligible far beyond any realistic population
_CHANNEL = re.compile(r"[a-z][a-z0-9_]*")


def participant_id(secret: bytes, channel: str, platform_user_id: str) -> ParticipantId:
    """HMAC-SHA256(secret, "channel:platform_user_id"), truncated to 160 bits, base32.

    The result is 32 characters of `a-z2-7`: safe in Redis keys, URLs and file names. The
    channel name may not contain ":", so "a:b" + "c" and "a" + "b:c" cannot collide.
    """
    if len(secret) < ID_SECRET_MIN_BYTES:
        raise KeyMaterialError(f"the id secret must be at least {ID_SECRET_MIN_BYTES} bytes")
    if not _CHANNEL.fullmatch(channel):
        raise ValueError(f"channel must match {_CHANNEL.pattern}, got {channel!r}")
    message = f"{channel}:{platform_user_id}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:_ID_BYTES]
    return ParticipantId(base64.b32encode(digest).decode("ascii").lower())
