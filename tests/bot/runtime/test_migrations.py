"""Upgrading: one-key event markers and send claims (the format before they were kept per
participant) move into the participants' sets once, and still deduplicate afterwards."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

from redis.asyncio import Redis

from bot.access.organisations import DEFAULT_ORG
from bot.conversation.inbound import Answer, Channel, InboundEvent, Join
from bot.conversation.outgoing import Outgoing
from bot.records.cases import list_cases
from bot.records.desk import desk_page, desk_place
from bot.runtime.claims import Claimed, Pending, SendClaim
from bot.runtime.event_codec import encode
from bot.runtime.markers import is_committed, marker_member
from bot.runtime.migrations import SCHEMA_VERSION, migrate, schema_version
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from bot.runtime.ratelimit import ChatPace
from bot.runtime.sender import GROUP as SENDERS
from bot.settings.loop import DEFAULT_RESPONSE_DAYS
from dialogues.inbound import TextReply
from tests.kit import stored
from tests.kit.example import open_example
from tests.kit.runtime import Runtime, make_runtime

WINDOW = 7 * 24 * 3600  # the dedupe window the older keys were written with
UNPACED = ChatPace(interval_ms=0.0, tolerance_ms=0.0)  # a claim the recipient's pace allows


async def _runtime(redis: Redis, shards: int = 4) -> Runtime:
    runtime = make_runtime(redis, shards=shards)
    runtime.clock_ms = int(time.time() * 1000)  # the migration dates markers by the clock
    await open_example(runtime.campaigns)
    return runtime


async def _migrate(runtime: Runtime) -> Any:
    return await migrate(runtime.redis, runtime.schema, dedupe_ttl_seconds=WINDOW)


def _older_marker(runtime: Runtime, event: InboundEvent) -> str:
    """The key the previous version kept an event's marker in."""
    return f"{runtime.schema.tag(runtime.schema.shard_of(event.participant_id))}:e:{event.event_id}"


async def _ingest_the_older_way(runtime: Runtime, event: InboundEvent, value: str) -> None:
    """What the previous version's ingest (and, for "1", its commit) left in Redis."""
    await runtime.redis.set(_older_marker(runtime, event), value, ex=WINDOW - 60)
    fields: Any = encode(event, runtime.crypto)
    shard = runtime.schema.shard_of(event.participant_id)
    await runtime.redis.xadd(runtime.schema.inbound(shard), fields)


