"""Profile answers are reused, not asked again: a new survey of the same organisation whose
question feeds the `area` attribute takes the area the participant already gave, and does not
ask it; someone who never said is asked; another organisation's survey asks anyway."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.access.organisations import OrganisationStore
from bot.conversation.stored_sessions import decode_session
from tests.bot.loop import Person, join, make_deployment
from tests.bot.panels import COMPLETE, example_with_profile, member

WITH_AREA = """\
spec_version: 1
id: {campaign_id}
organisation: {{en: "Nuru Mobile"}}
title: {{en: "Water points"}}
languages: [en]
default_language: en
promise: {{en: "We will tell you by March."}}
questions:
  - id: home
    kind: single_choice
    profile: area
    text: {{en: "Where do you live?"}}
    options:
      - {{id: city, text: {{en: "City"}}}}
      - {{id: village, text: {{en: "Village"}}}}
  - id: water
    kind: yes_no
    text: {{en: "Is there a water point near you?"}}
"""


async def _start(person: Person, campaign_id: str) -> list[str]:
    """Join a campaign (agree to take part, no news of outcomes); the questions then asked."""
    await person.say(f"/start {campaign_id}")
    await person.press("consent", "take:yes")
    started = await person.press("updates", "no")
    return [reply["prompt"]["question_id"] for reply in started if reply.get("prompt")]


async def test_a_new_survey_of_the_organisation_does_not_ask_the_area_again(
    redis_client: Redis,
) -> None:
    deployment = make_deployment(redis_client)
    campaigns = deployment.runtime.campaigns
    await campaigns.load(example_with_profile(), open_now=True)
    await campaigns.load(WITH_AREA.format(campaign_id="water-2027"), open_now=True)
    await OrganisationStore(redis_client, deployment.schema).create("maji", "Maji Co")
    await campaigns.load(WITH_AREA.format(campaign_id="maji-2027"), org="maji", open_now=True)
    amina = await member(Person(deployment, "amina"), "en", "village")
    baraka = await join(Person(deployment, "baraka"), "en", updates=True, answers=COMPLETE)
    await baraka.say("skip")  # the example's area: not told

    assert await _start(amina, "water-2027") == ["water"]  # not `home`: she said where she lives
    stored = await redis_client.get(deployment.schema.session(amina.pid, "water-2027"))
    assert stored is not None
    session = decode_session(stored)
    assert session.values["home"] == "village"

    assert await _start(baraka, "water-2027") == ["home"]

    # Another organisation: its own question, asked.
    assert await _start(amina, "maji-2027") == ["home"]
