"""Poison entries: an inbound event that fails however and wherever it fails (loading, planning,
committing, or outside any one event) is retried a bounded number of times, then set aside as
a dead letter, and never holds up anyone else on its shard."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.conversation.inbound import Command, InboundEvent, Join
from bot.runtime.worker import GROUP, WorkerConfig
from dialogues.inbound import ChoiceReply, TextReply
from tests.kit import stored
from tests.kit.example import open_example
from tests.kit.runtime import Runtime, make_runtime

CAMPAIGN = "safe-connect-2026"
ATTEMPTS = 3


async def _runtime(redis: Redis) -> Runtime:
    runtime = make_runtime(redis, shards=1, config=WorkerConfig(block_ms=10, max_attempts=ATTEMPTS))
    await open_example(runtime.campaigns)
    await runtime.worker.ensure_group(0)
    return runtime


async def _joined(runtime: Runtime, user: str) -> str:
    pid = runtime.participant(user)
    await runtime.ingestor.ingest(runtime.event(pid, Join(CAMPAIGN, "en")))
    await runtime.drain()
    return pid


async def _uses(runtime: Runtime, pid: str) -> Any:
    answers = await stored.answers(runtime.redis, runtime.schema, pid)
    return answers["uses"].get("v") if "uses" in answers else None


async def _dead_letters(runtime: Runtime) -> list[dict[bytes, bytes]]:
    entries: Any = await runtime.redis.xrange(runtime.schema.dead_letters(0))
    return [fields for _, fields in entries]


async def _pending(runtime: Runtime) -> int:
    summary: Any = await runtime.redis.xpending(runtime.schema.inbound(0), GROUP)
    return int(summary["pending"])


async def _poison_batch(runtime: Runtime, poisoned: str) -> tuple[InboundEvent, list[str]]:
    """One batch: two neighbours' answers, the poisoned participant's answer between them."""
    neighbours = [await _joined(runtime, name) for name in ("before", "after")]
    poison = runtime.answer(poisoned, ChoiceReply("uses", ("sms",)))
    await runtime.ingestor.ingest(runtime.answer(neighbours[0], ChoiceReply("uses", ("sms",))))
    await runtime.ingestor.ingest(poison)
    await runtime.ingestor.ingest(runtime.answer(neighbours[1], ChoiceReply("uses", ("money",))))
    return poison, neighbours


async def _assert_set_aside_after_bounded_tries(
    runtime: Runtime, poison: InboundEvent, neighbours: list[str]
) -> None:
    # The first poll already commits both neighbours: they do not wait for the poison's tries.
    assert await runtime.worker.poll(0, block_ms=None) == 2
    assert await _uses(runtime, neighbours[0]) == ["sms"]
    assert await _uses(runtime, neighbours[1]) == ["money"]
    for _ in range(ATTEMPTS - 2):
        assert await runtime.worker.poll(0, block_ms=None) == 0
        assert await _dead_letters(runtime) == []
    assert await runtime.worker.poll(0, block_ms=None) == 1  # the last try: set aside
    letters = await _dead_letters(runtime)
    assert [letter[b"id"].decode() for letter in letters] == [poison.event_id]
    assert await _pending(runtime) == 0
    failures = runtime.metrics.registry.get_sample_value("sauti_event_failures_total")
    assert failures == ATTEMPTS
    # The shard flows on: a later answer is committed on the next poll.
    later = await _joined(runtime, "later")
    await runtime.ingestor.ingest(runtime.answer(later, ChoiceReply("uses", ("sms",))))
    assert await runtime.worker.poll(0, block_ms=None) == 1
    assert await _uses(runtime, later) == ["sms"]


@pytest.mark.parametrize("digits", ["²", "①", "፩", "9" * 5000])
async def test_a_number_int_cannot_read_typed_at_a_menu_stops_nobody(
    redis_client: Redis, digits: str
) -> None:
    """Regression: "²" is `isdigit()` but not `int()`-able; typed at the help menu it killed
    the shard's worker loop for good."""
    runtime = await _runtime(redis_client)
    pid = await _joined(runtime, "menu")
    await runtime.ingestor.ingest(runtime.event(pid, Command("help")))
    await runtime.drain()
    neighbour = await _joined(runtime, "neighbour")
    await runtime.ingestor.ingest(runtime.answer(pid, TextReply(digits)))
    await runtime.ingestor.ingest(runtime.answer(neighbour, ChoiceReply("uses", ("sms",))))
    assert await runtime.worker.poll(0, block_ms=None) == 2
    assert await _dead_letters(runtime) == []  # read as what they typed, not a failure
    assert await _uses(runtime, neighbour) == ["sms"]
    assert runtime.metrics.registry.get_sample_value("sauti_event_failures_total") == 0


