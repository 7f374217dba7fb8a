"""After "no, not satisfied" the participant is asked what is still wrong, in their language;
their answer is kept sealed on the case with their key, shown to the desk, counted in the desk
report, gone with their erasure (the count stays), and dropped when a new resolution asks
again."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.records.case_report import case_report
from bot.records.cases import Case, CaseStatus, case_why
from tests.bot.loop import Deployment, Person, join, make_deployment, with_campaign
from tests.bot.loop.test_case_follow_up import _case, _desk, _resolved

ASKED = {
    "en": "We are sorry it is not resolved for you. What is still wrong?",
    "fr": "Nous regrettons que ce ne soit pas réglé pour vous. Qu'est-ce qui ne va toujours pas ?",
    "sw": "Samahani kwamba haijatatuliwa kwako. Ni nini bado si sawa?",
    "ar": "نأسف لأنها لم تُحلّ بالنسبة لك. ما الذي لا يزال خاطئًا؟",
}


@pytest.mark.parametrize("language", sorted(ASKED))
async def test_a_no_asks_what_is_still_wrong_in_their_language_and_keeps_it_sealed(
    redis_client: Redis, language: str
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina", Channel.TELEGRAM), language, updates=True)
    case = await _resolved(amina, "Refunded.")

    [asked] = await amina.press("satisfied", f"no:{case.reference}")
    assert asked["text"].startswith(ASKED[language])
    # Their next message is their words for the desk, even one that reads like a command word.
    [thanks] = await amina.say("stop charging me, the refund never came")
    assert case.reference in thanks["text"]  # how to reopen it

    answered = await _case(deployment, case.reference)
    assert answered.satisfied is False
    assert answered.why_ms is not None
    runtime = deployment.runtime
    words = await case_why(runtime.redis, runtime.schema, runtime.crypto, answered)
    assert words == "stop charging me, the refund never came"
    sealed: Any = await redis_client.hget(
        runtime.schema.case(answered.shard, case.reference), "why"
    )
    assert b"refund" not in sealed


async def test_erasure_takes_their_words_and_the_report_still_counts_that_they_said_why(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina", Channel.TELEGRAM), "en", updates=True)
    baraka = await join(Person(deployment, "baraka", Channel.TELEGRAM), "en", updates=True)
    for person in (amina, baraka):
        case = await _resolved(person, "Refunded.")
        await person.press("satisfied", f"no:{case.reference}")
        await person.say("The refund never came")
    other = await _case(deployment, case.reference)  # baraka's
    case = await _case_of(deployment, amina)
    await amina.press("delete")
    await amina.press("delete", "confirm")

    erased = await _case(deployment, case.reference)
    runtime = deployment.runtime
    key = runtime.schema.case(erased.shard, case.reference)
    assert await redis_client.hget(key, "why") is None
    assert await case_why(runtime.redis, runtime.schema, runtime.crypto, erased) is None
    report = case_report([erased, other], deployment.clock.now_ms, min_cell=2)
    counts = report.total.counts
    assert (counts["asked"], counts["unsatisfied"], counts["told_why"]) == (2, 2, 2)


async def _case_of(deployment: Deployment, person: Person) -> Case:
    """The one case `person` raised."""
    found: Any = await deployment.redis.zrange(
        deployment.schema.participant_cases(person.pid), 0, -1
    )
    [reference] = found
    return await _case(deployment, reference.decode())


async def test_a_new_resolution_drops_the_earlier_why_and_a_second_message_keeps_the_first(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina", Channel.TELEGRAM), "en", updates=True)
    case = await _resolved(amina, "Refunded.")
    await amina.press("satisfied", f"no:{case.reference}")
    await amina.say("The refund never came")
    await amina.press("satisfied", f"no:{case.reference}")
    await amina.say("Something else entirely")
    runtime = deployment.runtime
    kept = await _case(deployment, case.reference)
    assert await case_why(runtime.redis, runtime.schema, runtime.crypto, kept) == (
        "The refund never came"
    )

    await amina.press("reopen", case.reference)
    reopened = await _case(deployment, case.reference)
    now = deployment.clock.now_ms
    again = (await _desk(deployment).step(reopened, CaseStatus.RESOLVED, "Paid now.", now)).case
    assert (again.satisfied, again.why_ms) == (None, None)
