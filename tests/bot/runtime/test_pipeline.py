"""The durable pipeline against a real Redis: ingest -> stream -> worker -> one atomic commit."""

from __future__ import annotations

import dataclasses
from typing import Any

from redis.asyncio import Redis

from bot.conversation.inbound import Join
from bot.conversation.stored_sessions import decode_session
from bot.runtime.event_codec import encode
from bot.runtime.markers import MAX_MARKERS, is_committed
from bot.runtime.worker import GROUP
from dialogues import SessionStatus
from dialogues.inbound import ChoiceReply, Skip, TextReply
from tests.kit import stored
from tests.kit.example import open_example
from tests.kit.runtime import Runtime, make_runtime

SECRET_STORY = "Soldiers at the checkpoint read my messages"  # a free-text answer


async def _runtime_with_campaign(redis: Redis, shards: int = 4) -> Runtime:
    runtime = make_runtime(redis, shards=shards)
    await open_example(runtime.campaigns)
    return runtime


async def _answers(runtime: Runtime, pid: str) -> dict[str, dict[str, Any]]:
    return await stored.answers(runtime.redis, runtime.schema, pid)


async def _counters(runtime: Runtime) -> dict[str, int]:
    return await stored.counters(runtime.redis, runtime.schema)


TYPED_SW = ["1, 3", "2", "wizi", "ndiyo", SECRET_STORY, "hapana", "3", "2 5", "8", "2", "ruka", "3"]


async def _complete_survey(runtime: Runtime, user: str) -> str:
    pid = runtime.participant(user)
    await runtime.ingestor.ingest(runtime.event(pid, Join("safe-connect-2026", "sw")))
    for text in TYPED_SW:
        await runtime.ingestor.ingest(runtime.answer(pid, TextReply(text)))
    await runtime.drain()
    return pid


async def test_a_full_survey_is_recorded_once_with_counters(redis_client: Redis) -> None:
    runtime = await _runtime_with_campaign(redis_client)
    pid = await _complete_survey(runtime, "amina")
    answers = await _answers(runtime, pid)
    assert answers["uses"]["v"] == ["calls", "money"]
    assert answers["unsafe"]["v"] == "yes"
    assert answers["change"]["o"] == "skipped"
    assert "v" not in answers["unsafe_what"]  # free text is sealed, not stored in clear
    session_raw: Any = await redis_client.get(runtime.schema.session(pid, "safe-connect-2026"))
    assert decode_session(session_raw).status is SessionStatus.COMPLETED
    assert await _counters(runtime) == {"started": 1, "completed": 1, "answers": 12}


async def test_free_text_and_addresses_are_nowhere_in_redis_in_clear(redis_client: Redis) -> None:
    runtime = await _runtime_with_campaign(redis_client)
    pid = runtime.participant("+255700000001")
    join = runtime.event(pid, Join("safe-connect-2026", "sw"), address="+255700000001")
    await runtime.ingestor.ingest(join)
    for text in TYPED_SW:
        await runtime.ingestor.ingest(runtime.answer(pid, TextReply(text)))
    dump = await _dump_everything(redis_client)  # before processing: the streams
    await runtime.drain()
    dump += await _dump_everything(redis_client)  # after: records, answers, inbox
    assert SECRET_STORY.encode() not in dump
    assert b"255700000001" not in dump


async def _dump_everything(redis: Any) -> bytes:  # Any: replies are bytes here
    parts: list[bytes] = []
    async for key in redis.scan_iter(count=1000):
        parts.append(key)
        kind = (await redis.type(key)).decode()
        if kind == "string":
            parts.append(await redis.get(key) or b"")
        elif kind == "hash":
            parts += [b for kv in (await redis.hgetall(key)).items() for b in kv]
        elif kind == "list":
            parts += await redis.lrange(key, 0, -1)
        elif kind == "stream":
            for _, fields in await redis.xrange(key):
                parts += [b for kv in fields.items() for b in kv]
        elif kind == "set":
            parts += list(await redis.smembers(key))
    return b"\n".join(parts)


async def test_the_same_platform_message_delivered_three_times_counts_once(
    redis_client: Redis,
) -> None:
    runtime = await _runtime_with_campaign(redis_client)
    pid = runtime.participant("juma")
    await runtime.ingestor.ingest(runtime.event(pid, Join("safe-connect-2026", "en")))
    answer = runtime.answer(pid, TextReply("1,4"))
    stored = [await runtime.ingestor.ingest(answer) for _ in range(3)]
    assert stored == [True, False, False]
    await runtime.drain()
    assert (await _answers(runtime, pid))["uses"]["v"] == ["calls", "internet"]
    assert (await _counters(runtime))["answers"] == 1


async def test_a_replayed_stream_entry_changes_nothing(redis_client: Redis) -> None:
    """Past the ingest dedupe (e.g. a dead letter replayed after it was committed after all)."""
    runtime = await _runtime_with_campaign(redis_client)
    pid = runtime.participant("fatuma")
    await runtime.ingestor.ingest(runtime.event(pid, Join("safe-connect-2026", "en")))
    answer = runtime.answer(pid, TextReply("2"))
    await runtime.ingestor.ingest(answer)
    await runtime.drain()
    before = await _answers(runtime, pid), await _counters(runtime)
    shard = runtime.schema.shard_of(pid)
    fields: Any = encode(answer, runtime.crypto)
    await redis_client.xadd(runtime.schema.inbound(shard), fields)
    assert await runtime.drain() == 1
    assert (await _answers(runtime, pid), await _counters(runtime)) == before


