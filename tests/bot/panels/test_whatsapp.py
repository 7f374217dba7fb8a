"""Invitations over WhatsApp, through the real web server, worker, sender and client against
the fake Graph API: inside the 24-hour window the invitation with its Take part button, outside
it the approved invitation template in the person's language, whose quick reply joins the
campaign like the button."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.conversation.campaign import CampaignStatus
from bot.panels.segment import parse_segment
from tests.bot.panels import FOLLOW_UP, follow_up_survey
from tests.kit.example import CAMPAIGN
from tests.kit.whatsapp import World, running_world

HOUR_MS = 3600 * 1000
SWAHILI = "255700000001"
ENGLISH = "255700000002"


@pytest.fixture
async def world(redis_url: str, tmp_path: Path) -> AsyncIterator[World]:
    # No quiet hours: the default 21:00-08:00 would hold these +255 numbers back in Tanzania's
    # evening.
    async with running_world(redis_url, tmp_path, SAUTI_LOOP_QUIET_HOURS="none") as running:
        yield running


async def _member(world: World, wa_id: str, language: str, *answers: str) -> None:
    """Joined the example, answered, and said yes to being contacted again."""
    await world.join_and_answer(wa_id, language, *answers)
    await world.next_messages(wa_id, world.say(wa_id, "/consent contact:yes"))


async def test_invitations_on_whatsapp_inside_and_outside_the_window(world: World) -> None:
    await _member(world, SWAHILI, "sw", "1", "1,2")
    await _member(world, ENGLISH, "en", "1", "1,2")
    app = world.app
    # The example closed: what they left unanswered there can no longer be finished.
    await app.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    campaign = await app.campaigns.load(follow_up_survey(), open_now=True)
    then = int(time.time() * 1000 - 25 * HOUR_MS)  # as if they last wrote 25 hours ago
    await app.redis.hset(app.schema.participant(world.pid(SWAHILI)), "in", str(then))
    before = {wa_id: len(world.messages_to(wa_id)) for wa_id in (SWAHILI, ENGLISH)}

    counts = await app.inviter().send(campaign, parse_segment(""), int(time.time() * 1000))
    assert dict(counts.invited) == {("sw", "whatsapp"): 1, ("en", "whatsapp"): 1}

    [template] = (await world.wait_for(SWAHILI, before[SWAHILI] + 1))[before[SWAHILI] :]
    assert template.type == "template"
    assert template.request["template"]["name"] == "sauti_invitation"
    assert template.request["template"]["language"]["code"] == "sw"
    assert "Nuru Mobile inakualika kwenye utafiti mpya: Vituo vya maji" in template.text
    assert [title for _, title in template.reply_ids] == ["Shiriki"]
    [invitation] = (await world.wait_for(ENGLISH, before[ENGLISH] + 1))[before[ENGLISH] :]
    assert invitation.type == "interactive"
    assert invitation.text.startswith("Nuru Mobile invites you to a new survey: Water points")
    assert [title for _, title in invitation.reply_ids] == ["Take part"]
    assert world.fake.refused == []

    # The template's quick reply joins the campaign, as the button does inside the window.
    joined = await world.next_messages(SWAHILI, world.tap(SWAHILI, template, "Shiriki"))
    assert any("Vituo vya maji" in sent.text for sent in joined), [s.text for s in joined]
    assert (await world.record(SWAHILI))[b"cid"] == FOLLOW_UP.encode()
