"""The two server-wide keys, from settings or (single machine only) from key files.

With embedded Redis one process owns the data, so a key generated on first start and kept
next to the data is safe and saves a setup step. With a shared Redis every process must hold
the same keys; settings already refuse to start without them, and no file is ever made.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.privacy.errors import KeyMaterialError
from bot.privacy.keyfile import load_or_create_key
from bot.secret import Secret
from bot.settings import Settings


@dataclass(frozen=True)
class ServerKeys:
    master_key: Secret[bytes]
    """Wraps every participant's data key."""
    id_secret: Secret[bytes]
    """Keys the HMAC behind `participant_id`."""


def load_server_keys(settings: Settings) -> ServerKeys:
    """Configured keys, else key files under `settings.key_dir` in embedded mode."""
    return ServerKeys(
        master_key=_configured_or_file(settings, settings.master_key, "master"),
        id_secret=_configured_or_file(settings, settings.id_secret, "id"),
    )


def _configured_or_file(
    settings: Settings, configured: Secret[bytes] | None, which: str
) -> Secret[bytes]:
    if configured is not None:
        return configured
    if not settings.embedded_redis:  # settings validation prevents this; never guess a key
        raise KeyMaterialError(f"no {which} key configured while using a shared Redis")
    path = settings.master_key_path if which == "master" else settings.id_secret_path
    return Secret(load_or_create_key(path))
