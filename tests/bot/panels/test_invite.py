"""A segment invitation reaches exactly the consenting members of the segment, once, in their
language; people without re-contact consent, over their budget, opted out, erased, in another
survey or outside the segment receive nothing."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.panels.segment import parse_segment
from tests.bot.loop import NOON_MS, Deployment, Person, make_deployment
from tests.bot.panels import (
    FOLLOW_UP,
    example_with_profile,
    follow_up_survey,
    invitations,
    inviter,
    member,
)
from tests.kit.example import one_question_survey

VILLAGE = parse_segment("area=village")


async def _deployment(redis: Redis) -> Deployment:
    deployment = make_deployment(redis)
    campaigns = deployment.runtime.campaigns
    await campaigns.load(example_with_profile(), open_now=True)
    await campaigns.load(follow_up_survey(), open_now=True)
    return deployment


async def _panel(deployment: Deployment) -> dict[str, Person]:
    def person(name: str, channel: Channel = Channel.TELEGRAM) -> Person:
        return Person(deployment, name, channel)

    people = {
        "amina": await member(person("amina"), "en", "village"),
        "baraka": await member(person("baraka", Channel.WHATSAPP), "sw", "village"),
        "claire": await member(person("claire"), "fr", "city"),  # outside the segment
        "dalia": await member(person("dalia"), "en", "village", contact=False),
        "eli": await member(person("eli", Channel.WHATSAPP), "en", "village"),
        "fatou": await member(person("fatou"), "fr", "village"),
        "gift": await member(person("gift"), "en", "village"),
        "hamid": await member(person("hamid"), "ar", "village"),  # no Arabic in the follow-up
        "ivan": await member(person("ivan", Channel.WHATSAPP), "fr", "village"),
        "jo": await member(person("jo"), "en", "village"),
    }
    await _start_another_survey(deployment, people["jo"])
    await people["eli"].say("stop")
    await people["fatou"].say("/delete")
    await people["fatou"].press("delete", "confirm")
    await people["gift"].say("leave panel")
    return people


async def _start_another_survey(deployment: Deployment, person: Person) -> None:
    """They join another organisation's open campaign and leave its question unanswered."""
    await deployment.runtime.campaigns.load(one_question_survey("maji-2027"), open_now=True)
    await person.say("/start maji-2027")
    await person.press("consent", "take:yes")
    replies = await person.press("updates", "no")
    assert replies[-1]["text"] == "Anything else?"


async def _spend_budget(deployment: Deployment, name: str) -> None:
    """Two invitations to two other campaigns first: the budget (2 in 30 days) is spent."""
    only = parse_segment("language=fr channel=whatsapp")
    for campaign_id in ("earlier-1", "earlier-2"):
        campaign = await deployment.runtime.campaigns.load(
            follow_up_survey(campaign_id), open_now=True
        )
        counts = await inviter(deployment).send(campaign, only, deployment.clock.now_ms)
        assert counts.invited_total == 1, name


async def test_a_segment_invitation_reaches_exactly_its_consenting_members_once_in_their_language(
    redis_client: Redis,
) -> None:
    deployment = await _deployment(redis_client)
    people = await _panel(deployment)
    deployment.set_time(NOON_MS)
    await _spend_budget(deployment, "ivan")
    campaign = await deployment.runtime.campaigns.get(FOLLOW_UP)
    assert campaign is not None

    preview = await inviter(deployment).preview(campaign, VILLAGE, NOON_MS)
    assert dict(preview.invited) == {("en", "telegram"): 1, ("sw", "whatsapp"): 1}
    assert dict(preview.excluded) == {
        "no_consent": 2,  # dalia never agreed, gift left the panel
        "opted_out": 1,  # eli
        "not_in_their_language": 1,  # hamid
        "over_budget": 1,  # ivan
        "unfinished": 1,  # jo
    }
    assert preview.members == 8  # claire is outside the segment; fatou is erased: gone
    assert preview.held == 0

    sent = await inviter(deployment).send(campaign, VILLAGE, NOON_MS)
    assert dict(sent.invited) == dict(preview.invited)
    assert dict(sent.excluded) == dict(preview.excluded)
    await deployment.deliver_all()

    [amina] = invitations(deployment, people["amina"])
    assert amina["text"].startswith("Nuru Mobile invites you to a new survey: Water points")
    assert '"/start water-2027"' in amina["text"]
    assert '"/leave"' in amina["text"]
    assert [(item["cmd"], item["arg"]) for item in amina["menu"]] == [("start", FOLLOW_UP)]
    [baraka] = invitations(deployment, people["baraka"])
    assert baraka["text"].startswith("Nuru Mobile inakualika kwenye utafiti mpya: Vituo vya maji")
    assert '"ondoka kwenye jopo"' in baraka["text"]
    assert len(invitations(deployment, people["ivan"])) == 2  # the two earlier ones only
    for name in ("claire", "dalia", "eli", "fatou", "gift", "hamid", "jo"):
        assert invitations(deployment, people[name]) == [], name

    # Again: nobody is invited twice.
    again = await inviter(deployment).send(campaign, VILLAGE, NOON_MS + 60_000)
    assert again.invited_total == 0
    assert again.excluded["already_invited"] == 2
    await deployment.deliver_all()
    assert len(invitations(deployment, people["amina"])) == 1
    assert len(invitations(deployment, people["baraka"])) == 1


