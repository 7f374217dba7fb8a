"""A participant with many cases reopens or answers an older one by its reference: "my cases"
shows the newest, but a reference of theirs is found however old."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.records.cases import CaseStatus
from tests.bot.loop import Person, make_deployment, with_campaign
from tests.bot.loop.test_case_follow_up import _case, _desk, _raise


async def test_an_older_case_than_my_cases_shows_is_reopened_by_its_reference(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = Person(deployment, "amina", Channel.WHATSAPP)  # outside any survey
    oldest = await _raise(amina, "The agent charged me twice")
    for n in range(20):
        deployment.set_time(deployment.clock.now_ms + 1000)
        await _raise(amina, f"Another problem, number {n}")
    await _desk(deployment).step(oldest, CaseStatus.RESOLVED, "Refunded.", deployment.clock.now_ms)

    await amina.press("satisfied", f"no:{oldest.reference}")
    [reopened] = await amina.say(f"reopen {oldest.reference}")

    assert oldest.reference in reopened["text"]
    case = await _case(deployment, oldest.reference)
    assert case.satisfied is False
    assert case.status is CaseStatus.REOPENED
    assert case.why_ms is None  # "reopen <reference>" after the no is the reopening, not why
    # Asked why no more: their next message is no answer about the case.
    await amina.say("hello")
    assert (await _case(deployment, oldest.reference)).why_ms is None
