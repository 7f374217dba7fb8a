"""Someone with write access to Redis (and not the server's id secret) changes the log: verify
finds the first entry that breaks the chain and says how."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from redis.asyncio import Redis

from bot.audit import GENESIS, AuditLog, ChainBreak, audit_key
from bot.audit.chain import head_value, link_hash
from bot.storage.keys import KeySchema
from tests.bot.audit import CRYPTO, ORG, record_sign_ins

STREAM = KeySchema().audit(ORG)
HEAD = KeySchema().audit_head(ORG)


async def _stored(redis: Redis) -> list[tuple[bytes, dict[bytes, bytes]]]:
    entries: Any = await redis.xrange(STREAM)
    return [(entry_id, dict(fields)) for entry_id, fields in entries]


async def _rewrite(redis: Redis, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
    """The stream rebuilt with the same ids, as an attacker would after editing entries."""
    await redis.delete(STREAM)
    for entry_id, fields in entries:
        await redis.xadd(STREAM, fields, id=entry_id)  # type: ignore[arg-type]


async def test_one_changed_value_is_found_at_that_entry(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    ids = await record_sign_ins(audit_log, 5)
    entries = await _stored(redis_client)
    entries[2][1][b"actor"] = b"staff:someone-else@acme.example"
    await _rewrite(redis_client, entries)

    verdict = await audit_log.verify(ORG)

    assert not verdict.ok
    assert (verdict.problem, verdict.broken_at, verdict.checked) == (ChainBreak.ALTERED, ids[2], 2)
    assert "altered" in verdict.detail


async def test_a_field_added_to_an_entry_is_found(audit_log: AuditLog, redis_client: Redis) -> None:
    ids = await record_sign_ins(audit_log, 3)
    entries = await _stored(redis_client)
    entries[1][1][b"note"] = b"approved"
    await _rewrite(redis_client, entries)

    verdict = await audit_log.verify(ORG)

    assert (verdict.problem, verdict.broken_at) == (ChainBreak.ALTERED, ids[1])
    assert "unknown ['note']" in verdict.detail


async def test_a_removed_entry_is_found_at_the_entry_after_it(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    ids = await record_sign_ins(audit_log, 5)
    await redis_client.xdel(STREAM, ids[2])

    verdict = await audit_log.verify(ORG)

    assert (verdict.problem, verdict.broken_at, verdict.checked) == (
        ChainBreak.UNLINKED,
        ids[3],
        2,
    )
    assert "removed or inserted" in verdict.detail


async def test_a_removed_first_entry_is_found_at_the_second(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    ids = await record_sign_ins(audit_log, 3)
    await redis_client.xdel(STREAM, ids[0])

    verdict = await audit_log.verify(ORG)

    assert (verdict.problem, verdict.broken_at, verdict.checked) == (
        ChainBreak.UNLINKED,
        ids[1],
        0,
    )


async def test_entries_removed_from_the_end_leave_the_head_pointing_at_nothing(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    ids = await record_sign_ins(audit_log, 4)
    await redis_client.xdel(STREAM, ids[3])

    verdict = await audit_log.verify(ORG)

    assert (verdict.problem, verdict.broken_at, verdict.checked) == (ChainBreak.HEAD, ids[2], 3)
    assert "removed from the end" in verdict.detail


async def test_entries_removed_from_the_end_and_the_head_moved_back_are_found(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    """Whoever can write to Redis removes the last entries and sets the head to the hash now
    last, in every shape they can make without the audit key."""
    ids = await record_sign_ins(audit_log, 4)
    entries = await _stored(redis_client)
    await redis_client.xdel(STREAM, ids[3])
    now_last = entries[2][1][b"hash"].decode()
    forged_mac = hashlib.sha256(f"{now_last}.3".encode()).hexdigest()
    kept: Any = await redis_client.get(HEAD)  # the true head of four entries, left as it was
    for forged in (now_last, f"{now_last}.3.{forged_mac}", kept):
        await redis_client.set(HEAD, forged)
        verdict = await audit_log.verify(ORG)
        assert (verdict.problem, verdict.checked) == (ChainBreak.HEAD, 3)


async def test_every_entry_removed_but_the_head_is_found(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    await record_sign_ins(audit_log, 2)
    await redis_client.delete(STREAM)

    verdict = await audit_log.verify(ORG)

    assert (verdict.problem, verdict.broken_at, verdict.checked) == (ChainBreak.HEAD, None, 0)


async def test_a_deleted_head_is_found(audit_log: AuditLog, redis_client: Redis) -> None:
    ids = await record_sign_ins(audit_log, 2)
    await redis_client.delete(HEAD)

    verdict = await audit_log.verify(ORG)

    assert (verdict.problem, verdict.broken_at) == (ChainBreak.HEAD, ids[1])
    assert verdict.detail == "the head is missing"


async def test_a_chain_rebuilt_with_plain_sha256_does_not_pass(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    # The attacker changes an entry and recomputes every hash after it, consistently, as a
    # plain hash chain would allow: without the key, every entry's hash is wrong.
    ids = await record_sign_ins(audit_log, 4)
    entries = await _stored(redis_client)
    entries[1][1][b"actor"] = b"staff:someone-else@acme.example"
    previous = GENESIS
    for _, fields in entries:
        canonical = _canonical(fields)
        fields[b"prev"] = previous.encode()
        fields[b"hash"] = hashlib.sha256(previous.encode() + canonical).hexdigest().encode()
        previous = fields[b"hash"].decode()
    await _rewrite(redis_client, entries)
    await redis_client.set(HEAD, previous)

    verdict = await audit_log.verify(ORG)

    assert (verdict.problem, verdict.broken_at, verdict.checked) == (ChainBreak.ALTERED, ids[0], 0)


async def test_the_same_rebuild_with_the_audit_key_passes_so_the_key_is_what_protects(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    # The limit docs/data-protection.md states: whoever holds the id secret can rewrite the
    # chain. (This also shows the attacker above followed the documented encoding exactly.)
    await record_sign_ins(audit_log, 4)
    entries = await _stored(redis_client)
    entries[1][1][b"actor"] = b"staff:someone-else@acme.example"
    key = audit_key(CRYPTO)
    previous = GENESIS
    for _, fields in entries:
        fields[b"prev"] = previous.encode()
        fields[b"hash"] = link_hash(key, previous, _canonical(fields)).encode()
        previous = fields[b"hash"].decode()
    await _rewrite(redis_client, entries)
    await redis_client.set(HEAD, head_value(key, previous, len(entries)))

    assert (await audit_log.verify(ORG)).ok


async def test_another_organisations_log_copied_in_whole_does_not_pass(
    audit_log: AuditLog, redis_client: Redis
) -> None:
    # An intact chain of "other", put in place of acme's log (stream and head): the hashes name
    # the organisation, so it verifies only where it was written.
    other = await record_sign_ins(audit_log, 3, org="other")
    await record_sign_ins(audit_log, 2)
    copied: Any = await redis_client.xrange(KeySchema().audit("other"))
    await _rewrite(redis_client, [(entry_id, dict(fields)) for entry_id, fields in copied])
    await redis_client.set(HEAD, (await audit_log.head("other")) or "")

    verdict = await audit_log.verify(ORG)

    assert (verdict.problem, verdict.broken_at, verdict.checked) == (
        ChainBreak.ALTERED,
        other[0],
        0,
    )
    assert (await audit_log.verify("other")).ok


def _canonical(fields: dict[bytes, bytes], org: str = ORG) -> bytes:
    """The documented canonical encoding, as an attacker reading the docs would build it."""
    text = {k.decode(): v.decode() for k, v in fields.items()}
    document = {
        "v": 1,
        "org": org,
        "at": int(text["at"]),
        "actor": text["actor"],
        "action": text["action"],
        "target": text.get("target"),
        "count": int(text["count"]) if "count" in text else None,
        "address": text.get("addr"),
        "details": json.loads(text.get("details", "{}")),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