async def test_a_participant_record_that_cannot_be_loaded_is_set_aside(redis_client: Redis) -> None:
    """Loading: the batch's one read of every participant fails (a key of the wrong type), so
    the whole batch fails; taken one entry at a time, only the poisoned one does."""
    runtime = await _runtime(redis_client)
    poisoned = await _joined(runtime, "poisoned")
    poison, neighbours = await _poison_batch(runtime, poisoned)
    await redis_client.delete(runtime.schema.participant(poisoned))
    await redis_client.set(runtime.schema.participant(poisoned), "not a hash")
    await _assert_set_aside_after_bounded_tries(runtime, poison, neighbours)


async def test_a_session_that_cannot_be_read_is_set_aside(redis_client: Redis) -> None:
    """Planning: the stored session is damaged (written by hand, or by a newer Sauti)."""
    runtime = await _runtime(redis_client)
    poisoned = await _joined(runtime, "poisoned")
    poison, neighbours = await _poison_batch(runtime, poisoned)
    await redis_client.set(runtime.schema.session(poisoned, CAMPAIGN), '{"damaged": ')
    await _assert_set_aside_after_bounded_tries(runtime, poison, neighbours)


async def test_a_commit_that_redis_refuses_is_set_aside(redis_client: Redis) -> None:
    """Committing: the answers key is of the wrong type, so the commit script fails."""
    runtime = await _runtime(redis_client)
    poisoned = await _joined(runtime, "poisoned")
    poison, neighbours = await _poison_batch(runtime, poisoned)
    await redis_client.set(runtime.schema.answers(poisoned, CAMPAIGN), "not a hash")
    await _assert_set_aside_after_bounded_tries(runtime, poison, neighbours)


