"""The grievance desk: a case moves received → under review → resolved / escalated, and each
step reaches the participant in their language, on their channel."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.conversation.inbound import Answer, Channel
from bot.loop.grievances import Desk
from bot.records.cases import CaseError, CaseStatus, case_text, find_case, list_cases
from bot.runtime.event_codec import encode
from dialogues.inbound import TextReply
from tests.bot.loop import Deployment, Person, join, make_deployment, with_campaign

DAY_MS = 24 * 3600 * 1000


def _desk(deployment: Deployment) -> Desk:
    runtime = deployment.runtime
    return Desk(runtime.redis, runtime.schema, runtime.campaigns, runtime.crypto)


async def _raise(person: Person, text: str) -> str:
    await person.say("/feedback" if person.channel is Channel.TELEGRAM else "maoni")
    [thanks] = await person.say(text)
    received: str = thanks["text"]
    return "F-" + received.split("F-")[1][:6]


async def test_each_step_of_a_case_reaches_the_participant_in_their_language(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina", Channel.WHATSAPP), "sw", updates=True)
    reference = await _raise(amina, "Wakala alinitoza mara mbili")
    desk = _desk(deployment)
    now = deployment.clock.now_ms

    case = await find_case(deployment.redis, deployment.runtime.schema, reference)
    assert case is not None
    assert (case.status, case.kind, case.language) == (CaseStatus.RECEIVED, "feedback", "sw")
    text = await case_text(
        deployment.redis, deployment.runtime.schema, deployment.runtime.crypto, case
    )
    assert text == "Wakala alinitoza mara mbili"

    start = await amina.last_reply_id()
    reviewed = await desk.step(case, CaseStatus.UNDER_REVIEW, "", now)
    assert reviewed.delivered == "whatsapp (reply outbox)"
    resolved = await desk.step(reviewed.case, CaseStatus.RESOLVED, "Tumekurudishia pesa.", now)
    [review, resolution] = await amina.replies(after=start)
    assert review["text"] == f"Kuhusu ujumbe wako {reference}: Nuru Mobile sasa inaushughulikia."
    assert resolution["text"] == (
        f"Kuhusu ujumbe wako {reference}: Nuru Mobile inaona kuwa limetatuliwa.\n\n"
        "Tumekurudishia pesa.\n\nJe, umeridhika na jinsi hili lilivyoshughulikiwa?"
    )
    assert [(item["label"], item["cmd"], item["arg"]) for item in resolution["menu"]] == [
        ("Ndiyo, nimeridhika", "satisfied", f"yes:{reference}"),
        ("Hapana", "satisfied", f"no:{reference}"),
        ("Fungua tena", "reopen", reference),
    ]
    assert [status for status, _ in resolved.case.history] == [
        CaseStatus.UNDER_REVIEW,
        CaseStatus.RESOLVED,
    ]
    with pytest.raises(CaseError, match="is resolved; it can become: none"):
        await desk.step(resolved.case, CaseStatus.UNDER_REVIEW, "", now)
    with pytest.raises(CaseError, match="changed meanwhile"):
        await desk.step(reviewed.case, CaseStatus.ESCALATED, "", now)  # someone else moved it

    await deployment.deliver_all()
    delivered = [d.message["text"] for d in deployment.delivered(amina)]
    assert delivered[-2:] == [review["text"], resolution["text"]]


async def test_a_web_chat_participant_reads_the_answer_in_their_inbox(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    gift = await join(Person(deployment, "gift", Channel.WEBCHAT), "fr", updates=False)
    await gift.say("avis")
    await gift.say("Le réseau coupe chaque soir")
    [case] = await list_cases(deployment.redis, deployment.runtime.schema)
    step = await _desk(deployment).step(
        case, CaseStatus.ESCALATED, "Un technicien viendra.", deployment.clock.now_ms
    )
    assert step.delivered == "web chat inbox"
    assert (await gift.inbox())[-1].text == (
        f"À propos de votre message {case.reference} : Nuru Mobile l'a transmis à une équipe "
        "de direction.\n\nUn technicien viendra."
    )


async def test_open_cases_past_their_response_time_are_overdue(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client, response_days=3))
    amina = await join(Person(deployment, "amina"), "en", updates=True)
    baraka = await join(Person(deployment, "baraka"), "en", updates=True)
    await amina.say("/feedback")
    [thanks] = await amina.say("Nobody answers at the shop")
    assert thanks["text"].endswith("You should get an answer within 3 days.")
    await _raise(baraka, "My SIM was blocked")
    cases = await list_cases(deployment.redis, deployment.runtime.schema)
    assert [case.due_ms - case.created_ms for case in cases] == [3 * DAY_MS, 3 * DAY_MS]
    later = deployment.clock.now_ms + 4 * DAY_MS
    assert [case.overdue(later) for case in cases] == [True, True]
    assert not cases[0].overdue(deployment.clock.now_ms + 2 * DAY_MS)
    await _desk(deployment).step(cases[1], CaseStatus.RESOLVED, "", deployment.clock.now_ms)
    cases = await list_cases(deployment.redis, deployment.runtime.schema)
    assert [case.overdue(later) for case in cases] == [True, False]


async def test_a_case_keeps_the_answer_time_it_was_promised(redis_client: Redis) -> None:
    """Changing SAUTI_GRIEVANCE_RESPONSE_DAYS does not move what people were already told."""
    before = await with_campaign(make_deployment(redis_client, response_days=3))
    await _raise(await join(Person(before, "amina"), "en", updates=True), "Nobody answers")
    after = make_deployment(redis_client, response_days=30)
    await _raise(await join(Person(after, "baraka"), "en", updates=True), "Still blocked")
    cases = await list_cases(redis_client, after.runtime.schema)
    assert sorted(case.due_ms - case.created_ms for case in cases) == [3 * DAY_MS, 30 * DAY_MS]


async def test_replaying_the_event_that_raised_a_case_does_not_reset_it(
    redis_client: Redis,
) -> None:
    """A committed event replayed (a dead letter replayed twice, say) ran its case command
    again: the case was created anew, back to "received" with a new promised date."""
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina"), "en", updates=True)
    raised = amina.event(Answer(TextReply("/feedback Nobody answers at the shop")))
    await deployment.runtime.ingestor.ingest(raised)
    await deployment.runtime.drain()
    [case] = await list_cases(deployment.redis, deployment.runtime.schema)
    later = deployment.clock.now_ms + DAY_MS
    await _desk(deployment).step(case, CaseStatus.UNDER_REVIEW, "We are on it.", later)

    schema = deployment.runtime.schema
    stream = schema.inbound(schema.shard_of(amina.pid))
    fields: Any = encode(raised, deployment.runtime.crypto)
    await deployment.redis.xadd(stream, fields)  # what a dead-letter replay does
    deployment.clock.now_ms += 2 * DAY_MS
    assert await deployment.runtime.drain() == 1
    [after] = await list_cases(deployment.redis, deployment.runtime.schema)
    assert (after.status, after.due_ms, after.steps) == (CaseStatus.UNDER_REVIEW, case.due_ms, 1)


async def test_an_answer_to_someone_who_left_with_a_quick_exit_is_not_sent(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    baraka = await join(Person(deployment, "baraka", Channel.WHATSAPP), "sw", updates=True)
    reference = await _raise(baraka, "Wakala alinitoza mara mbili")
    await baraka.say("toka")
    case = await find_case(deployment.redis, deployment.runtime.schema, reference)
    assert case is not None
    start = await baraka.last_reply_id()
    step = await _desk(deployment).step(
        case, CaseStatus.UNDER_REVIEW, "Tunashughulikia.", deployment.clock.now_ms
    )
    assert step.delivered == "not sent: the participant left with a quick exit"
    assert step.case.status is CaseStatus.UNDER_REVIEW  # the case moves on all the same
    assert await baraka.replies(after=start) == []
