"""Master key epochs: what each master key still protects, moving it under the current one, and
the record of when each key became current and when it was destroyed.

Erasure deletes a participant's wrapped data key; a copy made before (a backup, the AOF of a
Redis whose files Sauti cannot rewrite) still holds it, and the master key that wrapped it still
opens it. Rotation ends that: every live wrapped key is wrapped again under a new master key, and
every secret sealed under the old one's transit key sealed again, so that once the old key is
destroyed no copy made before the rotation opens, erased people's keys included. Each step
replaces a field only if it still holds what was read (`reseal_field.lua`), so workers may run
meanwhile: a participant created under the old key is found on the next pass, one erased
meanwhile stays erased. Nothing here needs to run in one go: a pass started again does what is
left.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.access.totp import reseal_secret
from bot.privacy import DecryptionError, ParticipantCrypto, wrapped_key_id
from bot.storage.keys import KeySchema
from bot.storage.lua import ScriptCall, run_batch
from bot.storage.replies import as_bytes, text
from bot.storage.scripts import RESEAL_FIELD

_SCAN_COUNT = 1000


@dataclass
class Resealed:
    """What one pass moved under the current master key, and what it could not."""

    data_keys: int = 0  # participants' wrapped data keys, wrapped again
    secrets: int = 0  # staff second factors and held notices, sealed again
    changed: int = 0  # changed or deleted while the pass ran: left as they are now
    unreadable: int = 0  # opened by no key held: left as they are (nothing can read them)
    by_key: Counter[int] = field(default_factory=Counter)  # data keys per master key id, after
    # Data keys and secrets moved away from each older id: a pass that moved any was not the
    # one to find that id empty (a process may have been wrapping under it meanwhile).
    moved_from: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True)
class Epochs:
    """What `sauti:master-keys` records."""

    current: int | None
    since_ms: dict[int, int]  # when each id became current
    emptied_ms: dict[int, int]  # when a pass first found nothing left under each older id
    retired_ms: dict[int, int]  # when each id was destroyed


async def read_epochs(redis: Redis, schema: KeySchema) -> Epochs:
    raw: Any = await redis.hgetall(schema.master_keys)
    fields = {text(name): int(value) for name, value in raw.items()}

    def per_id(label: str) -> dict[int, int]:
        prefix = f"{label}:"
        return {int(n[len(prefix) :]): v for n, v in fields.items() if n.startswith(prefix)}

    return Epochs(
        current=fields.get("current"),
        since_ms=per_id("since"),
        emptied_ms=per_id("emptied"),
        retired_ms=per_id("retired"),
    )


async def record_current(redis: Redis, schema: KeySchema, key_id: int, now_ms: int) -> bool:
    """Record `key_id` as the current master key from `now_ms`, unless it already is."""
    epochs = await read_epochs(redis, schema)
    if epochs.current == key_id:
        return False
    await redis.hset(schema.master_keys, mapping={"current": key_id, f"since:{key_id}": now_ms})
    return True


async def record_pass(
    redis: Redis, schema: KeySchema, key_id: int, done: Resealed, ended_ms: int
) -> None:
    """What a pass that ended at `ended_ms` tells of older key `key_id`: backups taken from
    `emptied:<id>` on do not need it. A pass that moved anything away from it moves that time
    to its own end (whatever found it empty before was wrong: something was under it since),
    or removes it when some is left; a pass that moved nothing keeps the first time."""
    name = f"emptied:{key_id}"
    left = done.by_key.get(key_id, 0)
    if done.moved_from.get(key_id, 0) or done.secrets:
        if left:
            await redis.hdel(schema.master_keys, name)
        else:
            await redis.hset(schema.master_keys, name, ended_ms)
    elif not left:
        await redis.hsetnx(schema.master_keys, name, ended_ms)


async def older_secrets(redis: Redis, schema: KeySchema, crypto: ParticipantCrypto) -> Resealed:
    """Staff second factors, setup links and held notices not under the current key, counted
    (in `changed`: none is written) without moving them: what `retire` checks again."""
    counted = Resealed()
    await _staff_secrets(redis, schema, crypto, counted, write=False)
    await _held_notices(redis, schema, crypto, counted, write=False)
    return counted


async def dead_letters_under_older_keys(
    redis: Redis, schema: KeySchema, crypto: ParticipantCrypto
) -> int:
    """Dead letters (inbound events and outgoing messages set aside) whose body is sealed under
    an older transit key: they no longer open once that key is destroyed."""
    found = 0
    for shard in range(schema.shards):
        for stream, binding in (
            (schema.dead_letters(shard), b"id"),
            (schema.outbox_dead(shard), b"k"),
        ):
            entries: Any = await redis.xrange(stream)
            for _, fields in entries:
                body, bound = fields.get(b"body"), fields.get(binding)
                if body is None or bound is None:
                    continue
                try:
                    if crypto.resealed_in_transit(as_bytes(body), as_bytes(bound)) is not None:
                        found += 1
                except DecryptionError:
                    found += 1  # already unreadable here
    return found


async def record_retired(redis: Redis, schema: KeySchema, key_id: int, now_ms: int) -> None:
    await redis.hset(schema.master_keys, f"retired:{key_id}", now_ms)


async def reseal_everything(
    redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, *, chunk: int = 500
) -> Resealed:
    """One pass: every wrapped data key and every sealed secret under an older master key
    moved under the current one. Returns what it did, with the data keys counted by id."""
    done = Resealed()
    await _data_keys(redis, schema, crypto, done, chunk)
    await _staff_secrets(redis, schema, crypto, done)
    await _held_notices(redis, schema, crypto, done)
    return done


async def data_keys_by_master_key(redis: Redis, schema: KeySchema) -> Counter[int]:
    """How many live wrapped data keys each master key id wraps (a full scan)."""
    counts: Counter[int] = Counter()
    async for _, wrapped in _wrapped_keys(redis, schema, 500):
        counts[_key_id(wrapped)] += 1
    return counts


async def _data_keys(
    redis: Redis, schema: KeySchema, crypto: ParticipantCrypto, done: Resealed, chunk: int
) -> None:
    batch: list[tuple[str, str, bytes, bytes]] = []
    async for key, wrapped in _wrapped_keys(redis, schema, chunk):
        try:
            again = crypto.rewrapped(wrapped)
        except DecryptionError:
            done.unreadable += 1
            done.by_key[_key_id(wrapped)] += 1
            continue
        if again is None:
            done.by_key[crypto.master_key_id] += 1
            continue
        batch.append((key, "wk", wrapped, again))
        done.moved_from[_key_id(wrapped)] += 1
        if len(batch) >= chunk:
            await _rewrapped(redis, batch, done, crypto.master_key_id)
            batch = []
    await _rewrapped(redis, batch, done, crypto.master_key_id)


async def _rewrapped(
    redis: Redis, batch: list[tuple[str, str, bytes, bytes]], done: Resealed, key_id: int
) -> None:
    replaced = await _replace(redis, batch, done)
    done.data_keys += replaced
    done.by_key[key_id] += replaced


async def _staff_secrets(
    redis: Redis,
    schema: KeySchema,
    crypto: ParticipantCrypto,
    done: Resealed,
    *,
    write: bool = True,
) -> None:
    """Second factors of staff accounts, and those offered on setup links not yet used."""
    batch: list[tuple[str, str, bytes, bytes]] = []
    accounts = f"{schema.prefix}:staff:"
    async for key in redis.scan_iter(match=f"{accounts}*", count=_SCAN_COUNT):
        name = text(key)
        sealed: Any = await redis.hget(name, "totp")
        if sealed is not None:
            _reseal(batch, done, name, as_bytes(sealed), name[len(accounts) :], crypto)
    async for key in redis.scan_iter(match=f"{schema.prefix}:staff-setup:*", count=_SCAN_COUNT):
        name = text(key)
        email, sealed = await redis.hmget(name, ["email", "totp"])
        if email is not None and sealed is not None:
            _reseal(batch, done, name, as_bytes(sealed), text(email), crypto)
    if not write:
        done.changed += len(batch)
        return
    done.secrets += await _replace(redis, batch, done)


def _reseal(
    batch: list[tuple[str, str, bytes, bytes]],
    done: Resealed,
    key: str,
    sealed: bytes,
    email: str,
    crypto: ParticipantCrypto,
) -> None:
    try:
        again = reseal_secret(crypto, email, sealed)
    except DecryptionError:
        done.unreadable += 1
        return
    if again is not None:
        batch.append((key, "totp", sealed, again))


async def _held_notices(
    redis: Redis,
    schema: KeySchema,
    crypto: ParticipantCrypto,
    done: Resealed,
    *,
    write: bool = True,
) -> None:
    """Notices held back for quiet hours or the weekly budget: sealed with the transit key,
    bound to their idempotency key (field `b:<key>`)."""
    for shard in range(schema.shards):
        bodies = schema.schedule_bodies(shard)
        batch: list[tuple[str, str, bytes, bytes]] = []
        async for name, sealed in redis.hscan_iter(bodies, match="b:*", count=_SCAN_COUNT):
            field_name = text(name)
            try:
                again = crypto.resealed_in_transit(as_bytes(sealed), field_name[2:].encode())
            except DecryptionError:
                done.unreadable += 1
                continue
            if again is not None:
                batch.append((bodies, field_name, as_bytes(sealed), again))
        if not write:
            done.changed += len(batch)
            continue
        done.secrets += await _replace(redis, batch, done)


async def _wrapped_keys(
    redis: Redis, schema: KeySchema, chunk: int
) -> AsyncIterator[tuple[str, bytes]]:
    """(participant key, wrapped data key) of every participant record, a chunk at a time."""
    keys: list[str] = []
    pattern = f"{schema.prefix}:{{s*}}:p:*"
    async for key in redis.scan_iter(match=pattern, count=_SCAN_COUNT):
        keys.append(text(key))
        if len(keys) >= chunk:
            for found in await _read_wrapped(redis, keys):
                yield found
            keys = []
    for found in await _read_wrapped(redis, keys):
        yield found


async def _read_wrapped(redis: Redis, keys: list[str]) -> list[tuple[str, bytes]]:
    if not keys:
        return []
    replies: list[Any] = await run_batch(redis, [("HGET", key, "wk") for key in keys])
    return [(key, as_bytes(wk)) for key, wk in zip(keys, replies, strict=True) if wk is not None]


async def _replace(redis: Redis, batch: list[tuple[str, str, bytes, bytes]], done: Resealed) -> int:
    """Each field replaced only if unchanged since it was read; returns how many were."""
    if not batch:
        return 0
    calls = [ScriptCall(RESEAL_FIELD, (key,), (name, old, new)) for key, name, old, new in batch]
    replies = await run_batch(redis, calls)
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    replaced = sum(int(reply) for reply in replies)
    done.changed += len(batch) - replaced
    return replaced


def _key_id(wrapped: bytes) -> int:
    try:
        return wrapped_key_id(wrapped)
    except DecryptionError:
        return -1  # not a wrapped key of any format Sauti writes
