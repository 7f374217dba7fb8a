"""The desk's answer to a case over WhatsApp, through the real worker, sender and client against
the fake Graph API, when the 24-hour window has closed (the usual case: the desk answers days
later): the approved notice template carries what the desk wrote and the reference, never the
"continue" template (whose button would resume the survey); in shared-phone mode a template
that names nothing goes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.loop.grievances import Desk
from bot.records.cases import Case, CaseStatus, find_case
from tests.fakes.whatsapp_api import Sent
from tests.kit.whatsapp import World, approved_templates, running_world

HOUR_MS = 3600 * 1000
AMINA = "255700000003"


@pytest.fixture
async def world(redis_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(redis_url, tmp_path, SAUTI_LOOP_QUIET_HOURS="none") as running:
        yield running


async def _raised(world: World, text: str, *, speaks_of_danger: bool = False) -> Case:
    await world.next_messages(AMINA, world.say(AMINA, "feedback"))
    before = len(world.messages_to(AMINA))
    await world.next_messages(AMINA, world.say(AMINA, text))
    if speaks_of_danger:  # first told that a person reads it first, then the usual thanks
        notice, thanks = (await world.wait_for(AMINA, before + 2))[before:]
        assert "A person on the team will read your message first" in notice.text
    else:
        [thanks] = world.messages_to(AMINA)[before:]
    reference = "F-" + thanks.text.split("F-")[1][:6]
    case = await find_case(world.app.redis, world.app.schema, reference)
    assert case is not None
    return case


async def _resolved_outside_the_window(world: World, case: Case, message: str) -> Sent:
    then = int(time.time() * 1000 - 25 * HOUR_MS)  # as if they last wrote 25 hours ago
    await world.app.redis.hset(world.app.schema.participant(world.pid(AMINA)), "in", str(then))
    app = world.app
    desk = Desk(app.redis, app.schema, app.campaigns, app.crypto)
    before = len(world.messages_to(AMINA))
    await desk.step(case, CaseStatus.RESOLVED, message, int(time.time() * 1000))
    [sent] = (await world.wait_for(AMINA, before + 1))[before:]
    return sent


async def test_a_resolution_outside_the_window_says_what_the_desk_wrote(world: World) -> None:
    await world.join(AMINA, "en")
    case = await _raised(world, "The agent charged me twice")

    sent = await _resolved_outside_the_window(world, case, "We refunded 5000 shillings.")

    assert sent.type == "template"
    assert sent.request["template"]["name"] == approved_templates().templates["notice"].name
    assert "We refunded 5000 shillings." in sent.text
    assert case.reference in sent.text
    assert world.fake.refused == []


async def test_in_shared_phone_mode_a_resolution_outside_the_window_names_nothing(
    world: World,
) -> None:
    await world.join(AMINA, "en")
    await world.next_messages(AMINA, world.say(AMINA, "/shared on"))
    case = await _raised(world, "My husband takes my mobile money", speaks_of_danger=True)

    sent = await _resolved_outside_the_window(world, case, "We blocked the agent.")

    assert sent.type == "template"
    assert sent.request["template"]["name"] in {"sauti_shared", "sauti_shared_continue"}
    assert sent.text == ""  # no parameter: nothing of the case travels with it
    assert world.fake.refused == []
