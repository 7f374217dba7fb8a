"""Upgrading to schema 4 (result counters) and 6 (drop-off counters): campaigns answered before
commits kept them get them, counted from the sessions stored, and the commits after the upgrade
carry on from there."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.conversation.inbound import Answer, Channel
from bot.records.recount import Recounted, recount_results
from bot.runtime import migrations
from bot.runtime.migrations import (
    DROP_OFF_VERSION,
    SCHEMA_FIELD,
    SCHEMA_VERSION,
    migrate,
    schema_version,
)
from bot.storage.keys import KeySchema
from bot.storage.scripts import SWAP_RESULTS
from dialogues.inbound import ChoiceReply, GoBack
from tests.bot.records.test_results import (
    CAMPAIGN,
    Person,
    deployment,
    options,
    people,
    question,
    results,
)
from tests.kit.runtime import Runtime
from tests.kit.stored import result_counters


async def forget_snapshots(runtime: Runtime) -> None:
    """No results snapshot, as a Sauti before schema 8 left the data: readers read live."""
    keys: Any = [key async for key in runtime.redis.scan_iter(match="sauti:*", count=1000)]
    made = [key for key in keys if b":cs:" in key or b":ch:" in key or b":snapshot:" in key]
    if made:
        await runtime.redis.delete(*made)


async def forget_result_counters(runtime: Runtime) -> None:
    """The counters as a Sauti before schema 4 left them: `started`, `completed`, `answers`."""
    await forget_snapshots(runtime)
    for shard in range(runtime.schema.shards):
        key = runtime.schema.counters(shard, CAMPAIGN)
        names: Any = await runtime.redis.hkeys(key)
        result_fields = [name for name in names if b"." in name or b"=" in name]
        if result_fields:
            await runtime.redis.hdel(key, *result_fields)
    await runtime.redis.hset(runtime.schema.meta, SCHEMA_FIELD, 2)


async def test_the_migration_counts_what_was_answered_before_it(redis_client: Redis) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 3, "w", source="well", worries=("price", "safety"), trips="2")
    await people(runtime, 2, "t", source="tap", channel=Channel.TELEGRAM, language="fr")
    halfway = Person(runtime, "h")
    await halfway.join()
    await halfway.send(Answer(ChoiceReply("source", ("well",))))
    expected = [await results(runtime, by=by) for by in (None, "language", "channel", "worries")]
    await forget_result_counters(runtime)
    assert await result_counters(runtime.redis, runtime.schema) == {}

    done = await migrate(redis_client, runtime.schema, dedupe_ttl_seconds=3600)

    assert done.results is not None
    assert (done.results.campaigns, done.results.sessions) == (1, 6)
    assert await schema_version(redis_client, runtime.schema) == SCHEMA_VERSION
    assert [await results(runtime, by=by) for by in (None, "language", "channel", "worries")] == (
        expected
    )
    again = await recount_results(redis_client, runtime.schema)  # a second run changes nothing
    assert again.sessions == 6
    assert await results(runtime, by="worries") == expected[3]

    # Commits after the upgrade move the recounted counts as they move their own.
    await halfway.send(Answer(GoBack()))
    await halfway.send(Answer(ChoiceReply("source", ("river",))))
    await people(runtime, 1, "r", source="river")
    assert options(await results(runtime), "source") == {"well": 3, "tap": 2, "river": 2}


async def test_a_recount_is_not_written_over_a_commit_that_came_meanwhile(
    redis_client: Redis,
) -> None:
    runtime = await deployment(redis_client)
    [person] = await people(runtime, 1, "w", source="well")
    key = runtime.schema.counters(runtime.schema.shard_of(person.pid), CAMPAIGN)
    snapshot: Any = await redis_client.hgetall(key)
    await people(runtime, 1, "w2", source="well")  # a commit; maybe on another shard
    await redis_client.hincrby(key, "source=well", 1)  # one on this shard, for certain
    pairs = [item for pair in snapshot.items() for item in pair]
    assert await SWAP_RESULTS(redis_client, [key], [len(snapshot), *pairs, "source=well", 1]) == 0
    assert await SWAP_RESULTS(redis_client, [key], [0]) == 0
    current: Any = await redis_client.hgetall(key)
    pairs = [item for pair in current.items() for item in pair]
    assert await SWAP_RESULTS(redis_client, [key], [len(current), *pairs, "source=tap", 7]) == 1
    after: Any = await redis_client.hgetall(key)
    assert after[b"source=tap"] == b"7"
    assert b"source=well" not in after
    assert after[b"started"] == current[b"started"]  # not a result counter: kept


async def test_shards_left_uncounted_under_traffic_are_counted_at_the_next_migration(
    redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thin wiring: when some shards' counters kept changing under commits (the recount gives
    up on them), the version stays before 6, so the next start counts again."""
    busy = Recounted(campaigns=1, sessions=0, busy_shards=2)

    async def recount_under_traffic(*_: Any, **__: Any) -> Recounted:
        return busy

    monkeypatch.setattr(migrations, "recount_results", recount_under_traffic)
    await redis_client.hset(KeySchema().meta, SCHEMA_FIELD, 3)
    done = await migrate(redis_client, KeySchema(), dedupe_ttl_seconds=3600)
    assert done.after == DROP_OFF_VERSION - 1
    assert await schema_version(redis_client, KeySchema()) == DROP_OFF_VERSION - 1

    monkeypatch.setattr(migrations, "recount_results", recount_results)
    done = await migrate(redis_client, KeySchema(), dedupe_ttl_seconds=3600)
    assert done.results is not None
    assert done.results.busy_shards == 0
    assert await schema_version(redis_client, KeySchema()) == SCHEMA_VERSION


async def test_the_migration_to_6_counts_where_people_stopped(redis_client: Redis) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 3, "w", source="well", worries=("price", "safety"), trips="2")
    halfway = [Person(runtime, f"h{n}") for n in range(2)]
    for person in halfway:
        await person.join()
        await person.send(Answer(ChoiceReply("source", ("well",))))
    expected = await results(runtime)
    assert question(expected, "worries").stopped_here.count == 2
    # Counters as schema 4 left them: no drop-off fields.
    for shard in range(runtime.schema.shards):
        key = runtime.schema.counters(shard, CAMPAIGN)
        names: Any = await runtime.redis.hkeys(key)
        dropped = [name for name in names if name.endswith(b".x") or name.startswith(b".")]
        if dropped:
            await runtime.redis.hdel(key, *dropped)
    await runtime.redis.hset(runtime.schema.meta, SCHEMA_FIELD, DROP_OFF_VERSION - 1)
    await forget_snapshots(runtime)
    assert "worries.x" not in await result_counters(runtime.redis, runtime.schema)

    done = await migrate(redis_client, runtime.schema, dedupe_ttl_seconds=3600)

    assert done.results is not None
    assert await results(runtime) == expected
