"""Rewriting a Redis server's data files so they hold only what its memory holds now.

An append-only file keeps every write ever made: after `DEL` of a wrapped data key, the
`HSET ... wk` that stored it is still in the file. BGREWRITEAOF replaces the file with the
commands that rebuild the data as it is now. This module starts one, waits for it, checks it
succeeded, and removes what the server leaves beside it:

- Redis 6.2 (the embedded binary) keeps one `appendonly.aof`, replaced by a rename when a
  rewrite ends; a rewrite that crashed leaves `temp-rewriteaof-*.aof`.
- Redis 7 keeps a directory (`appendonlydir`) of a base file, incremental files and a
  manifest; a rewrite makes a new base, and the old files become "history", deleted in the
  background once the rewrite ends: we wait until no file outside the manifest remains.
- An RDB snapshot (`dump.rdb`) is a second copy of everything. The embedded Redis never
  makes one (its data is the AOF), so one found there is a leftover of someone's SAVE, and
  is deleted: a snapshot keeps the bytes of deleted stream entries in its stream nodes
  (Redis only marks an XDEL'd entry deleted), which no BGSAVE can clean.

Only the process that owns the server calls this (bot.runtime.disk_erasure).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.storage.errors import StorageError

_TEMP_PREFIXES = ("temp-rewriteaof-", "temp-")  # a crashed rewrite's or snapshot's leftovers
_MANIFEST_SUFFIX = ".manifest"


class RewriteError(StorageError):
    """A rewrite did not start, failed, or left files it should have removed."""


@dataclass(frozen=True)
class RewriteReport:
    seconds: float  # from BGREWRITEAOF to files verified
    bytes_before: int  # the AOF's size on disk before
    bytes_after: int  # and after
    removed: tuple[str, ...]  # leftover files deleted (names only)


async def rewrite_data_files(
    redis: Redis, data_dir: Path | None, *, limit_seconds: float = 600.0, poll: float = 0.02
) -> RewriteReport:
    """Rewrite the AOF of the server whose files are in `data_dir` and verify the result
    (`data_dir` None: a server whose files Sauti cannot see; only Redis's word is checked).

    A rewrite already running started before our deletions and may copy what they deleted:
    wait for it, then start ours. Raises RewriteError when Redis reports a failure, or when
    something that should be gone is still there after `limit_seconds`."""
    try:
        return await _rewrite(redis, data_dir, limit_seconds, poll)
    except OSError as error:  # a file step (a full disk, a permission): retried like the rest
        raise RewriteError(f"the data files could not be checked: {error}") from error


async def _rewrite(
    redis: Redis, data_dir: Path | None, limit_seconds: float, poll: float
) -> RewriteReport:
    started = time.monotonic()
    deadline = started + limit_seconds
    bytes_before = await asyncio.to_thread(aof_bytes, data_dir) if data_dir else 0
    before = await _wait_idle(redis, deadline, poll)
    if not before.get("aof_enabled"):
        # Without an AOF, BGREWRITEAOF would only write a file nothing reads again.
        raise RewriteError("the server does not keep an append-only file (appendonly no)")
    try:
        await redis.bgrewriteaof()
    except ResponseError as error:
        raise RewriteError(f"BGREWRITEAOF refused: {error}") from error
    info = await _wait_idle(redis, deadline, poll)
    if info.get("aof_last_bgrewrite_status") != "ok":
        raise RewriteError(f"the AOF rewrite failed: {info.get('aof_last_bgrewrite_status')}")
    if data_dir is None:
        return RewriteReport(time.monotonic() - started, 0, 0, ())
    removed = await _clear_leftovers(redis, data_dir, deadline, poll)
    return RewriteReport(
        seconds=time.monotonic() - started,
        bytes_before=bytes_before,
        bytes_after=await asyncio.to_thread(aof_bytes, data_dir),
        removed=removed,
    )


def aof_bytes(data_dir: Path) -> int:
    """The size of the AOF on disk (every part of it with Redis 7)."""
    return sum(path.stat().st_size for path in _aof_files(data_dir))


def data_files(data_dir: Path) -> list[Path]:
    """Every file in which Redis may have written data: AOF parts, snapshots, temp files."""
    names = []
    for path in [*data_dir.iterdir(), *_aof_dir(data_dir).glob("*")]:
        if path.is_file() and (
            path.name.startswith("appendonly")
            or path.suffix in (".aof", ".rdb")
            or path.name.startswith(_TEMP_PREFIXES)
        ):
            names.append(path)
    return sorted(set(names))


def _is_busy(info: dict[str, Any]) -> bool:
    return bool(
        info.get("aof_rewrite_in_progress")
        or info.get("aof_rewrite_scheduled")
        or info.get("rdb_bgsave_in_progress")
    )


async def _busy(redis: Redis) -> bool:
    return _is_busy(await redis.info("persistence"))


async def _wait_idle(redis: Redis, deadline: float, poll: float) -> dict[str, Any]:
    """INFO persistence once no rewrite or snapshot is running nor scheduled."""
    while True:
        info: dict[str, Any] = await redis.info("persistence")
        if not _is_busy(info):
            return info
        if time.monotonic() > deadline:
            raise RewriteError("a rewrite or snapshot of the data files did not end in time")
        await asyncio.sleep(poll)


async def _clear_leftovers(
    redis: Redis, data_dir: Path, deadline: float, poll: float
) -> tuple[str, ...]:
    """Delete a snapshot and temp files; wait for Redis 7 to delete its history files.

    A temp file is deleted only while no rewrite or snapshot runs (it would be that one's):
    one that starts between the check and the deletion fails, and the rewrite is retried."""
    await _wait_idle(redis, deadline, poll)
    removed = await asyncio.to_thread(_delete_leftovers, data_dir)
    if removed and (await _busy(redis)):
        raise RewriteError("a rewrite started while leftovers were deleted: retried")
    while stale := await asyncio.to_thread(_outside_manifest, data_dir):
        if time.monotonic() > deadline:
            names = ", ".join(path.name for path in stale)
            raise RewriteError(f"files of an earlier AOF are still on disk: {names}")
        await asyncio.sleep(poll)
    return removed


def _delete_leftovers(data_dir: Path) -> tuple[str, ...]:
    removed = []
    in_aof_dir = list(_aof_dir(data_dir).glob("temp-*"))  # Redis 7 writes some there
    for path in [*data_dir.iterdir(), *in_aof_dir]:
        if path.is_file() and (path.suffix == ".rdb" or path.name.startswith(_TEMP_PREFIXES)):
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return tuple(removed)


def _aof_dir(data_dir: Path) -> Path:
    return data_dir / "appendonlydir"


def _aof_files(data_dir: Path) -> list[Path]:
    single = [path for path in data_dir.glob("appendonly*.aof") if path.is_file()]
    return single + [path for path in _aof_dir(data_dir).glob("*") if path.is_file()]


def _outside_manifest(data_dir: Path) -> list[Path]:
    """Redis 7: files of the AOF directory its manifest no longer names (history not yet
    deleted). Empty with Redis 6.2, which has no such directory."""
    folder = _aof_dir(data_dir)
    manifests = list(folder.glob(f"*{_MANIFEST_SUFFIX}")) if folder.is_dir() else []
    if not manifests:
        return []
    named = set()
    for manifest in manifests:
        for line in manifest.read_text(errors="replace").splitlines():
            fields = line.split()
            # "file <name> seq <n> type <b|h|i>": history entries ("h") are still to delete.
            if len(fields) >= 2 and fields[0] == "file" and "h" not in fields[5:6]:
                named.add(fields[1])
    return [
        path
        for path in folder.iterdir()
        if path.is_file()
        and not path.name.endswith(_MANIFEST_SUFFIX)
        and path.name not in named
        and not path.name.startswith(_TEMP_PREFIXES)
    ]
