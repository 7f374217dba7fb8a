"""`sauti keys status|rotate|rewrap|retire`: master key epochs, so that erasure reaches copies of
the data Sauti cannot rewrite (backups, an external Redis's files).

1. `rotate` adds a master key (single machine: a new key file; shared Redis: says how to
   configure one). Processes read keys when they start: restart them all.
2. `rewrap` wraps every live data key, and seals every secret, under the current key again. It
   can run while Sauti runs, and again until nothing is left under older keys.
3. `retire ID` destroys an old key, once nothing live is under it and the backup retention has
   passed since then: from then on no copy made before the rotation opens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

from bot.app import App
from bot.commands.common import with_app
from bot.privacy import KeyFiles, load_or_create_key
from bot.records.key_epochs import (
    Epochs,
    data_keys_by_master_key,
    dead_letters_under_older_keys,
    older_secrets,
    read_epochs,
    record_current,
    record_pass,
    record_retired,
    reseal_everything,
)
from bot.records.key_holders import behind, live_holders

_DAY_MS = 86_400_000
_MAX_KEY_ID = 255


def register(parser: argparse.ArgumentParser) -> None:
    keys = parser.add_subparsers(title="master key commands")
    keys.add_parser("status", help="master keys held, and what each still wraps").set_defaults(
        handler=_status
    )
    keys.add_parser("rotate", help="add a new master key (then restart, then rewrap)").set_defaults(
        handler=_rotate
    )
    keys.add_parser(
        "rewrap", help="wrap everything under the current master key again (resumable)"
    ).set_defaults(handler=_rewrap)
    retire = keys.add_parser("retire", help="destroy an old master key no longer needed")
    retire.add_argument("key_id", type=int, help="the id of the old master key")
    retire.set_defaults(handler=_retire)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _files(app: App) -> KeyFiles | None:
    """The key files, when this deployment keeps its master keys in files."""
    settings = app.settings
    if settings.master_key is not None or not settings.embedded_redis:
        return None
    return KeyFiles(settings.master_key_path, settings.id_secret_path)


def _status(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        epochs = await read_epochs(app.redis, app.schema)
        counts = await data_keys_by_master_key(app.redis, app.schema)
        retention = app.settings.erasure.backup_retention_days
        for key_id in app.crypto.master_key_ids:
            role = "current" if key_id == app.crypto.master_key_id else "older"
            line = f"master key {key_id}\t{role}\tdata keys {counts.pop(key_id, 0)}"
            if role == "older":
                line += f"\t{_retire_note(epochs, key_id, retention)}"
            print(line)
        for key_id, count in sorted(counts.items()):
            print(f"master key {key_id}\tnot held\tdata keys {count} (unreadable)")
        holders = await live_holders(app.redis, app.schema, _now_ms())
        for key_id, at in sorted(epochs.retired_ms.items()):
            still = key_id in app.crypto.master_key_ids or any(key_id in h.held for h in holders)
            if still:  # retire ran, but the key is still configured: it still opens everything
                print(f"master key {key_id}\tretire ordered {_date(at)}, still configured")
            else:
                print(f"master key {key_id}\tretired {_date(at)}")
        return 0

    return with_app(work)


def _retire_note(epochs: Epochs, key_id: int, retention_days: int) -> str:
    emptied = epochs.emptied_ms.get(key_id)
    if emptied is None:
        return "still wraps data: run `sauti keys rewrap`"
    return f"retire from {_date(emptied + retention_days * _DAY_MS)}"


def _date(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _rotate(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        epochs = await read_epochs(app.redis, app.schema)
        used = {*app.crypto.master_key_ids, *epochs.since_ms, *epochs.retired_ms}
        key_id = max(used) + 1
        if key_id > _MAX_KEY_ID:
            print(f"sauti: master key ids go up to {_MAX_KEY_ID}; none is left", file=sys.stderr)
            return 1
        files = _files(app)
        if files is None:
            current = app.crypto.master_key_id
            print(
                "master keys come from the settings here. To rotate:\n"
                "  1. make a key: openssl rand -base64 32\n"
                f"  2. on every process: SAUTI_MASTER_KEY=<the new key>, SAUTI_MASTER_KEY_ID="
                f"{key_id}, and add {current}:<the current key> to SAUTI_PREVIOUS_MASTER_KEYS\n"
                "  3. restart every process, then run: sauti keys rewrap"
            )
            return 0
        load_or_create_key(files.master_key_file(key_id))
        print(f"master key {key_id} made ({files.master_key_file(key_id).name})")
        print("next: restart every Sauti process (they read keys when they start), then run:")
        print("  sauti keys rewrap")
        return 0

    return with_app(work)


def _rewrap(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        crypto = app.crypto  # read as this command started: the newest key file is current
        if refused := await _processes_behind(app, "rewrapped"):
            return refused
        started = time.monotonic()
        await record_current(app.redis, app.schema, crypto.master_key_id, _now_ms())
        done = await reseal_everything(app.redis, app.schema, crypto)
        ended_ms = _now_ms()
        seconds = time.monotonic() - started
        print(
            f"{done.data_keys} data keys wrapped again under master key {crypto.master_key_id}, "
            f"{done.secrets} secrets sealed again, in {seconds:.1f} s"
        )
        if done.changed:
            print(f"{done.changed} changed meanwhile (erased, or written anew): left as they are")
        left = 0
        for key_id in crypto.master_key_ids[1:]:
            remaining = done.by_key.get(key_id, 0)
            left += remaining
            await record_pass(app.redis, app.schema, key_id, done, ended_ms)
            print(f"master key {key_id}: {remaining} data keys still under it")
        if left or done.changed:
            print(
                "run `sauti keys rewrap` again: processes started before the rotation may "
                "still wrap under an older key until they are restarted"
            )
            return 1
        return 0

    return with_app(work)


def _retire(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        key_id: int = args.key_id
        crypto = app.crypto
        if key_id == crypto.master_key_id:
            return _refuse(f"master key {key_id} is the current one")
        if key_id not in crypto.master_key_ids:
            return _refuse(f"master key {key_id} is not held here")
        if refused := await _processes_behind(app, "retired"):
            return refused
        counts = await data_keys_by_master_key(app.redis, app.schema)
        if counts.get(key_id):
            return _refuse(
                f"{counts[key_id]} data keys are still wrapped under master key {key_id}: "
                "run `sauti keys rewrap` first"
            )
        epochs = await read_epochs(app.redis, app.schema)
        emptied = epochs.emptied_ms.get(key_id)
        retention_ms = app.settings.erasure.backup_retention_days * _DAY_MS
        if emptied is None:
            return _refuse(f"no rewrap has yet found master key {key_id} empty: run it first")
        if _now_ms() < emptied + retention_ms:
            return _refuse(
                f"backups taken before {_date(emptied)} may still need master key {key_id}: "
                f"retire it from {_date(emptied + retention_ms)} (SAUTI_BACKUP_RETENTION_DAYS)"
            )
        secrets = await older_secrets(app.redis, app.schema, crypto)
        if secrets.changed or secrets.unreadable:
            return _refuse(
                f"{secrets.changed + secrets.unreadable} staff second factors, setup links or "
                "held notices are not sealed under the current key: run `sauti keys rewrap`"
            )
        dead = await dead_letters_under_older_keys(app.redis, app.schema, crypto)
        if dead:
            print(f"{dead} dead letters are sealed under an older key: they will not open again")
        files = _files(app)
        if files is not None:
            _destroy(files, key_id)
            print(f"master key {key_id} destroyed")
        else:
            # Sauti cannot destroy a key it reads from the settings: until the operator does,
            # it is not retired, whatever is recorded here.
            print(
                f"to retire master key {key_id}: remove {key_id}:<key> from "
                "SAUTI_PREVIOUS_MASTER_KEYS on every process, restart them, and destroy every "
                "copy of that key; until then it still opens everything it wrapped"
            )
        await record_retired(app.redis, app.schema, key_id, _now_ms())
        return 0

    return with_app(work)


async def _processes_behind(app: App, verb: str) -> int:
    """1 (after saying why) while a live process lacks the current key or wraps under another:
    it would go on writing what this command moves away from, or fail to read what it moves."""
    holders = await live_holders(app.redis, app.schema, _now_ms())
    reasons = behind(holders, app.crypto.master_key_id)
    if not reasons:
        return 0
    print(
        f"sauti: nothing {verb}: restart these processes with master key "
        f"{app.crypto.master_key_id} as current first: " + "; ".join(reasons),
        file=sys.stderr,
    )
    return 1


def _refuse(reason: str) -> int:
    print(f"sauti: not retired: {reason}", file=sys.stderr)
    return 1


def _destroy(files: KeyFiles, key_id: int) -> None:
    """Overwrite the key file, then delete it. (On a copy-on-write or flash file system the
    old blocks may survive the overwrite: the key's backups must be destroyed too.)"""
    path = files.master_key_file(key_id)
    size = path.stat().st_size
    with open(path, "r+b") as key_file:
        key_file.write(b"\0" * size)
        key_file.flush()
        os.fsync(key_file.fileno())
    path.unlink()
