"""Someone who said stop still follows their own cases: they answer a resolution (its buttons)
and reopen a case without being asked to start messages again, and nothing else starts."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.records.cases import CaseStatus
from tests.bot.loop import Person, join, make_deployment, with_campaign
from tests.bot.loop.test_case_follow_up import _case, _desk, _raise

START_AGAIN = "You asked us to stop messages. Start again?"


async def _raised_on_web_chat(person: Person, text: str) -> str:
    await person.say("feedback")
    await person.say(text)
    [notice] = [n for n in await person.inbox() if "Your reference is" in n.text]
    return "F-" + notice.text.split("F-")[1][:6]


async def test_a_stopped_web_chat_participant_answers_and_reopens_their_resolution(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    gift = await join(Person(deployment, "gift", Channel.WEBCHAT), "en", updates=False)
    reference = await _raised_on_web_chat(gift, "The network drops every evening")
    await gift.say("stop")
    case = await _case(deployment, reference)
    await _desk(deployment).step(case, CaseStatus.RESOLVED, "Fixed.", deployment.clock.now_ms)
    resolution = (await gift.inbox())[-1]
    assert [item.command for item in resolution.menu] == ["satisfied", "satisfied", "reopen"]

    await gift.press("satisfied", f"no:{reference}")
    assert (await _case(deployment, reference)).satisfied is False
    await gift.press("reopen", reference)

    assert (await _case(deployment, reference)).status is CaseStatus.REOPENED
    texts = [n.text for n in await gift.inbox()]
    assert START_AGAIN not in texts
    stopped = await deployment.redis.hget(deployment.schema.participant(gift.pid), "stop")
    assert stopped == b"1"  # still stopped


async def test_a_stopped_participant_reopens_by_its_reference_and_other_words_ask_first(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina", Channel.WHATSAPP), "en", updates=True)
    case = await _raise(amina, "The agent charged me twice")
    await _desk(deployment).step(case, CaseStatus.RESOLVED, "Refunded.", deployment.clock.now_ms)
    await amina.say("stop")

    [reopened] = await amina.say(f"reopen {case.reference}")

    assert case.reference in reopened["text"]
    assert (await _case(deployment, case.reference)).status is CaseStatus.REOPENED
    [asked] = await amina.say("1")  # not a survey answer while stopped
    assert asked["text"] == START_AGAIN


async def test_a_stopped_participant_asked_about_a_resolution_starts_nothing_with_other_words(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    gift = await join(Person(deployment, "gift", Channel.WEBCHAT), "en", updates=False)
    case = await _case(deployment, await _raised_on_web_chat(gift, "The network drops"))
    await gift.say("stop")
    await _desk(deployment).step(case, CaseStatus.RESOLVED, "Fixed.", deployment.clock.now_ms)

    await gift.say("1")  # the survey's answer, had they not stopped

    assert (await gift.inbox())[-1].text == START_AGAIN
    assert (await _case(deployment, case.reference)).satisfied is None
