"""Decision notices over WhatsApp, through the real webhook, worker, publisher, sender and
client against the fake Graph API: buttons inside the 24-hour window, the approved notice
template outside it, and a concern written back after tapping "still concerned"."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.channels.whatsapp.world import World, running_world
from tests.bot.loop import SIM_DECISION

HOUR_MS = 3600 * 1000


@pytest.fixture
async def world(redis_url: str, tmp_path: Path) -> AsyncIterator[World]:
    # No quiet hours: a range that starts where it ends. (An empty value would count as unset,
    # so the default 21:00-08:00 would hold these +255 numbers back in Tanzania's evening.)
    never_quiet = {"SAUTI_LOOP_QUIET_HOURS": "00:00-00:00"}
    async with running_world(redis_url, tmp_path, **never_quiet) as running:
        yield running


async def test_notices_on_whatsapp_inside_and_outside_the_window(world: World) -> None:
    await world.join_and_answer("255700000001", "sw", "1", "1,2", "hapana", "ndiyo")
    await world.join_and_answer("255700000002", "en", "1", "1,2", "no", "yes")
    late = world.pid("255700000002")
    then = int(time.time() * 1000 - 25 * HOUR_MS)  # wrote 25 hours ago: the window is closed
    await world.app.redis.hset(world.app.keys.participant(late), "in", str(then))

    stored, _ = await world.app.ledger().load(SIM_DECISION, int(time.time() * 1000))
    publisher = world.app.publisher()
    await publisher.publish(stored.campaign_id, stored.id)
    before = {wa_id: len(world.messages_to(wa_id)) for wa_id in ("255700000001", "255700000002")}
    while await publisher.step():
        pass

    [notice] = (await world.wait_for("255700000001", before["255700000001"] + 1))[-1:]
    assert notice.text.startswith("Ulituambia “Ndiyo”")
    assert [title for _, title in notice.reply_ids] == [
        "Imesaidia",
        "Bado nina wasiwasi",
        "Niambie zaidi",
    ]
    [template] = (await world.wait_for("255700000002", before["255700000002"] + 1))[-1:]
    assert template.type == "template"
    assert template.request["template"]["name"] == "sauti_update"  # a notice, not "continue"
    assert template.text.startswith("You told us “Yes” when we asked")
    assert "Why: The law requires an ID check" in template.text

    ask = await world.next_messages(
        "255700000001", world.tap("255700000001", notice, "Bado nina wasiwasi")
    )
    assert ask[-1].text.startswith("Ni nini bado kinakutia wasiwasi")
    thanks = await world.next_messages(
        "255700000001", world.say("255700000001", "Barua ya mwenyekiti inalipiwa pia")
    )
    assert thanks[-1].text.startswith("Asante. Tumewasilisha wasiwasi wako kwa Nuru Mobile.")
