"""Key files for single-machine deployments: created once, private, never silently replaced.

Losing the master key loses every participant's data; two processes each inventing one loses
the data of whichever lost the race. So creation publishes a complete file under the final
name only if no file is there yet (a hard link fails on an existing name, where `os.replace`
would overwrite it), and the loser of a race reads the winner's key. A file that is too
open or has the wrong size is refused rather than repaired: guessing is how keys get lost.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from bot.privacy.errors import KeyFileError

KEY_FILE_BYTES = 32
_PRIVATE_FILE = 0o600
_PRIVATE_DIR = 0o700


def load_or_create_key(path: Path) -> bytes:
    """The 32-byte key in `path`, creating it (mode 0600, parent 0700) if it does not exist.

    Raises `KeyFileError` if the file is readable by group or others, is not 32 bytes, or its
    directory can be written by others (who could then swap the key).
    """
    _ensure_private_dir(path.parent)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    _publish_new_key(path)
    return _read_key(path)


def _ensure_private_dir(directory: Path) -> None:
    try:
        directory.mkdir(mode=_PRIVATE_DIR)
        os.chmod(directory, _PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    except FileNotFoundError:
        directory.parent.mkdir(parents=True, exist_ok=True)
        _ensure_private_dir(directory)
        return
    except FileExistsError:
        pass
    mode = directory.stat().st_mode
    if not stat.S_ISDIR(mode):
        raise KeyFileError(f"{directory}: expected a directory for key files")
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise KeyFileError(
            f"{directory}: others can write to this key directory and so replace a key; "
            f"chmod 700 {directory}"
        )


def _read_key(path: Path) -> bytes:
    """The key in `path`; `FileNotFoundError` if there is none yet."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise KeyFileError(f"{path}: cannot read key file: {error}") from error
    try:
        _check_private_file(path, os.fstat(fd))  # the file opened, not whatever the name is now
        key = _read_up_to(fd, KEY_FILE_BYTES + 1)
    finally:
        os.close(fd)
    if len(key) != KEY_FILE_BYTES:
        raise KeyFileError(
            f"{path}: expected exactly {KEY_FILE_BYTES} bytes, found "
            f"{'more' if len(key) > KEY_FILE_BYTES else len(key)}; refusing to use or replace "
            "it (restore it from backup: data encrypted under it is unreadable without it)"
        )
    return key


def _read_up_to(fd: int, limit: int) -> bytes:
    data = b""
    while len(data) < limit and (chunk := os.read(fd, limit - len(data))):
        data += chunk
    return data


def _check_private_file(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileError(f"{path}: expected a regular file")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"{path}: permissions {stat.filemode(info.st_mode)} are too open; a key file "
            f"must be accessible by its owner only: chmod 600 {path}"
        )


def _publish_new_key(path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    fd = os.open(temporary, flags, _PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), _PRIVATE_FILE)
            file.write(secrets.token_bytes(KEY_FILE_BYTES))
            file.flush()
            os.fsync(file.fileno())  # on disk before anything is encrypted under it
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(temporary, path)
    except OSError as error:
        raise KeyFileError(f"{path}: cannot create key file: {error}") from error
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
