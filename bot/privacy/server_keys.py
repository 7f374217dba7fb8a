"""The two server-wide keys, from settings or (single machine only) from key files.

With embedded Redis one process owns the data, so a key generated on first start and kept
next to the data is safe and saves a setup step. With a shared Redis every process must hold
the same keys; settings already refuse to start without them, and no file is ever made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.privacy.crypto import ParticipantCrypto
from bot.privacy.errors import KeyMaterialError
from bot.privacy.keyfile import load_or_create_key
from bot.secret import Secret


@dataclass(frozen=True)
class KeyFiles:
    """Where a single machine keeps the keys it made itself."""

    master_key: Path
    id_secret: Path


def load_server_keys(
    master_key: Secret[bytes] | None, id_secret: Secret[bytes] | None, files: KeyFiles | None
) -> ParticipantCrypto:
    """The configured keys; a key not configured comes from its file in `files`, made on first
    start. `files` is None with a shared Redis, where a missing key is an error."""
    return ParticipantCrypto(
        master_key=_configured_or_file(master_key, files.master_key if files else None, "master"),
        id_secret=_configured_or_file(id_secret, files.id_secret if files else None, "id"),
    )


def _configured_or_file(
    configured: Secret[bytes] | None, file: Path | None, which: str
) -> Secret[bytes]:
    if configured is not None:
        return configured
    if file is None:  # settings validation prevents this; never guess a key
        raise KeyMaterialError(f"no {which} key configured while using a shared Redis")
    return Secret(load_or_create_key(file))
