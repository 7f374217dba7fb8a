"""Shared-phone mode: a campaign that declares `shared_phones: true` has every decision notice
told in neutral words, quoting neither the question nor the person's answer; the decision
itself is shown on request ("Read"), and `mydata` says which mode they are in."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from dialogues import parse
from tests.bot.loop import NOON_MS, SIM_DECISION, UP_TO_SIM_ID, Person, join, make_deployment
from tests.kit.example import example_survey

SHARED_EXAMPLE = example_survey().replace(
    "allow_fallback: false", "allow_fallback: false\nshared_phones: true", 1
)


def test_the_survey_file_says_whether_phones_are_shared() -> None:
    assert parse(SHARED_EXAMPLE).shared_phones
    assert not parse(example_survey()).shared_phones


async def test_a_campaign_of_shared_phones_tells_decisions_without_quoting_anyone(
    redis_client: Redis,
) -> None:
    deployment = make_deployment(redis_client)
    await deployment.runtime.campaigns.load(SHARED_EXAMPLE, open_now=True)
    answers = (*UP_TO_SIM_ID, "yes")
    amina = await join(Person(deployment, "amina"), "en", updates=True, answers=answers)
    gift = Person(deployment, "gift", Channel.WEBCHAT)
    await join(gift, "en", updates=True, answers=answers)
    stored = await deployment.load(SIM_DECISION)
    # The preview shows what they will read: the neutral words and the Read button.
    preview = await deployment.preview(stored)
    english = next(notice for notice in preview.notices if notice.language == "en")
    assert (english.text, english.buttons) == (
        'There is news for you. Tap "Read" to see it.',
        ("Read",),
    )
    deployment.clock.now_ms = NOON_MS
    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()
    await deployment.deliver_all()

    [notice] = deployment.notices(amina)
    assert notice["text"] == 'There is news for you. Tap "Read" to see it.'
    assert [(item["label"], item["arg"]) for item in notice["menu"]] == [
        ("Read", f"more:{stored.ref}")
    ]
    inbox = await gift.inbox()
    assert inbox[-1].text == notice["text"]
    for said in (notice["text"], inbox[-1].text):
        assert "SIM" not in said
        assert "Yes" not in said

    [decision] = await amina.press("react", f"more:{stored.ref}")
    assert "agents now accept a letter from the village chief" in decision["text"]

    [mine] = await amina.say("my data")
    assert "• shared-phone mode: on for this survey" in mine["text"]  # the campaign's choice
    [asked] = await amina.say("shared phone")
    assert [(item["label"], item["arg"]) for item in asked["menu"]] == [
        ("Turn on", "on"),
        ("Turn off", "off"),
    ]
    [unknown] = await amina.say("/shared maybe")  # a word it does not know: asked, not toggled
    assert unknown["text"] == asked["text"]
    await amina.press("shared", "on")
    [mine] = await amina.say("my data")
    assert '• shared-phone mode: Yes (change it: "/shared")' in mine["text"]
