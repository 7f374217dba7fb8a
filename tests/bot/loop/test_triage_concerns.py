"""Concerns written about a decision ("still concerned", then their words) join the campaign's
triage queue beside its free-text answers, named by their case reference; they can be flagged,
and they leave the queue, with their flags and alert, when the writer erases themselves or the
campaign's retention passes."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.access.organisations import DEFAULT_ORG, OrganisationStore
from bot.access.pseudonyms import pseudonyms_for
from bot.conversation.campaign import DAY_MS, CampaignStatus
from bot.conversation.inbound import Channel, Join
from bot.records.triage import TriageFilter, TriageItem, TriageQueue
from bot.records.triage_marks import Mark, Marked, mark_item, open_alerts
from bot.runtime.retention import erase_campaign
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
from tests.kit.example import CAMPAIGN, one_question_survey

WORDS = "A letter from the chief costs money too"
LIVE = "live-2026"


async def _concerned(deployment: Deployment, *names: str) -> list[tuple[Person, str]]:
    """Each person answers, is told the decision and writes a concern: with its reference."""
    people = [
        await join(
            Person(deployment, name, Channel.TELEGRAM),
            "en",
            updates=True,
            answers=(*UP_TO_SIM_ID, "yes"),
        )
        for name in names
    ]
    stored = await deployment.load(SIM_DECISION)
    deployment.clock.now_ms = NOON_MS
    await deployment.publisher.publish(stored.campaign_id, stored.id)
    await deployment.publish_all()
    await deployment.deliver_all()
    written = []
    for person in people:
        await person.press("react", f"concerns:{stored.ref}")
        [thanks] = await person.say(f"{WORDS}, says {person.name}")
        written.append((person, thanks["text"].rsplit("Your reference is ", 1)[1].rstrip(".")))
    return written


async def _queue(deployment: Deployment, wanted: TriageFilter | None = None) -> list[TriageItem]:
    organisations = OrganisationStore(deployment.redis, deployment.schema)
    pseudonyms = await pseudonyms_for(organisations, deployment.runtime.crypto, DEFAULT_ORG)
    queue = TriageQueue(
        deployment.redis, deployment.schema, deployment.runtime.crypto, CAMPAIGN, pseudonyms
    )
    items, following = await queue.page(None, 50, wanted or TriageFilter())
    assert following is None
    return items


async def _flag(deployment: Deployment, person: Person, reference: str) -> None:
    shard = deployment.schema.shard_of(person.pid)
    done = await mark_item(
        deployment.redis, deployment.schema, CAMPAIGN, shard, reference, Mark.SAFETY, "5"
    )
    assert done is Marked.ALERT_RAISED


async def test_a_concern_joins_the_queue_and_leaves_it_when_its_writer_is_erased(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    [(amina, reference), (baraka, other)] = await _concerned(deployment, "amina", "baraka")
    concerns = [item for item in await _queue(deployment) if item.kind == "concern"]
    assert {item.response_id for item in concerns} == {reference, other}
    mine = next(item for item in concerns if item.response_id == reference)
    assert (mine.text, mine.about_decision) == (f"{WORDS}, says amina", "sim-without-id")
    assert mine.pseudonym.startswith("p-")
    assert await _queue(deployment, TriageFilter(theme="fees")) == []  # a concern has none
    await _flag(deployment, amina, reference)
    assert len(await open_alerts(deployment.redis, deployment.schema, [CAMPAIGN])) == 1

    await amina.press("delete")
    await amina.press("delete", "confirm")

    assert [item.response_id for item in await _queue(deployment)] == [other]
    assert await open_alerts(deployment.redis, deployment.schema, [CAMPAIGN]) == []
    marks: Any = await deployment.redis.hkeys(
        deployment.schema.triage_marks(deployment.schema.shard_of(amina.pid), CAMPAIGN)
    )
    assert marks == []
    assert baraka.pid


async def test_an_erasure_run_again_after_the_server_forgot_its_scripts_still_takes_them_off(
    redis_client: Redis,
) -> None:
    """A batch that a server refuses a script of (NOSCRIPT: restarted, failed over) runs again
    whole: the keys the triage step reads must still be there the second time."""
    deployment = await with_campaign(make_deployment(redis_client))
    [(amina, reference)] = await _concerned(deployment, "amina")
    await _flag(deployment, amina, reference)
    await amina.press("delete")
    await deployment.redis.script_flush()
    await amina.press("delete", "confirm")

    assert await _queue(deployment) == []
    assert await open_alerts(deployment.redis, deployment.schema, [CAMPAIGN]) == []
    assert not await deployment.redis.exists(deployment.schema.told(amina.pid))


async def test_past_retention_the_concerns_leave_the_queue_with_their_alerts(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    await deployment.runtime.campaigns.load(one_question_survey(LIVE), open_now=True)
    [(amina, reference)] = await _concerned(deployment, "amina")
    await amina.send(Join(LIVE, "en", updates=False))  # kept for another campaign
    await _flag(deployment, amina, reference)
    campaigns = deployment.runtime.campaigns
    await campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    closed = NOON_MS - 400 * DAY_MS
    await deployment.redis.hset(deployment.schema.campaign(CAMPAIGN), "closed", str(closed))

    await erase_campaign(deployment.redis, deployment.schema, campaigns, CAMPAIGN)

    assert await _queue(deployment) == []
    assert await open_alerts(deployment.redis, deployment.schema, [CAMPAIGN]) == []
    told: Any = await deployment.redis.hkeys(deployment.schema.told(amina.pid))
    assert f"q:{reference}".encode() not in told
    for shard in range(deployment.schema.shards):
        assert not await deployment.redis.exists(deployment.schema.triage(shard, CAMPAIGN))
