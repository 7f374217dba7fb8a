"""A decision's preview count is kept and shown at once: it goes stale when the decision gets a
new version or someone answers, and then ONE new count runs however many ask at once, in this
process or another; asking for a current count waits for it. The first view is answered at
once too, saying nothing is counted yet, while the first count runs. The kept count names
nobody."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.loop.ledger import StoredDecision
from bot.loop.planner import LinkCounts, PlanLimits
from bot.loop.preview import Preview, Viewpoint, build_preview, count_preview
from bot.loop.preview_cache import PreviewCache, PreviewTimes
from tests.bot.loop import (
    NOON_MS,
    SIM_DECISION,
    UP_TO_SIM_ID,
    Deployment,
    Person,
    join,
    make_deployment,
    with_campaign,
)

TIMES = PreviewTimes(fresh_seconds=300, keep_seconds=3600, lease_seconds=60)


class CountingPlanner:
    """The real count, and how many times it ran (with a pause, so that callers overlap)."""

    def __init__(self, deployment: Deployment, pause: float = 0.05) -> None:
        self.deployment = deployment
        self.pause = pause
        self.runs = 0

    async def __call__(self, stored: StoredDecision, limits: PlanLimits) -> LinkCounts:
        self.runs += 1
        await asyncio.sleep(self.pause)
        return await count_preview(self.deployment.redis, self.deployment.schema, stored, limits)


def _cache(deployment: Deployment, planner: CountingPlanner) -> PreviewCache:
    return PreviewCache(deployment.redis, deployment.schema, planner, TIMES)


async def _said_yes(deployment: Deployment, name: str) -> Person:
    person = Person(deployment, name)
    return await join(person, "en", updates=True, answers=(*UP_TO_SIM_ID, "yes"))


async def _setting(redis: Redis) -> tuple[Deployment, StoredDecision]:
    deployment = await with_campaign(make_deployment(redis))
    await _said_yes(deployment, "amina")
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS
    return deployment, stored


async def test_a_kept_count_is_shown_at_once_and_a_new_answer_makes_it_stale(
    redis_client: Redis,
) -> None:
    deployment, stored = await _setting(redis_client)
    planner = CountingPlanner(deployment)
    cache = _cache(deployment, planner)
    limits = deployment.publisher.limits()

    first = await cache.counted(stored, limits)  # nothing kept: at once, counting starts
    assert (first.counted_ms, first.counts.told, first.current, first.updating) == (
        None,
        0,
        False,
        True,
    )
    await cache.settled()
    counted = await cache.counted(stored, limits)
    again = await cache.counted(stored, limits)
    assert (counted.counts.told, counted.current, counted.updating) == (1, True, False)
    assert (again.counts.told, again.current, again.updating) == (1, True, False)
    assert planner.runs == 1

    await _said_yes(deployment, "baraka")  # a new answer: the results' version moves on
    stale = await cache.counted(stored, deployment.publisher.limits())
    assert (stale.counts.told, stale.current, stale.updating) == (1, False, True)
    assert stale.counted_ms == counted.counted_ms  # the last count, with when it was made
    await cache.settled()
    fresh = await cache.counted(stored, deployment.publisher.limits())
    assert (fresh.counts.told, fresh.current, fresh.updating) == (2, True, False)
    assert planner.runs == 2


async def test_a_new_version_of_the_decision_makes_the_count_stale(redis_client: Redis) -> None:
    deployment, stored = await _setting(redis_client)
    planner = CountingPlanner(deployment)
    cache = _cache(deployment, planner)
    await cache.counted(stored, deployment.publisher.limits(), current=True)
    newest = await deployment.load(SIM_DECISION.replace("without an ID card", "without an ID"))
    assert newest.version == stored.version + 1

    stale = await cache.counted(newest, deployment.publisher.limits())
    assert (stale.current, stale.updating) == (False, True)
    await cache.settled()
    assert (await cache.counted(newest, deployment.publisher.limits())).current
    assert planner.runs == 2


async def test_an_old_count_is_stale_even_when_nothing_moved_its_versions(
    redis_client: Redis,
) -> None:
    """A stop or a consent changes who is told without moving the results' version."""
    deployment, stored = await _setting(redis_client)
    planner = CountingPlanner(deployment)
    cache = _cache(deployment, planner)
    await cache.counted(stored, deployment.publisher.limits(), current=True)
    deployment.clock.now_ms = NOON_MS + TIMES.fresh_seconds * 1000
    later = await cache.counted(stored, deployment.publisher.limits())
    assert (later.current, later.updating) == (False, True)
    await cache.settled()
    assert planner.runs == 2


async def test_many_viewers_of_a_stale_preview_start_one_count(redis_client: Redis) -> None:
    deployment, stored = await _setting(redis_client)
    planner = CountingPlanner(deployment, pause=0.3)
    # Two web processes: each its own cache (and background tasks), one Redis.
    here, there = _cache(deployment, planner), _cache(deployment, planner)
    await here.counted(stored, deployment.publisher.limits(), current=True)
    await _said_yes(deployment, "baraka")

    limits = deployment.publisher.limits()
    views = await asyncio.gather(
        *(cache.counted(stored, limits) for cache in (here, there) for _ in range(10))
    )
    assert {(view.counts.told, view.current, view.updating) for view in views} == {(1, False, True)}
    await asyncio.gather(here.settled(), there.settled())
    assert planner.runs == 2  # the first count, then one for all twenty views
    assert (await there.counted(stored, limits)).counts.told == 2