async def test_an_error_outside_any_one_event_is_pinned_on_its_entry(
    redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wiring: whatever raises while a batch is worked out, wherever, is tried one entry at a
    time and counted against the entry that raises it."""
    runtime = await _runtime(redis_client)
    poisoned = await _joined(runtime, "poisoned")
    poison, neighbours = await _poison_batch(runtime, poisoned)
    worker: Any = runtime.worker
    real_load = worker._load

    async def load_failing_for_the_poison(events: list[tuple[bytes, InboundEvent]]) -> Any:
        if any(event.event_id == poison.event_id for _, event in events):
            raise RuntimeError("a bug nobody foresaw")
        return await real_load(events)

    monkeypatch.setattr(worker, "_load", load_failing_for_the_poison)
    await _assert_set_aside_after_bounded_tries(runtime, poison, neighbours)


async def test_a_participants_later_events_wait_behind_their_failing_one(
    redis_client: Redis,
) -> None:
    """Order holds while a poison is retried: their next answer is not applied before it."""
    runtime = await _runtime(redis_client)
    poisoned = await _joined(runtime, "poisoned")
    await redis_client.set(runtime.schema.answers(poisoned, CAMPAIGN), "not a hash")
    await runtime.ingestor.ingest(runtime.answer(poisoned, ChoiceReply("uses", ("sms",))))
    await runtime.ingestor.ingest(runtime.answer(poisoned, TextReply("2")))
    assert await runtime.worker.poll(0, block_ms=None) == 0
    assert await _pending(runtime) == 2  # the second waits behind the first
    for _ in range(ATTEMPTS - 1):
        await runtime.worker.poll(0, block_ms=None)
    # The first is set aside; the second was never tried on top of it, so nothing counts
    # against it yet (it is tried on its own from now on).
    assert len(await _dead_letters(runtime)) == 1
    assert runtime.metrics.registry.get_sample_value("sauti_event_failures_total") == ATTEMPTS
    assert await _pending(runtime) == 1


async def test_a_failure_every_participant_meets_alike_is_counted_against_none(
    redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not one event's fault (a broken open campaign, Redis refusing in words of its own):
    the backlog must not be dead-lettered while it lasts."""
    runtime = await _runtime(redis_client)
    pids = [await _joined(runtime, name) for name in ("a", "b", "c")]
    for pid in pids:
        await runtime.ingestor.ingest(runtime.answer(pid, ChoiceReply("uses", ("sms",))))

    async def refused() -> Any:
        raise RuntimeError("every event needs this")

    monkeypatch.setattr(runtime.campaigns, "open_campaigns", refused)
    for _ in range(ATTEMPTS + 2):
        with pytest.raises(RuntimeError):
            await runtime.worker.poll(0, block_ms=None)
    assert await _dead_letters(runtime) == []
    assert runtime.metrics.registry.get_sample_value("sauti_event_failures_total") == 0
    monkeypatch.undo()  # fixed: everything goes through
    assert await runtime.worker.poll(0, block_ms=None) == 3
    assert [await _uses(runtime, pid) for pid in pids] == [["sms"]] * 3


def test_redis_refusing_for_its_own_state_is_unavailability_not_a_poison() -> None:
    from redis.exceptions import ClusterError, ResponseError

    from bot.storage.errors import is_storage_unavailable

    for reply in ("MISCONF Redis is configured to save RDB snapshots", "NOREPLICAS Not enough"):
        assert is_storage_unavailable(ResponseError(reply))
    assert is_storage_unavailable(ClusterError("TTL exhausted."))
    assert not is_storage_unavailable(ResponseError("WRONGTYPE Operation against a key"))


async def test_a_dead_lettered_events_effects_never_reach_the_next_event(
    redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the batch's view of a participant was updated before their event's commit
    was planned; when planning failed for good, their next event was worked out on top of
    the dead-lettered one (its answer then stored after all)."""
    runtime = make_runtime(redis_client, shards=1, config=WorkerConfig(block_ms=10, max_attempts=1))
    await open_example(runtime.campaigns)
    await runtime.worker.ensure_group(0)
    pid = await _joined(runtime, "amina")
    doomed = runtime.answer(pid, ChoiceReply("uses", ("money",)))
    await runtime.ingestor.ingest(doomed)
    await runtime.ingestor.ingest(runtime.answer(pid, ChoiceReply("uses", ("sms",))))
    import bot.runtime.worker as worker_module
    from bot.runtime.commit import writes_for_turn as real_writes_for_turn

    def failing_for_the_doomed(turn: Any, event: Any, schema: Any) -> Any:  # wiring: planning fails
        if event.event_id == doomed.event_id:
            raise RuntimeError("cannot plan this commit")
        return real_writes_for_turn(turn, event, schema)

    monkeypatch.setattr(worker_module, "writes_for_turn", failing_for_the_doomed)
    assert await runtime.worker.poll(0, block_ms=None) == 1  # the doomed one, set aside
    assert await _uses(runtime, pid) is None  # the next waited for the next batch
    assert await runtime.worker.poll(0, block_ms=None) == 1
    assert await _uses(runtime, pid) == ["sms"]  # worked out from what is stored