async def test_a_worker_that_died_mid_batch_is_taken_over_and_nothing_is_recorded_twice(
    redis_client: Redis,
) -> None:
    runtime = await _runtime_with_campaign(redis_client, shards=1)
    pids = [runtime.participant(f"p{n}") for n in range(20)]
    for pid in pids:
        await runtime.ingestor.ingest(runtime.event(pid, Join("safe-connect-2026", "en")))
        await runtime.ingestor.ingest(runtime.answer(pid, ChoiceReply("uses", ("sms",))))
    # A worker reads the whole batch and dies before committing anything.
    await runtime.worker.ensure_group(0)
    stream = runtime.schema.inbound(0)
    read: Any = await redis_client.xreadgroup(GROUP, "dead-worker", {stream: ">"}, count=1000)
    assert len(read[0][1]) == 40
    # Another worker takes the shard over.
    successor = runtime.with_worker("successor")
    assert await successor.worker.claim_orphans(0) == 40
    await successor.drain()
    assert await redis_client.xpending(stream, GROUP) == {
        "pending": 0,
        "min": None,
        "max": None,
        "consumers": [],
    }
    for pid in pids:
        assert (await _answers(runtime, pid))["uses"]["v"] == ["sms"]
    assert await _counters(runtime) == {"started": 20, "answers": 20}


async def test_events_of_one_participant_in_one_batch_apply_in_order(redis_client: Redis) -> None:
    runtime = await _runtime_with_campaign(redis_client, shards=1)
    pid = runtime.participant("neema")
    await runtime.ingestor.ingest(runtime.event(pid, Join("safe-connect-2026", "en")))
    # "1" means option 1 of `uses` only if it comes after "3" answered `uses`: then it is the
    # scale, and Skip is refused on the required `worry` that follows.
    for inbound in (TextReply("3"), TextReply("1"), Skip(), TextReply("2")):
        await runtime.ingestor.ingest(runtime.answer(pid, inbound))
    await runtime.drain()
    answers = await _answers(runtime, pid)
    assert answers["uses"]["v"] == ["money"]
    assert answers["money_safe"]["v"] == 1
    assert answers["worry"]["v"] == "scams"


async def test_answers_are_recorded_after_redis_forgot_its_scripts(redis_client: Redis) -> None:
    """A restarted or failed-over Redis has an empty script cache: the first batch after it
    must still commit, not count failures towards the dead letters."""
    runtime = await _runtime_with_campaign(redis_client)
    pid = runtime.participant("zawadi")
    await runtime.ingestor.ingest(runtime.event(pid, Join("safe-connect-2026", "en")))
    await redis_client.script_flush()
    await runtime.ingestor.ingest(runtime.answer(pid, TextReply("2")))
    await redis_client.script_flush()
    assert await runtime.drain() == 2
    assert (await _answers(runtime, pid))["uses"]["v"] == ["sms"]
    assert runtime.metrics.registry.get_sample_value("sauti_event_failures_total") == 0


async def test_a_participants_markers_share_one_expiring_set(redis_client: Redis) -> None:
    """Deduplication and "committed" share one marker per event, and a participant's markers
    share one key that expires like the dedupe window says: markers must not pile up, and a key
    per event (about 80 bytes each) was most of what a participant cost Redis."""
    runtime = await _runtime_with_campaign(redis_client)
    pid = runtime.participant("baraka")
    join = runtime.event(pid, Join("safe-connect-2026", "en"))
    await runtime.ingestor.ingest(join)
    marker = runtime.ingestor.marker(join)
    stored = await redis_client.zscore(marker.key, marker.member)
    assert stored is not None
    assert not is_committed(stored)
    await runtime.drain()
    assert is_committed(await redis_client.zscore(marker.key, marker.member))
    for text in ["1", "2"]:
        await runtime.ingestor.ingest(runtime.answer(pid, TextReply(text)))
    await runtime.drain()
    assert await redis_client.zcard(marker.key) == 3
    assert 0 < await redis_client.ttl(marker.key) <= 7 * 24 * 3600
    assert [key async for key in redis_client.scan_iter(match="t:*:e:*")] == [marker.key.encode()]


async def test_markers_older_than_the_dedupe_window_are_dropped(redis_client: Redis) -> None:
    """Within the window a redelivered message is a duplicate; the window's end forgets it."""
    runtime = await _runtime_with_campaign(redis_client)
    pid = runtime.participant("rehema")
    join = runtime.event(pid, Join("safe-connect-2026", "en"))
    assert await runtime.ingestor.ingest(join)
    assert not await runtime.ingestor.ingest(
        dataclasses.replace(join, received_at_ms=join.received_at_ms + 3600_000)
    )
    week_later = join.received_at_ms + 7 * 24 * 3600_000 + 1000
    answer = runtime.answer(pid, TextReply("1"))
    assert await runtime.ingestor.ingest(dataclasses.replace(answer, received_at_ms=week_later))
    marker = runtime.ingestor.marker(join)
    assert await redis_client.zscore(marker.key, marker.member) is None
    assert await redis_client.zcard(marker.key) == 1


async def test_a_flood_from_one_participant_keeps_a_bounded_marker_set(
    redis_client: Redis,
) -> None:
    runtime = await _runtime_with_campaign(redis_client)
    pid = runtime.participant("flood")
    events = [runtime.answer(pid, TextReply(str(n))) for n in range(MAX_MARKERS + 20)]
    for event in events:
        assert await runtime.ingestor.ingest(event)
    oldest, newest = runtime.ingestor.marker(events[0]), runtime.ingestor.marker(events[-1])
    assert await redis_client.zcard(newest.key) == MAX_MARKERS
    assert await redis_client.zscore(oldest.key, oldest.member) is None  # the oldest go first
    assert not await runtime.ingestor.ingest(events[-1])  # the recent ones still deduplicate