async def test_the_first_viewers_are_answered_at_once_and_start_one_count(
    redis_client: Redis,
) -> None:
    deployment, stored = await _setting(redis_client)
    planner = CountingPlanner(deployment, pause=2.0)  # a long count
    here, there = _cache(deployment, planner), _cache(deployment, planner)
    limits = deployment.publisher.limits()

    began = asyncio.get_running_loop().time()
    views = await asyncio.gather(*(c.counted(stored, limits) for c in (here, there, here, there)))
    assert asyncio.get_running_loop().time() - began < 1.0  # not kept waiting for it
    assert [(view.counted_ms, view.updating) for view in views] == [(None, True)] * 4
    await asyncio.gather(here.settled(), there.settled())
    assert planner.runs == 1
    assert (await there.counted(stored, limits)).counts.told == 1


async def test_callers_asking_for_a_current_count_wait_for_one_count(redis_client: Redis) -> None:
    deployment, stored = await _setting(redis_client)
    planner = CountingPlanner(deployment, pause=0.3)
    here, there = _cache(deployment, planner), _cache(deployment, planner)
    limits = deployment.publisher.limits()

    views = await asyncio.gather(
        *(c.counted(stored, limits, current=True) for c in (here, there, here, there))
    )
    assert [(view.counts.told, view.current) for view in views] == [(1, True)] * 4
    assert planner.runs == 1


async def test_asking_for_a_current_count_waits_for_one_when_the_kept_one_is_stale(
    redis_client: Redis,
) -> None:
    deployment, stored = await _setting(redis_client)
    planner = CountingPlanner(deployment)
    cache = _cache(deployment, planner)
    await cache.counted(stored, deployment.publisher.limits(), current=True)
    await _said_yes(deployment, "baraka")

    limits = deployment.publisher.limits()
    stale, current = await asyncio.gather(
        cache.counted(stored, limits), cache.counted(stored, limits, current=True)
    )
    assert stale.counts.told == 1
    assert (current.counts.told, current.current, current.updating) == (2, True, False)
    await cache.settled()


async def test_a_count_left_by_a_process_that_died_is_taken_over(redis_client: Redis) -> None:
    deployment, stored = await _setting(redis_client)
    planner = CountingPlanner(deployment)
    cache = _cache(deployment, planner)
    lease = deployment.schema.preview_lease(stored.ref)
    await redis_client.set(lease, "gone", px=200)  # its lease outlives it a moment

    view = await cache.counted(stored, deployment.publisher.limits(), current=True)
    assert (view.counts.told, view.current) == (1, True)
    assert planner.runs == 1


async def test_kept_counts_and_leases_expire(redis_client: Redis) -> None:
    deployment, stored = await _setting(redis_client)
    cache = _cache(deployment, CountingPlanner(deployment))
    await cache.counted(stored, deployment.publisher.limits(), current=True)
    kept_ms = await redis_client.pttl(deployment.schema.preview(stored.ref))
    assert 0 < kept_ms <= TIMES.keep_seconds * 1000
    assert not await redis_client.exists(deployment.schema.preview_lease(stored.ref))


async def test_a_kept_count_names_nobody_and_shows_no_answer_of_someone_erased_since(
    redis_client: Redis,
) -> None:
    deployment, stored = await _setting(redis_client)
    cache = _cache(deployment, CountingPlanner(deployment))
    limits = deployment.publisher.limits()
    kept = await cache.counted(stored, limits, current=True)
    amina = Person(deployment, "amina")
    shown = await _shown(deployment, stored, kept.counts)
    assert len(shown.samples) == 1  # her answer, drawn as the preview is shown
    raw = await redis_client.get(deployment.schema.preview(stored.ref))
    assert raw is not None
    assert amina.pid.encode() not in raw  # the kept count holds counts only
    assert shown.samples[0].response_id.split("/")[0].encode() not in raw

    await amina.say("/delete")
    await amina.press("delete", "confirm")
    stale = await cache.counted(stored, limits)
    assert stale.counts.told == 1  # the kept count, until counted again
    assert (await _shown(deployment, stored, stale.counts)).samples == []
    await cache.settled()


async def _shown(deployment: Deployment, stored: StoredDecision, counts: LinkCounts) -> Preview:
    """The preview as the API builds it over a kept count."""
    campaign = await deployment.runtime.campaigns.get(stored.campaign_id)
    assert campaign is not None
    viewpoint = Viewpoint(None, "UTC", await deployment.pseudonyms(campaign.org))
    limits = deployment.publisher.limits()
    return await build_preview(
        deployment.redis, deployment.schema, stored, campaign.survey, limits, viewpoint, counts
    )


class LateLooker(PreviewCache):
    """A viewer who saw the stale count just before another count ended, and takes the lease
    just after it was given back."""

    def __init__(self, deployment: Deployment, planner: CountingPlanner, other: PreviewCache):
        super().__init__(deployment.redis, deployment.schema, planner, TIMES)
        self.other = other

    async def _take_lease(self, stored: StoredDecision) -> bool:
        await self.other.settled()
        return await super()._take_lease(stored)


async def test_a_viewer_who_looked_just_before_a_count_ended_does_not_count_again(
    redis_client: Redis,
) -> None:
    deployment, stored = await _setting(redis_client)
    planner = CountingPlanner(deployment)
    here = _cache(deployment, planner)
    await here.counted(stored, deployment.publisher.limits(), current=True)
    await _said_yes(deployment, "baraka")
    limits = deployment.publisher.limits()
    assert (await here.counted(stored, limits)).updating  # its count starts

    late = LateLooker(deployment, planner, here)
    seen = await late.counted(stored, limits)
    await late.settled()
    assert seen.counts.told == 1  # what it saw: the count before
    assert planner.runs == 2  # the first, and the one after the answer: no third
    assert (await late.counted(stored, limits)).counts.told == 2
