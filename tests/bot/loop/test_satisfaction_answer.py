"""A typed answer to "are you satisfied?" never takes a reply meant for the survey: while a
survey question waits the reply goes to the survey (a menu's 1 or 2, or a yes or no to a
survey question); a typed yes or no answers it only outside a survey, in words, and within a
week of the resolution (the buttons answer it as long as the case stays resolved)."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.records.cases import CaseStatus
from tests.bot.loop import Deployment, Person, join, make_deployment, with_campaign
from tests.bot.loop.test_case_follow_up import DAY_MS, _case, _desk, _raise


async def _resolved_for(person: Person) -> str:
    case = await _raise(person, "The agent charged me twice")
    deployment = person.deployment
    await _desk(deployment).step(case, CaseStatus.RESOLVED, "Refunded.", deployment.clock.now_ms)
    return case.reference


async def _outside_any_survey(deployment: Deployment, name: str) -> Person:
    """Someone who wrote feedback without taking part in any survey."""
    return Person(deployment, name, Channel.WHATSAPP)


async def test_a_typed_1_for_the_waiting_survey_question_goes_to_the_survey(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina", Channel.WHATSAPP), "en", updates=True)
    reference = await _resolved_for(amina)  # the survey's first question waits meanwhile
    control = await join(Person(deployment, "control", Channel.WHATSAPP), "en", updates=True)
    expected = [reply["text"] for reply in await control.say("1")]

    got = [reply["text"] for reply in await amina.say("1")]

    assert got == expected
    assert (await _case(deployment, reference)).satisfied is None


async def test_a_typed_yes_for_the_waiting_survey_question_goes_to_the_survey(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina", Channel.WHATSAPP), "en", updates=True)
    reference = await _resolved_for(amina)

    replies = [reply["text"] for reply in await amina.say("yes")]

    assert "Thank you for telling us." not in replies
    assert (await _case(deployment, reference)).satisfied is None


async def test_outside_a_survey_a_typed_no_answers_and_a_typed_2_does_not(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    gift = await _outside_any_survey(deployment, "gift")
    reference = await _resolved_for(gift)
    replies = [reply["text"] for reply in await gift.say("2")]
    assert not any(text.startswith("Thank you for telling us") for text in replies)
    assert (await _case(deployment, reference)).satisfied is None

    reference = await _resolved_for(gift)
    [answer] = await gift.say("no")

    assert answer["text"].startswith(
        "We are sorry it is not resolved for you. What is still wrong?"
    )
    assert (await _case(deployment, reference)).satisfied is False


async def test_a_typed_yes_a_week_after_the_resolution_answers_nothing(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    gift = await _outside_any_survey(deployment, "gift")
    reference = await _resolved_for(gift)
    deployment.set_time(deployment.clock.now_ms + 8 * DAY_MS)

    replies = [reply["text"] for reply in await gift.say("yes")]

    assert "Thank you for telling us." not in replies
    assert (await _case(deployment, reference)).satisfied is None
    # The button under the resolution still answers it.
    [thanks] = await gift.press("satisfied", f"yes:{reference}")
    assert thanks["text"] == "Thank you for telling us."