async def test_the_invitation_button_joins_the_campaign(redis_client: Redis) -> None:
    deployment = await _deployment(redis_client)
    amina = await member(Person(deployment, "amina"), "en", "village")
    deployment.set_time(NOON_MS)
    campaign = await deployment.runtime.campaigns.get(FOLLOW_UP)
    assert campaign is not None
    await inviter(deployment).send(campaign, VILLAGE, NOON_MS)
    await deployment.deliver_all()
    [invitation] = invitations(deployment, amina)
    [button] = invitation["menu"]

    replies = await amina.press(button["cmd"], button["arg"])
    texts = [reply["text"] for reply in replies]
    assert any(text.startswith("Nuru Mobile is asking: Water points") for text in texts), texts
    record = await redis_client.hgetall(deployment.schema.participant(amina.pid))
    assert record[b"cid"] == FOLLOW_UP.encode()


async def test_leave_panel_in_their_language_is_a_no_to_being_contacted_again(
    redis_client: Redis,
) -> None:
    deployment = await _deployment(redis_client)
    baraka = await member(Person(deployment, "baraka", Channel.WHATSAPP), "sw", "village")
    [reply] = await baraka.say("ondoka kwenye jopo")
    assert reply["text"].startswith("Umeondoka kwenye jopo")
    mydata = await baraka.say("data yangu")
    assert any("Msiniulize tena" not in m["text"] for m in mydata)
    deployment.set_time(NOON_MS)
    campaign = await deployment.runtime.campaigns.get(FOLLOW_UP)
    assert campaign is not None
    counts = await inviter(deployment).preview(campaign, VILLAGE, NOON_MS)
    assert dict(counts.excluded) == {"no_consent": 1}


async def test_nobody_is_invited_in_their_quiet_hours_and_a_later_run_invites_them(
    redis_client: Redis,
) -> None:
    deployment = await _deployment(redis_client)
    amina = await member(Person(deployment, "amina"), "en", "village")
    gift = await member(Person(deployment, "gift", Channel.WEBCHAT), "en", "village")
    campaign = await deployment.runtime.campaigns.get(FOLLOW_UP)
    assert campaign is not None
    night = NOON_MS + 12 * 3600 * 1000  # 23:06 UTC: quiet hours are 21:00-08:00
    deployment.set_time(night)

    counts = await inviter(deployment).send(campaign, VILLAGE, night)
    assert counts.held == 1  # amina, on Telegram
    assert dict(counts.invited) == {("en", "webchat"): 1}  # an inbox wakes nobody
    await deployment.deliver_all()
    assert invitations(deployment, amina) == []
    invited = [n for n in await gift.inbox() if "invites you to a new survey" in n.text]
    assert [n.text.split("\n")[0] for n in invited] == [
        "Nuru Mobile invites you to a new survey: Water points"
    ]
    assert [(item.command, item.argument) for item in invited[0].menu] == [("start", FOLLOW_UP)]

    morning = night + 10 * 3600 * 1000
    deployment.set_time(morning)
    later = await inviter(deployment).send(campaign, VILLAGE, morning)
    assert dict(later.invited) == {("en", "telegram"): 1}
    assert later.excluded["already_invited"] == 1  # gift
    await deployment.deliver_all()
    assert len(invitations(deployment, amina)) == 1
