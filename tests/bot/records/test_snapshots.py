"""Results snapshots, through the real pipeline on a real Redis: a reader who compares the
figures before and after one person answered (or was erased) learns nothing, because the
figures move only once at least the minimum cell size of people changed them; then they include
every one of them. Nothing pending is lost to a crash, and closing shows the last few."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.campaign import CampaignStatus
from bot.conversation.inbound import Command
from bot.records.snapshots import copy_shards, snapshot_state
from tests.bot.records.test_results import (
    CAMPAIGN,
    deployment,
    options,
    people,
    question,
    results,
)
from tests.kit.runtime import make_runtime

MINIMUM = 5


async def test_one_more_answer_does_not_move_the_figures_until_enough_people_answered(
    redis_client: Redis,
) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 5, "w", source="well", worries=("price",))
    await people(runtime, 5, "t", source="tap", worries=("safety",))
    before = await results(runtime, minimum=MINIMUM)
    assert options(before, "source") == {"well": 5, "tap": 5, "river": 0}
    assert before.needed == 0
    for by in ("worries", "language", "channel"):  # crossed tables too
        assert (await results(runtime, by=by, minimum=MINIMUM)).version == before.version

    # The person the reader knows answers "river": nothing a reader can see moves.
    await people(runtime, 1, "known", source="river", worries=("distance",))
    after = await results(runtime, minimum=MINIMUM)
    assert after == before
    assert after.version == before.version
    assert after.needed == MINIMUM - 1
    crossed = await results(runtime, by="worries", minimum=MINIMUM)
    assert crossed == await results(runtime, by="worries", minimum=MINIMUM)
    assert question(crossed, "source").breakdown is not None

    # Three more: still not enough.
    await people(runtime, 3, "more", source="river", worries=("distance",))
    assert await results(runtime, minimum=MINIMUM) == before
    assert (await results(runtime, minimum=MINIMUM)).needed == 1

    # The fifth: the figures move, and include all five.
    await people(runtime, 1, "last", source="river", worries=("distance",))
    moved = await results(runtime, minimum=MINIMUM)
    assert moved.version == before.version + 1
    assert moved.needed == 0
    assert moved.started.count == 15
    assert options(moved, "source") == {"well": 5, "tap": 5, "river": 5}
    assert options(moved, "worries") == {"price": 5, "safety": 5, "distance": 5}


async def test_an_erasure_moves_the_figures_only_with_enough_others(redis_client: Redis) -> None:
    runtime = await deployment(redis_client)
    [gone, *_] = await people(runtime, 6, "r", source="river")
    await people(runtime, 6, "w", source="well")
    before = await results(runtime, minimum=MINIMUM)
    assert options(before, "source") == {"well": 6, "tap": 0, "river": 6}

    await gone.send(Command("delete", ""))
    await gone.send(Command("delete", "confirm"))
    assert not await redis_client.exists(runtime.schema.session(gone.pid, CAMPAIGN))
    after = await results(runtime, minimum=MINIMUM)
    assert after == before  # the erased answer still counted: nobody can see who left
    assert after.needed == MINIMUM - 1
    # Nobody erased is kept in the pending set: a mark that names nobody stands for them.
    for shard in range(runtime.schema.shards):
        members = await redis_client.smembers(runtime.schema.changed(shard, CAMPAIGN))
        assert gone.pid.encode() not in members

    await people(runtime, 3, "more", source="well")
    assert await results(runtime, minimum=MINIMUM) == before
    await people(runtime, 1, "last", source="well")
    moved = await results(runtime, minimum=MINIMUM)
    assert options(moved, "source") == {"well": 10, "tap": 0, "river": 5}
    assert moved.started.count == 15  # the sessions stored: the erased one is out
    assert question(moved, "source").answered.count == 15


async def test_a_crash_before_the_snapshot_loses_nobody_pending(redis_client: Redis) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 5, "w", source="well")
    before = await results(runtime, minimum=MINIMUM)
    await people(runtime, 5, "t", source="tap")  # committed; no reader took a snapshot yet

    # Another process, started after this one died: the pending people are in Redis.
    restarted = make_runtime(redis_client, shards=runtime.schema.shards)
    state = await snapshot_state(restarted.redis, restarted.schema, CAMPAIGN)
    assert (state.number, state.pending) == (before.version, 5)

    # A snapshot taker that stops after copying, before publishing: still pending, unseen.
    await copy_shards(redis_client, runtime.schema, CAMPAIGN, before.version + 1)
    await people(runtime, 1, "r", source="river")  # one more meanwhile
    state = await snapshot_state(redis_client, runtime.schema, CAMPAIGN)
    assert (state.number, state.pending) == (before.version, 6)
    unmoved = await results(restarted, minimum=7)  # 6 pending: not enough for 7
    assert (unmoved.version, unmoved.needed) == (before.version, 1)

    found = await results(restarted, minimum=MINIMUM)
    assert found.version == before.version + 1
    assert question(found, "source").answered.count == 11
    assert found.started.count == 11
    assert found.needed == 0
    state = await snapshot_state(redis_client, runtime.schema, CAMPAIGN)
    assert state.pending == 0


async def test_closing_the_campaign_takes_a_final_snapshot(redis_client: Redis) -> None:
    runtime = await deployment(redis_client)
    await people(runtime, 5, "w", source="well")
    before = await results(runtime, minimum=MINIMUM)
    await people(runtime, 2, "t", source="tap")
    assert await results(runtime, minimum=MINIMUM) == before

    assert await runtime.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)

    closed = await results(runtime, minimum=MINIMUM)
    assert closed.version == before.version + 1
    assert closed.started.count == 7
    assert closed.needed == 0
    assert question(closed, "source").answered.count == 7
