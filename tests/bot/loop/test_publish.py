"""A decision reaches exactly the people whose answers informed it: consenting, reachable,
once, in their language, on their channel — and nobody else."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.inbound import Channel, Reachability
from bot.loop.publisher import PublicationStatus
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


async def _people(deployment: Deployment) -> dict[str, Person]:
    """Eight participants who answered the ID question differently or cannot be told."""
    plan = {
        # name: (channel, language, wants updates, sim_id answer)
        "amina": (Channel.TELEGRAM, "en", True, "yes"),
        "baraka": (Channel.WHATSAPP, "sw", True, "ndiyo"),
        "claire": (Channel.WHATSAPP, "fr", True, "non"),  # did not say yes: not linked
        "dalia": (Channel.TELEGRAM, "en", False, "yes"),  # no consent to hear back
        "eli": (Channel.WHATSAPP, "en", True, "yes"),  # will say stop
        "fatou": (Channel.TELEGRAM, "fr", True, "oui"),  # will be erased
        "gift": (Channel.WEBCHAT, "en", True, "yes"),  # reads her inbox
        "hamid": (Channel.TELEGRAM, "ar", True, "نعم"),  # will block the bot
    }
    people = {}
    for name, (channel, language, updates, sim) in plan.items():
        person = Person(deployment, name, channel)
        people[name] = await join(person, language, updates=updates, answers=(*UP_TO_SIM_ID, sim))
    await people["eli"].say("stop")
    await people["fatou"].say("/delete")
    await people["fatou"].press("delete", "confirm")
    await people["hamid"].send(Reachability(reachable=False))
    return people


async def test_a_decision_reaches_exactly_the_consenting_reachable_people_it_is_linked_to(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    people = await _people(deployment)
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS

    preview = await deployment.preview(stored)
    assert preview.counts.linked == 6  # amina, baraka, dalia, eli, gift, hamid
    assert dict(preview.counts.targets) == {
        ("en", "telegram"): 1,
        ("sw", "whatsapp"): 1,
        ("en", "webchat"): 1,
    }
    assert dict(preview.counts.excluded) == {"no_consent": 1, "opted_out": 1, "unreachable": 1}
    assert not preview.missing
    assert {sample.shown for sample in preview.samples} == {"Yes"}
    assert all(sample.response_id.endswith("/sim_id") for sample in preview.samples)

    published = await deployment.publisher.publish(stored.campaign_id, stored.id)
    assert published.status is PublicationStatus.PUBLISHING
    await deployment.publish_all()
    await deployment.deliver_all()

    [amina] = deployment.notices(people["amina"])
    assert amina["text"].startswith("You told us “Yes” when we asked “To get a SIM card")
    assert "Nuru Mobile has decided not to make this change: We will still ask" in amina["text"]
    assert amina["text"].endswith("Why: The law requires an ID check for every SIM card.")
    assert [(item["cmd"], item["arg"].split(":")[0]) for item in amina["menu"]] == [
        ("react", "helpful"),
        ("react", "concerns"),
        ("react", "more"),
    ]
    [baraka] = deployment.notices(people["baraka"])
    assert baraka["text"].startswith("Ulituambia “Ndiyo”")
    assert "Sababu: Sheria inataka kitambulisho" in baraka["text"]
    assert baraka["template"]["language"] == "sw"
    for name in ("claire", "dalia", "eli", "fatou", "hamid"):
        assert deployment.notices(people[name]) == [], name
    inbox = await people["gift"].inbox()
    assert inbox[-1].text.startswith("You told us “Yes”")
    # The same three reactions as on a chat app, pressed as buttons on the web chat page.
    assert [(item.label, item.command) for item in inbox[-1].menu] == [
        ("Helpful", "react"),
        ("Still concerned", "react"),
        ("Tell me more", "react"),
    ]
    assert [item.argument for item in inbox[-1].menu] == [item["arg"] for item in amina["menu"]]

    # Publishing again, or a second publisher pass, tells nobody twice.
    again = await deployment.publisher.publish(stored.campaign_id, stored.id)
    assert again.already
    await deployment.publish_all()
    await deployment.deliver_all()
    assert len(deployment.notices(people["amina"])) == 1
    assert len(deployment.notices(people["baraka"])) == 1
    assert len(await people["gift"].inbox()) == len(inbox)
    status = await deployment.redis.hget(
        deployment.schema.publication(stored.ref, stored.version), "status"
    )
    assert status == b"done"


async def test_a_new_version_is_told_as_an_update_to_those_told_before(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(
        Person(deployment, "amina"), "en", updates=True, answers=(*UP_TO_SIM_ID, "yes")
    )
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS
    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()

    changed = SIM_DECISION.replace("status: not_adopted", "status: partly_adopted")
    second = await deployment.load(changed)
    assert second.version == 2
    unchanged = await deployment.load(changed)
    assert unchanged.version == 2  # the same file again is not a new version
    await deployment.publisher.publish(second.campaign_id, second.id)
    await deployment.publish_all()
    await deployment.deliver_all()
    first, update = deployment.notices(amina)
    assert first["text"].startswith("You told us")
    assert update["text"].startswith("Update: You told us")
    assert "Nuru Mobile has acted on part of it" in update["text"]