async def test_a_message_stored_before_the_upgrade_and_delivered_again_counts_once(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    pid = runtime.participant("neema")
    join = runtime.event(pid, Join("safe-connect-2026", "en"))
    await _ingest_the_older_way(runtime, join, "0")  # stored, not committed yet

    done = await _migrate(runtime)
    assert done.markers.moved["event"] == 1
    assert await redis_client.exists(_older_marker(runtime, join)) == 0

    assert not await runtime.ingestor.ingest(join)  # the platform delivers it again: a duplicate
    assert await runtime.drain() == 1  # the stored one is taken, once
    marker = runtime.ingestor.marker(join)
    assert is_committed(await redis_client.zscore(marker.key, marker.member))
    assert (await stored.counters(redis_client, runtime.schema))["started"] == 1


async def test_an_event_committed_before_the_upgrade_is_not_committed_again(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    pid = runtime.participant("baraka")
    await runtime.ingestor.ingest(runtime.event(pid, Join("safe-connect-2026", "en")))
    await runtime.drain()
    committed_before = runtime.answer(pid, TextReply("1"))  # "calls", were it taken again
    await _ingest_the_older_way(runtime, committed_before, "1")  # and its entry comes back

    await _migrate(runtime)

    assert await runtime.drain() == 1  # acknowledged, not committed again
    assert "uses" not in await stored.answers(redis_client, runtime.schema, pid)
    assert not await runtime.ingestor.ingest(committed_before)


async def test_a_claim_taken_before_the_upgrade_still_stops_a_second_send(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    pid = runtime.participant("chat-9", Channel.TELEGRAM)
    entry = OutboxEntry("older-event:0", pid, Channel.TELEGRAM.value, Outgoing("sent?"), 0)
    outbox = runtime.schema.outbox(runtime.schema.shard_of(pid), Priority.REPLY)
    await enqueue(redis_client, runtime.schema, runtime.crypto, entry, Priority.REPLY)
    # The previous sender read it, claimed it (maybe sent it) and died before acknowledging it.
    await redis_client.xgroup_create(outbox, SENDERS, id="0")
    read: Any = await redis_client.xreadgroup(SENDERS, "older-sender", {outbox: ">"})
    entry_id = read[0][1][0][0]
    older = runtime.schema.older_send_claim(pid, entry.key)
    await redis_client.set(older, "1", ex=WINDOW - 60)

    done = await _migrate(runtime)

    assert done.markers.moved["claim"] == 1
    assert await redis_client.exists(older) == 0
    lease = runtime.schema.lease("sender", runtime.schema.shard_of(pid))
    pending = Pending(outbox, SENDERS, entry_id, "older-sender", lease)
    claim = SendClaim.of(runtime.schema, entry, pending, WINDOW)
    assert (await claim.take(redis_client, UNPACED)).outcome is Claimed.BEFORE


async def test_keys_whose_event_or_message_is_gone_are_deleted_and_counted(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    pid = runtime.participant("zawadi")
    handled = runtime.event(pid, Join("safe-connect-2026", "en"))
    await redis_client.set(_older_marker(runtime, handled), "1", ex=3600)
    sent = runtime.schema.older_send_claim(pid, "sent-and-acknowledged:0")
    await redis_client.set(sent, "1", ex=3600)

    done = await _migrate(runtime)

    assert done.markers.unplaced == {"event": 1, "claim": 1}
    assert done.markers.moved == {"event": 0, "claim": 0}
    assert await redis_client.exists(_older_marker(runtime, handled), sent) == 0


async def test_the_migration_keeps_the_time_a_marker_was_written_and_its_expiry(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    pid = runtime.participant("imani")
    join = runtime.event(pid, Join("safe-connect-2026", "en"))
    await _ingest_the_older_way(runtime, join, "0")
    await redis_client.expire(_older_marker(runtime, join), 3600)  # written 7 days - 1 h ago

    await _migrate(runtime)

    marker = runtime.ingestor.marker(join)
    score = await redis_client.zscore(marker.key, marker.member)
    written_s = time.time() - (WINDOW - 3600)
    assert score is not None
    assert abs(score / 2 - (written_s - 1_767_225_600)) < 5  # seconds since 2026, times two
    assert 3500 < await redis_client.ttl(marker.key) <= 3600
    assert marker.member == marker_member(join.event_id)


async def test_the_migration_runs_once(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    assert await schema_version(redis_client, runtime.schema) == 1
    first = await _migrate(runtime)
    assert (first.before, first.after) == (1, SCHEMA_VERSION)
    assert await schema_version(redis_client, runtime.schema) == SCHEMA_VERSION

    pid = runtime.participant("later")
    late = runtime.event(pid, Join("safe-connect-2026", "en"))
    await redis_client.set(_older_marker(runtime, late), "0", ex=3600)
    again = await _migrate(runtime)

    assert again.markers is None  # recorded as done: not run, not even scanned
    assert await redis_client.exists(_older_marker(runtime, late)) == 1


async def test_processes_migrating_at_once_move_each_key_exactly_once(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client, shards=8)
    events = []
    for n in range(120):
        pid = runtime.participant(f"person-{n}")
        event = runtime.event(pid, Join("safe-connect-2026", "en"))
        await _ingest_the_older_way(runtime, event, "0")
        events.append(event)

    done = await asyncio.gather(*(_migrate(runtime) for _ in range(3)))

    assert sum(d.markers.moved["event"] for d in done if d.markers) == len(events)
    for event in events:
        marker = runtime.ingestor.marker(event)
        assert await redis_client.zscore(marker.key, marker.member) is not None
        assert await redis_client.exists(_older_marker(runtime, event)) == 0
    assert await runtime.drain() == len(events)
    assert (await stored.counters(redis_client, runtime.schema))["started"] == len(events)


async def test_a_case_raised_before_the_upgrade_shows_among_the_participants_cases(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    await _migrate(runtime)
    pid = runtime.participant("neema")
    for said in (Join("safe-connect-2026", "en"), "/feedback", "The tower is down"):
        action = said if isinstance(said, Join) else Answer(TextReply(said))
        await runtime.ingestor.ingest(runtime.event(pid, action))
        await runtime.drain()
    mine = runtime.schema.participant_cases(pid)
    [reference] = await redis_client.zrange(mine, 0, -1)
    # As the version before kept it: no list of their own cases.
    await redis_client.delete(mine)
    await redis_client.hset(runtime.schema.meta, "schema", "4")

    migrated = await _migrate(runtime)

    assert (migrated.before, migrated.after, migrated.cases_indexed) == (4, SCHEMA_VERSION, 1)
    assert await redis_client.zrange(mine, 0, -1) == [reference]
    assert (await _migrate(runtime)).cases_indexed == 0  # recorded as done


async def test_cases_raised_before_the_upgrade_are_placed_on_their_organisations_desk(
    redis_client: Redis,
) -> None:
    runtime = await _runtime(redis_client)
    await _migrate(runtime)
    schema = runtime.schema
    for name in ("neema", "baraka"):
        pid = runtime.participant(name)
        for said in (Join("safe-connect-2026", "en"), "/feedback", "The tower is down"):
            action = said if isinstance(said, Join) else Answer(TextReply(said))
            await runtime.ingestor.ingest(runtime.event(pid, action))
            await runtime.drain()
    cases = await list_cases(redis_client, schema)
    # As the version before kept them: no organisation on the case, no desk, and one case from
    # before the promised time was kept, which the desk read as promised the default.
    older = cases[0]
    default_due = older.created_ms + DEFAULT_RESPONSE_DAYS * 86_400_000
    expected = {desk_place(replace(older, due_ms=default_due)), desk_place(cases[1])}
    assert len(expected) == 2
    assert None not in expected
    for shard in range(schema.shards):
        await redis_client.delete(schema.desk(shard, DEFAULT_ORG))
        await redis_client.delete(schema.desk_moves(shard, DEFAULT_ORG))
    for case in cases:
        await redis_client.hdel(schema.case(case.shard, case.reference), "org")
    await redis_client.hdel(schema.case(older.shard, older.reference), "due")
    await redis_client.hset(schema.meta, "schema", "6")

    migrated = await _migrate(runtime)

    assert (migrated.before, migrated.after, migrated.cases_placed) == (6, SCHEMA_VERSION, 2)
    page = await desk_page(redis_client, schema, DEFAULT_ORG, limit=10)
    assert {desk_place(case) for case in page.cases} == expected
    assert [case.org for case in page.cases] == [DEFAULT_ORG, DEFAULT_ORG]
    assert (await _migrate(runtime)).cases_placed == 0  # recorded as done
