"""Shared-phone mode for the desk's steps is the person's: a step quotes nothing of the case
while they take part in a campaign run for shared phones, whichever campaign the case was
raised in."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.inbound import Join
from bot.records.cases import CaseStatus
from tests.bot.loop import Person, join, make_deployment, with_campaign
from tests.bot.loop.test_case_follow_up import _desk, _raise
from tests.kit.example import one_question_survey

SHARED = "shared-2026"


async def test_a_step_quotes_nothing_while_they_are_in_a_shared_phones_campaign(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    survey = one_question_survey(SHARED).replace(
        "languages: [en]", "shared_phones: true\nlanguages: [en]"
    )
    await deployment.runtime.campaigns.load(survey, open_now=True)
    amina = await join(Person(deployment, "amina"), "en", updates=True)
    case = await _raise(amina, "My husband takes my mobile money")
    # She now takes part in a campaign run for shared phones (her phone is one).
    await amina.send(Join(SHARED, "en", updates=False))
    start = await amina.last_reply_id()

    message = "We blocked the agent who gave him your PIN."
    await _desk(deployment).step(case, CaseStatus.RESOLVED, message, deployment.clock.now_ms)

    [notice] = await amina.replies(after=start)
    assert "PIN" not in notice["text"]
    assert case.reference in notice["text"]
