"""The participant's side of the grievance desk, through the real worker: "my cases" (and "my
data") from the chat, "are you satisfied?" after a resolution (buttons or a typed yes/no),
reopening a resolved case within SAUTI_CASE_REOPEN_DAYS, and shared-phone mode."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.loop.grievances import Desk
from bot.records.cases import Case, CaseStatus, Category, Urgency, find_case
from tests.bot.loop import Deployment, Person, join, make_deployment, with_campaign

DAY_MS = 24 * 3600 * 1000


def _desk(deployment: Deployment) -> Desk:
    runtime = deployment.runtime
    return Desk(runtime.redis, runtime.schema, runtime.campaigns, runtime.crypto)


async def _raise(person: Person, text: str) -> Case:
    await person.say("/feedback" if person.channel is Channel.TELEGRAM else "maoni")
    [thanks] = await person.say(text)
    reference = "F-" + thanks["text"].split("F-")[1][:6]
    return await _case(person.deployment, reference)


async def _case(deployment: Deployment, reference: str) -> Case:
    case = await find_case(deployment.redis, deployment.schema, reference)
    assert case is not None
    return case


async def _resolved(person: Person, message: str) -> Case:
    case = await _raise(person, "The agent charged me twice")
    deployment = person.deployment
    step = await _desk(deployment).step(case, CaseStatus.RESOLVED, message, deployment.clock.now_ms)
    return step.case


async def test_my_cases_shows_each_case_its_status_and_the_desks_last_message(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina", Channel.WHATSAPP), "sw", updates=True)
    [none] = await amina.say("kesi zangu")
    assert none["text"].startswith("Huna kesi iliyo wazi")
    first = await _raise(amina, "Wakala alinitoza mara mbili")
    deployment.set_time(deployment.clock.now_ms + DAY_MS)
    second = await _raise(amina, "Mnara unapiga kelele usiku")
    await _desk(deployment).step(
        first, CaseStatus.UNDER_REVIEW, "Tunaangalia malipo yako.", deployment.clock.now_ms
    )

    [listing] = await amina.say("hali ya kesi")
    lines = listing["text"].split("\n\n")
    assert lines[0] == "Kesi zako:"
    assert lines[1].startswith(f"• {second.reference} (")
    assert lines[1].endswith("): imepokelewa")
    assert lines[2].split("\n") == [
        lines[2].split("\n")[0],
        "  Ujumbe wa mwisho kutoka kwa timu: Tunaangalia malipo yako.",
    ]
    assert lines[2].startswith(f"• {first.reference} (")
    assert lines[2].split("\n")[0].endswith("): inashughulikiwa")


async def test_my_data_lists_their_cases(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    baraka = await join(Person(deployment, "baraka"), "en", updates=True)
    case = await _raise(baraka, "My SIM was blocked")
    [my_data] = await baraka.say("/mydata")
    assert f"Your cases:\n\n• {case.reference} (" in my_data["text"]
    assert "): received" in my_data["text"]


async def test_a_resolution_asks_whether_they_are_satisfied_and_a_button_answers(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina"), "en", updates=True)
    case = await _raise(amina, "The agent charged me twice")
    start = await amina.last_reply_id()
    now = deployment.clock.now_ms
    case = (await _desk(deployment).step(case, CaseStatus.RESOLVED, "We refunded you.", now)).case
    [notice] = await amina.replies(after=start)
    assert notice["text"].endswith(
        "We refunded you.\n\nAre you satisfied with how this was handled?"
    )
    assert case.asked_ms is not None
    assert case.satisfied is None

    [thanks] = await amina.press("satisfied", f"yes:{case.reference}")
    assert thanks["text"] == "Thank you for telling us."
    assert (await _case(deployment, case.reference)).satisfied is True


async def test_a_typed_no_answers_the_question_and_says_how_to_reopen(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    # Outside any survey: while a survey question waits, a typed no is the survey's.
    amina = Person(deployment, "amina", Channel.WHATSAPP)
    await amina.press("language", "fr")
    case = await _resolved(amina, "Nous vous avons remboursé.")
    [why] = await amina.say("non")
    assert why["text"].startswith("Nous regrettons que ce ne soit pas réglé pour vous.")
    assert (await _case(deployment, case.reference)).satisfied is False
    [answer] = await amina.say("Le remboursement n'est jamais arrivé.")
    assert answer["text"] == (
        "Merci de nous l'avoir dit. Si ce n'est pas réglé pour vous, vous pouvez le rouvrir "
        f"dans les 30 jours : envoyez « rouvrir {case.reference} »."
    )
    # The question is answered: a later "non" is not taken for it again.
    assert not any("Merci" in reply["text"] for reply in await amina.say("non"))


async def test_reopening_within_the_time_puts_the_case_back_on_the_desk(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client, response_days=7))
    amina = await join(Person(deployment, "amina"), "en", updates=True)
    case = await _resolved(amina, "We refunded you.")
    deployment.set_time(deployment.clock.now_ms + 10 * DAY_MS)

    [confirmed] = await amina.say(f"reopen {case.reference.lower()}")
    assert confirmed["text"] == (
        f"Your case {case.reference} is open again: the team will look at it anew. "
        "You should get an answer within 7 days."
    )
    reopened = await _case(deployment, case.reference)
    assert (reopened.status, reopened.reopens) == (CaseStatus.REOPENED, 1)
    assert reopened.status.open
    assert reopened.history[-1][0] is CaseStatus.REOPENED
    assert reopened.due_ms > deployment.clock.now_ms + 6 * DAY_MS  # a new promise
    [again] = await amina.say(f"appeal {case.reference}")
    assert again["text"] == f"Your case {case.reference} is still open: the team is working on it."
    assert (await _case(deployment, case.reference)).reopens == 1
    # The desk answers it anew.
    step = await _desk(deployment).step(
        reopened, CaseStatus.RESOLVED, "We looked again.", deployment.clock.now_ms
    )
    assert step.case.status is CaseStatus.RESOLVED


async def test_after_the_reopen_time_they_are_told_how_to_raise_it_anew(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client, reopen_days=30))
    baraka = await join(Person(deployment, "baraka"), "en", updates=True)
    case = await _resolved(baraka, "Fixed.")
    deployment.set_time(deployment.clock.now_ms + 31 * DAY_MS)
    [late] = await baraka.press("reopen", case.reference)
    assert late["text"] == (
        f"Sorry, your case {case.reference} was resolved more than 30 days ago and can no "
        'longer be reopened. To raise it again, send "/feedback" and tell us what is still wrong.'
    )
    assert (await _case(deployment, case.reference)).status is CaseStatus.RESOLVED


async def test_no_one_reopens_or_answers_for_a_case_of_someone_else(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina"), "en", updates=True)
    baraka = await join(Person(deployment, "baraka"), "en", updates=True)
    case = await _resolved(amina, "Fixed.")
    [refused] = await baraka.say(f"reopen {case.reference}")
    assert refused["text"] == (
        f'We found no case {case.reference} of yours. Send "/cases" to see your cases.'
    )
    [refused] = await baraka.press("satisfied", f"no:{case.reference}")
    assert refused["text"].startswith("We found no case")
    after = await _case(deployment, case.reference)
    assert (after.status, after.satisfied) == (CaseStatus.RESOLVED, None)


async def test_a_web_chat_participant_reopens_from_the_button_in_their_inbox(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    gift = await join(Person(deployment, "gift", Channel.WEBCHAT), "en", updates=False)
    await gift.say("feedback")
    await gift.say("The network drops every evening")
    [notice] = [n for n in await gift.inbox() if "Your reference is" in n.text]
    reference = "F-" + notice.text.split("F-")[1][:6]
    case = await _case(deployment, reference)
    now = deployment.clock.now_ms
    await _desk(deployment).step(case, CaseStatus.RESOLVED, "A mast was fixed.", now)
    resolution = (await gift.inbox())[-1]
    assert [(item.command, item.argument) for item in resolution.menu] == [
        ("satisfied", f"yes:{reference}"),
        ("satisfied", f"no:{reference}"),
        ("reopen", reference),
    ]
    await gift.press("reopen", reference)
    assert (await gift.inbox())[-1].text.startswith(f"Your case {reference} is open again")
    assert (await _case(deployment, reference)).status is CaseStatus.REOPENED


async def test_in_shared_phone_mode_a_resolution_quotes_nothing_of_the_case(
    redis_client: Redis,
) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina"), "en", updates=True)
    case = await _raise(amina, "My husband reads my messages")
    await amina.press("shared", "on")
    start = await amina.last_reply_id()
    await _desk(deployment).step(
        case, CaseStatus.RESOLVED, "We moved your SIM to a new PIN.", deployment.clock.now_ms
    )
    [notice] = await amina.replies(after=start)
    assert notice["text"] == (
        f"There is news about your message {case.reference}.\n\n"
        "Are you satisfied with how this was handled?"
    )
    assert [item["cmd"] for item in notice["menu"]] == ["satisfied", "satisfied", "reopen", "cases"]
    # "Read" shows it when they choose.
    [listing] = await amina.press("cases")
    assert "Last message from the team: We moved your SIM to a new PIN." in listing["text"]


async def test_the_desk_sets_a_category_and_urgency_when_stepping(redis_client: Redis) -> None:
    deployment = await with_campaign(make_deployment(redis_client))
    amina = await join(Person(deployment, "amina"), "en", updates=True)
    case = await _raise(amina, "The shop agent threatened me")
    assert (case.category, case.urgency) == (None, Urgency.NORMAL)
    step = await _desk(deployment).step(
        case,
        CaseStatus.UNDER_REVIEW,
        "",
        deployment.clock.now_ms,
        category=Category.CONDUCT,
        urgency=Urgency.SAFETY,
    )
    assert (step.case.category, step.case.urgency) == (Category.CONDUCT, Urgency.SAFETY)
    later = await _desk(deployment).step(step.case, CaseStatus.ESCALATED, "", 0)
    assert (later.case.category, later.case.urgency) == (Category.CONDUCT, Urgency.SAFETY)
