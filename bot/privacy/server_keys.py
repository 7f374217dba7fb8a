"""The two server-wide keys, from settings or (single machine only) from key files.

With embedded Redis one process owns the data, so a key generated on first start and kept
next to the data is safe and saves a setup step. With a shared Redis every process must hold
the same keys; settings already refuse to start without them, and no file is ever made.

Master keys have ids (written into every data key they wrap), so the master key can be rotated.
On a single machine each is a file beside the first: `master.key` is id 0, `master-<id>.key`
the others, and the highest id present is current (`sauti keys rotate` adds the next one,
`sauti keys retire` deletes an old one). With a shared Redis the settings name the current key
and its id, and the older ones still held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.privacy.crypto import ParticipantCrypto
from bot.privacy.errors import KeyMaterialError
from bot.privacy.keyfile import load_or_create_key
from bot.secret import Secret

_NUMBERED = re.compile(r"master-([0-9]{1,3})\.key")


@dataclass(frozen=True)
class KeyFiles:
    """Where a single machine keeps the keys it made itself."""

    master_key: Path
    id_secret: Path

    def master_key_file(self, key_id: int) -> Path:
        """The file of master key `key_id` (id 0 is the first, `master.key`)."""
        if key_id == 0:
            return self.master_key
        return self.master_key.with_name(f"master-{key_id}.key")

    def master_key_ids(self) -> list[int]:
        """The ids of the master key files present, in order."""
        folder = self.master_key.parent
        ids = [0] if self.master_key.exists() else []
        if folder.is_dir():
            for path in folder.iterdir():
                match = _NUMBERED.fullmatch(path.name)
                if match and 0 < int(match.group(1)) <= 255:
                    ids.append(int(match.group(1)))
        return sorted(ids)


def load_server_keys(
    master_key: Secret[bytes] | None,
    id_secret: Secret[bytes] | None,
    files: KeyFiles | None,
    *,
    master_key_id: int = 0,
    older_master_keys: tuple[tuple[int, Secret[bytes]], ...] = (),
) -> ParticipantCrypto:
    """The configured keys; a key not configured comes from its file in `files`, made on first
    start. `files` is None with a shared Redis, where a missing key is an error."""
    if master_key is None and files is not None:
        current, current_id, older = _master_keys_from_files(files)
        return ParticipantCrypto(
            master_key=current,
            id_secret=_configured_or_file(id_secret, files.id_secret, "id"),
            master_key_id=current_id,
            older_master_keys=older,
        )
    return ParticipantCrypto(
        master_key=_configured_or_file(master_key, None, "master"),
        id_secret=_configured_or_file(id_secret, files.id_secret if files else None, "id"),
        master_key_id=master_key_id,
        older_master_keys=older_master_keys,
    )


def _master_keys_from_files(
    files: KeyFiles,
) -> tuple[Secret[bytes], int, tuple[tuple[int, Secret[bytes]], ...]]:
    """(current key, its id, older keys): every master key file, the highest id current; the
    first one made when there is none (never again once any exists: a retired key is gone)."""
    ids = files.master_key_ids() or [0]
    keys = {key_id: Secret(load_or_create_key(files.master_key_file(key_id))) for key_id in ids}
    current = ids[-1]
    older = tuple((key_id, keys[key_id]) for key_id in reversed(ids[:-1]))
    return keys[current], current, older


def _configured_or_file(
    configured: Secret[bytes] | None, file: Path | None, which: str
) -> Secret[bytes]:
    if configured is not None:
        return configured
    if file is None:  # settings validation prevents this; never guess a key
        raise KeyMaterialError(f"no {which} key configured while using a shared Redis")
    return Secret(load_or_create_key(file))
