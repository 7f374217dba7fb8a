"""Free-form messages are understood end to end: typed in the web chat, read by the worker's
model, acted on by the conversation, committed to the real Redis."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import App
from bot.conversation.inbound import Channel
from bot.records.cases import Urgency, list_cases
from bot.records.triage_marks import open_alerts
from bot.understanding import shared_model
from dialogues.localization import builtin_catalog
from tests.kit import webchat as browser
from tests.kit.example import CAMPAIGN
from tests.kit.webchat import COMPLETE_EN, Client

SAFETY_NOTICE = builtin_catalog().message("safety.flagged", "en", reference="X", exit="exit")
SAFETY_START = SAFETY_NOTICE.split("(", 1)[0].strip()


@pytest.fixture(autouse=True)
async def trained() -> None:
    """The model trained before the first message (a worker starting waits for it only
    briefly: tests/bot/understanding/test_readiness.py)."""
    await asyncio.to_thread(shared_model)


def _participant_key(app: App, token: str) -> str:
    return app.schema.participant(app.crypto.participant_id(Channel.WEBCHAT.value, token))


async def test_stop_sending_me_this_stops_the_messages(web_client: Client, app: App) -> None:
    token = await browser.join(web_client, "en")
    page = await browser.answer(web_client, token, text="please stop sending me this")
    assert builtin_catalog().message("stop.done", "en", start="start") in browser.lines(page)
    assert await app.redis.hget(_participant_key(app, token), "stop") == b"1"


async def test_a_paraphrase_in_swahili_stops_them_too(web_client: Client, app: App) -> None:
    token = await browser.join(web_client, "sw")
    await browser.answer(web_client, token, text="acheni kunitumia ujumbe")
    assert await app.redis.hget(_participant_key(app, token), "stop") == b"1"


async def test_delete_my_data_in_french_asks_before_deleting_anything(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "fr")
    await browser.answer(web_client, token, **COMPLETE_EN[0])
    page = await browser.answer(web_client, token, text="je veux supprimer mes données")
    assert builtin_catalog().message("delete.confirm", "fr") in browser.lines(page)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    # Nothing deleted yet: the model never takes the place of their yes.
    assert await app.redis.exists(app.schema.participant(pid))
    assert await app.redis.exists(app.schema.answers(pid, CAMPAIGN))


async def test_an_answer_the_survey_reads_is_never_taken_for_a_command(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, **COMPLETE_EN[0])
    await browser.answer(web_client, token, choice="yes")  # unsafe: yes -> what happened?
    page = await browser.answer(web_client, token, text="I want them to stop the calls")
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hget(_participant_key(app, token), "stop") != b"1"
    assert await app.redis.hexists(app.schema.answers(pid, CAMPAIGN), "unsafe_what")
    assert "me: I want them to stop the calls" in browser.lines(page)


async def test_asking_for_help_under_a_question_gets_that_question_again_with_how_to_answer(
    web_client: Client,
) -> None:
    token = await browser.join(web_client, "en")
    for step in COMPLETE_EN[:3]:
        await browser.answer(web_client, token, **step)
    page = await browser.answer(web_client, token, text="I do not understand what to do")
    last = browser.lines(page)[-1]
    assert "Please reply with a number, like 3." in last  # the outages question's own hint
    assert "see this menu again" not in last  # not the general menu


async def test_i_dont_know_is_a_skip_not_an_unreadable_answer(web_client: Client) -> None:
    token = await browser.join(web_client, "en")
    page = await browser.answer(web_client, token, text="no idea honestly")
    # The first question is required: a skip is refused as such, where an unreadable answer
    # would be told to pick a number.
    assert browser.lines(page)[-1] == builtin_catalog().message("reject.required", "en")


async def test_a_threat_is_flagged_for_a_person_at_once(web_client: Client, app: App) -> None:
    token = await browser.join(web_client, "en")
    page = await browser.answer(web_client, token, text="my husband beats me when he sees this")
    assert any(line.startswith(SAFETY_START) for line in browser.lines(page))
    [case] = await list_cases(app.redis, app.schema)
    assert case.urgency is Urgency.SAFETY
    assert case.campaign_id == CAMPAIGN
    [alert] = await open_alerts(app.redis, app.schema, [CAMPAIGN])
    assert alert.item == case.reference
    flags = app.metrics.registry.get_sample_value(
        "sauti_safety_flags_total", {"channel": Channel.WEBCHAT.value}
    )
    assert flags == 1.0


async def test_danger_written_as_an_answer_is_kept_as_the_answer_and_flagged(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "sw")
    await browser.answer(web_client, token, **COMPLETE_EN[0])
    await browser.answer(web_client, token, choice="yes")  # unsafe: yes -> what happened?
    await browser.answer(web_client, token, text="walitishia kuniua kwa sababu ya simu")
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    assert await app.redis.hexists(app.schema.answers(pid, CAMPAIGN), "unsafe_what")
    [case] = await list_cases(app.redis, app.schema)
    assert case.urgency is Urgency.SAFETY


async def test_an_option_that_names_a_danger_is_the_answer_not_a_flag(
    web_client: Client, app: App
) -> None:
    token = await browser.join(web_client, "fr")
    await browser.answer(web_client, token, action="submit", pick=["calls", "money"])
    await browser.answer(web_client, token, choice="2")  # money_safe: low, so worry is asked
    await browser.answer(web_client, token, text="arnaques")  # worry: the option "Arnaques"
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    answers = await app.redis.hgetall(app.schema.answers(pid, CAMPAIGN))
    assert b"worry" in answers
    assert await list_cases(app.redis, app.schema) == []


async def test_an_ordinary_answer_raises_nothing(web_client: Client, app: App) -> None:
    token = await browser.join(web_client, "en")
    await browser.answer(web_client, token, **COMPLETE_EN[0])
    await browser.answer(web_client, token, choice="yes")
    await browser.answer(web_client, token, text="the tower is far from the market")
    assert await list_cases(app.redis, app.schema) == []
    assert await open_alerts(app.redis, app.schema, [CAMPAIGN]) == []
