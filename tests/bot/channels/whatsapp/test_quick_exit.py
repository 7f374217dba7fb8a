"""Quick exit and shared-phone mode on WhatsApp, through the real webhook, worker, publisher
and sender against the fake Graph API. WhatsApp cannot delete messages: the data notice says
how to clear the chat; the exit word gets one neutral line, then silence until they write."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.loop import SIM_DECISION, publish_on
from tests.kit.whatsapp import World, running_world

LEAVING = "255700000011"
STAYING = "255700000012"
SHARING = "255700000013"


@pytest.fixture
async def world(redis_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(redis_url, tmp_path, SAUTI_LOOP_QUIET_HOURS="none") as running:
        yield running


async def test_the_data_notice_says_how_to_clear_the_chat_and_exit_silences_them(
    world: World,
) -> None:
    await world.join_and_answer(LEAVING, "en", "1", "1,2", "no", "yes")
    await world.join_and_answer(STAYING, "en", "1", "1,2", "no", "yes")
    texts = [sent.text for sent in world.messages_to(LEAVING)]
    notice = next(i for i, text in enumerate(texts) if "What happens with your answers" in text)
    # Right after the data notice (and how long answers are kept), before the question.
    history = texts[notice + 2]
    assert history.startswith("WhatsApp keeps this chat on your phone")
    assert '"Clear chat"' in history
    assert 'send "exit"' in history
    assert texts[notice + 3] == "Do you agree to take part?"

    [line] = await world.next_messages(LEAVING, world.say(LEAVING, "exit"))
    assert line.text == "OK."
    assert (await world.record(LEAVING))[b"hid"] not in (b"", b"0")

    before, others = len(world.messages_to(LEAVING)), len(world.messages_to(STAYING))
    await publish_on(world.app, SIM_DECISION)
    await world.wait_for(STAYING, others + 1)  # the other one is told
    await asyncio.sleep(0.5)
    assert len(world.messages_to(LEAVING)) == before  # and nothing reaches them

    [greeting] = await world.next_messages(LEAVING, world.say(LEAVING, "hello"))
    assert greeting.text == 'Hello! Send "start" to carry on.'
    assert (await world.record(LEAVING))[b"hid"] not in (b"", b"0")  # still hidden
    resumed = await world.next_messages(LEAVING, world.say(LEAVING, "start"))
    assert resumed[-1].text.startswith("In the last 30 days")  # outages: where they were


async def test_a_shared_phone_gets_notices_that_quote_nothing(world: World) -> None:
    await world.join_and_answer(SHARING, "en", "1", "1,2", "no", "yes")
    await world.join_and_answer(STAYING, "en", "1", "1,2", "no", "yes")
    # The menu's "Shared phone" (or the word) asks, with buttons: never a blind toggle.
    [asked] = await world.next_messages(SHARING, world.say(SHARING, "shared phone"))
    assert asked.text.startswith("Is this phone shared with others?")
    assert [title for _, title in asked.reply_ids] == ["Turn on", "Turn off"]
    assert (await world.record(SHARING))[b"shp"] == b"0"
    [said] = await world.next_messages(SHARING, world.tap(SHARING, asked, "Turn on"))
    assert said.text.startswith("Shared-phone mode is on")
    assert (await world.record(SHARING))[b"shp"] == b"1"

    before = {wa_id: len(world.messages_to(wa_id)) for wa_id in (SHARING, STAYING)}
    await publish_on(world.app, SIM_DECISION)
    [shared] = (await world.wait_for(SHARING, before[SHARING] + 1))[before[SHARING] :]
    [plain] = (await world.wait_for(STAYING, before[STAYING] + 1))[before[STAYING] :]
    assert shared.text == 'There is news for you. Tap "Read" to see it.'
    assert [title for _, title in shared.reply_ids] == ["Read"]
    assert plain.text.startswith("You told us “Yes” when we asked “To get a SIM card")

    # "Read" shows the decision itself, on request.
    [decision] = await world.next_messages(SHARING, world.tap(SHARING, shared, "Read"))
    assert "agents now accept a letter from the village chief" in decision.text
    assert "You told us" not in decision.text
