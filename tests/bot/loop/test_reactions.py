"""Participants answer back: helpful, still concerned (with their words, kept for the
company), tell me more; and "my data" lists the decisions linked to their answers."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.decisions.texts import say
from bot.conversation.inbound import Channel
from bot.records.cases import case_text, find_case
from bot.records.reactions import reaction_totals
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


async def _told(deployment: Deployment, *people: tuple[str, Channel, str]) -> list[Person]:
    joined = []
    for name, channel, language in people:
        person = Person(deployment, name, channel)
        yes = {"en": "yes", "sw": "ndiyo", "fr": "oui"}[language]
        joined.append(await join(person, language, updates=True, answers=(*UP_TO_SIM_ID, yes)))
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS
    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()
    await deployment.deliver_all()
    return joined


def _button(notice: dict[str, object], kind: str) -> tuple[str, str]:
    menu = notice["menu"]
    assert isinstance(menu, list)
    item = next(item for item in menu if item["arg"].startswith(f"{kind}:"))
    return item["cmd"], item["arg"]


async def test_a_still_concerned_reply_lands_with_the_decision(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    [amina] = await _told(deployment, ("amina", Channel.TELEGRAM, "en"))
    [notice] = deployment.notices(amina)

    [ask] = await amina.press(*_button(notice, "concerns"))
    assert ask["text"].startswith("What still concerns you about this?")
    [thanks] = await amina.say("A letter from the chief costs money too, stop asking for papers")
    assert thanks["text"].startswith("Thank you. We have passed your concern on to Nuru Mobile.")
    reference = thanks["text"].rsplit("Your reference is ", 1)[1].rstrip(".")

    stored = await deployment.ledger.get("safe-connect-2026", "sim-without-id")
    assert stored is not None
    totals = await reaction_totals(deployment.redis, deployment.schema, stored.ref)
    assert (totals.helpful, totals.concerns, totals.more) == (0, 1, 0)
    assert [ref for _, ref in totals.concern_cases] == [reference]
    case = await find_case(deployment.redis, deployment.runtime.schema, reference)
    assert case is not None
    assert (case.kind, case.decision_ref, case.language) == ("concern", stored.ref, "en")
    text = await case_text(
        deployment.redis, deployment.runtime.schema, deployment.runtime.crypto, case
    )
    assert text == "A letter from the chief costs money too, stop asking for papers"
    record = await deployment.redis.hget(deployment.runtime.schema.participant(amina.pid), "stop")
    assert record == b"0"  # "stop" inside their concern did not opt them out


async def test_helpful_counts_once_and_tell_me_more_explains_in_their_language(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    baraka, claire = await _told(
        deployment, ("baraka", Channel.WHATSAPP, "sw"), ("claire", Channel.TELEGRAM, "fr")
    )
    [notice] = deployment.notices(baraka)
    [thanks] = await baraka.press(*_button(notice, "helpful"))
    assert thanks["text"] == "Asante kwa kutujulisha."
    await baraka.press(*_button(notice, "helpful"))  # a second tap changes nothing
    [more] = await baraka.press(*_button(notice, "more"))
    assert more["text"].splitlines()[:2] == ["Laini bila kitambulisho", "Uamuzi: haujakubaliwa"]
    assert "Kuanzia: 2027-02-01" in more["text"]
    assert "Sababu: Sheria inataka kitambulisho kwa kila laini." in more["text"]
    # "What changes" was written in English only: it falls back to the campaign's default.
    assert "Kinachobadilika: Agents accept a letter" in more["text"]

    [french] = deployment.notices(claire)
    await claire.press(*_button(french, "concerns"))
    await claire.press(*_button(french, "helpful"))  # changed their mind: latest press counts
    stored = await deployment.ledger.get("safe-connect-2026", "sim-without-id")
    assert stored is not None
    totals = await reaction_totals(deployment.redis, deployment.schema, stored.ref)
    assert (totals.helpful, totals.concerns, totals.more) == (2, 0, 1)


async def test_a_reaction_to_a_decision_they_were_not_told_counts_for_nothing(
    redis_client: Redis,
) -> None:
    """A press naming a decision's reference (a forged web chat form, an old button of someone
    else's) counted for anyone: reaction totals and concern cases could be inflated at will."""
    deployment = await with_campaign(make_deployment(redis_client))
    [amina] = await _told(deployment, ("amina", Channel.TELEGRAM, "en"))
    stranger = await join(Person(deployment, "stranger"), "en", updates=False)
    [notice] = deployment.notices(amina)
    for kind in ("helpful", "concerns"):
        [answer] = await stranger.press(*_button(notice, kind))
        assert answer["text"] == say("loop.more.unknown", "en")
    await stranger.say("They are lying")  # not taken as a concern: none was asked for
    stored = await deployment.ledger.get("safe-connect-2026", "sim-without-id")
    assert stored is not None
    totals = await reaction_totals(deployment.redis, deployment.schema, stored.ref)
    assert (totals.helpful, totals.concerns, totals.concern_cases) == (0, 0, [])


async def test_my_data_lists_the_decisions_linked_to_their_answers(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    [amina] = await _told(deployment, ("amina", Channel.TELEGRAM, "en"))
    claire = await join(
        Person(deployment, "claire", Channel.WHATSAPP),
        "en",
        updates=False,  # not told, but the decision is still linked to what she said
        answers=(*UP_TO_SIM_ID, "yes"),
    )
    other = await join(
        Person(deployment, "dalia"), "en", updates=True, answers=(*UP_TO_SIM_ID, "no")
    )
    for person in (amina, claire):
        [data] = await person.say("/mydata" if person.channel is Channel.TELEGRAM else "my data")
        linked = "• SIM cards without an ID card (Nuru Mobile): not adopted"
        assert f"Decisions linked to your answers:\n{linked}" in data["text"]
        assert "No decision has been linked" not in data["text"]
    [data] = await other.say("/mydata")
    assert "No decision has been linked to your answers yet." in data["text"]
