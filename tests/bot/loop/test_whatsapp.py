"""Decision notices over WhatsApp, through the real webhook, worker, publisher, sender and
client against the fake Graph API: buttons inside the 24-hour window, the approved decision
template with the same buttons as quick replies outside it (or the plain notice template where
a language has no decision template), and a concern written back after tapping "still
concerned" on either."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.api.operations.decision_preview import preview_out
from bot.channels.whatsapp import payload_ids
from bot.commands.decisions import decision_preview, print_preview
from bot.conversation.inbound import Command
from bot.loop.ledger import StoredDecision
from bot.records.cases import case_text, find_case
from bot.records.reactions import reaction_totals
from tests.bot.loop import SIM_DECISION, publish_on
from tests.fakes.whatsapp_api import Sent
from tests.kit.whatsapp import World, approved_templates, running_world

HOUR_MS = 3600 * 1000
SWAHILI = "255700000001"
ENGLISH = "255700000002"
# Approved: the decision template in English only; the plain notice in English and Swahili.
ENGLISH_DECISION_ONLY = """\
[fallback]
"*" = ["en"]

[templates.notice]
name = "sauti_update"
parameters = ["text"]

[templates.notice.languages.en]
body = "An update about the survey you answered: {{1}} Reply here."

[templates.notice.languages.sw]
body = "Taarifa kuhusu utafiti uliojibu: {{1}} Jibu hapa."

[templates.decision]
name = "sauti_decision"
parameters = ["text"]
quick_replies = ["menu:react:helpful", "menu:react:concerns", "menu:react:more"]

[templates.decision.languages.en]
body = "What came of the survey you answered: {{1}} Tap a button below to tell us what you think."
buttons = ["Helpful", "Still concerned", "Tell me more"]
"""


@pytest.fixture
async def world(redis_url: str, tmp_path: Path) -> AsyncIterator[World]:
    # No quiet hours: the default 21:00-08:00 would hold these +255 numbers back in Tanzania's
    # evening.
    never_quiet = {"SAUTI_LOOP_QUIET_HOURS": "none"}
    async with running_world(redis_url, tmp_path, **never_quiet) as running:
        yield running


async def _window_closed(world: World, wa_id: str) -> None:
    """As if they last wrote 25 hours ago."""
    then = int(time.time() * 1000 - 25 * HOUR_MS)
    await world.app.redis.hset(world.app.schema.participant(world.pid(wa_id)), "in", str(then))


async def _publish(world: World, *wa_ids: str) -> tuple[StoredDecision, dict[str, Sent]]:
    """Load, publish and feed SIM_DECISION; returns it and the notice each of them got."""
    before = {wa_id: len(world.messages_to(wa_id)) for wa_id in wa_ids}
    stored = await publish_on(world.app, SIM_DECISION)
    notices = {}
    for wa_id in wa_ids:
        [notices[wa_id]] = (await world.wait_for(wa_id, before[wa_id] + 1))[before[wa_id] :]
    return stored, notices


async def test_notices_on_whatsapp_inside_and_outside_the_window(world: World) -> None:
    await world.join_and_answer(SWAHILI, "sw", "1", "1,2", "hapana", "ndiyo")
    await world.join_and_answer(ENGLISH, "en", "1", "1,2", "no", "yes")
    await _window_closed(world, ENGLISH)
    stored, notices = await _publish(world, SWAHILI, ENGLISH)

    notice = notices[SWAHILI]
    assert notice.text.startswith("Ulituambia “Ndiyo”")
    assert [title for _, title in notice.reply_ids] == [
        "Imesaidia",
        "Bado nina wasiwasi",
        "Niambie zaidi",
    ]
    template = notices[ENGLISH]
    assert template.type == "template"
    assert template.request["template"]["name"] == "sauti_decision"  # not "continue"
    assert template.request["template"]["language"]["code"] == "en"
    assert template.text.startswith("You told us “Yes” when we asked")
    assert "Why: The law requires an ID check" in template.text
    # The quick replies carry what the in-window buttons carry: the same reactions to the
    # same decision.
    assert template.reply_ids == [
        (f"c:react:helpful:{stored.ref}", "Helpful"),
        (f"c:react:concerns:{stored.ref}", "Still concerned"),
        (f"c:react:more:{stored.ref}", "Tell me more"),
    ]
    assert [payload for payload, _ in template.reply_ids] == [
        button_id for button_id, _ in notice.reply_ids
    ]
    assert world.fake.refused == []

    ask = await world.next_messages(SWAHILI, world.tap(SWAHILI, notice, "Bado nina wasiwasi"))
    assert ask[-1].text.startswith("Ni nini bado kinakutia wasiwasi")
    thanks = await world.next_messages(
        SWAHILI, world.say(SWAHILI, "Barua ya mwenyekiti inalipiwa pia")
    )
    assert thanks[-1].text.startswith("Asante. Tumewasilisha wasiwasi wako kwa Nuru Mobile.")


async def test_a_tap_on_the_decision_template_is_the_reaction_the_in_window_button_gives(
    world: World,
) -> None:
    await world.join_and_answer(ENGLISH, "en", "1", "1,2", "no", "yes")
    await _window_closed(world, ENGLISH)
    stored, notices = await _publish(world, ENGLISH)
    template = notices[ENGLISH]
    payload = {title: payload for payload, title in template.reply_ids}["Still concerned"]
    assert payload_ids.action_of(payload) == Command("react", f"concerns:{stored.ref}")

    # The tap reopens the window: what follows is an ordinary conversation again.
    ask = await world.next_messages(ENGLISH, world.tap(ENGLISH, template, "Still concerned"))
    assert [sent.type for sent in ask] == ["text"]
    assert ask[-1].text.startswith("What still concerns you about this?")
    thanks = await world.next_messages(
        ENGLISH, world.say(ENGLISH, "The chief charges for the letter, stop asking for papers")
    )
    assert thanks[-1].text.startswith("Thank you. We have passed your concern on to Nuru Mobile.")

    app = world.app
    totals = await reaction_totals(app.redis, app.publisher().schema, stored.ref)
    assert (totals.helpful, totals.concerns, totals.more) == (0, 1, 0)
    [(_, reference)] = totals.concern_cases
    case = await find_case(app.redis, app.schema, reference)
    assert case is not None
    assert (case.kind, case.decision_ref, case.language) == ("concern", stored.ref, "en")
    written = await case_text(app.redis, app.schema, app.crypto, case)
    assert written == "The chief charges for the letter, stop asking for papers"
    stop = await app.redis.hget(app.schema.participant(world.pid(ENGLISH)), "stop")
    assert stop == b"0"  # "stop" inside their concern did not opt them out


async def test_a_language_without_a_decision_template_gets_the_notice_template(
    redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "templates.toml"
    templates.write_text(ENGLISH_DECISION_ONLY, encoding="utf-8")
    async with running_world(
        redis_url,
        tmp_path,
        SAUTI_LOOP_QUIET_HOURS="none",
        WHATSAPP_TEMPLATES_FILE=str(templates),
    ) as world:
        await world.join_and_answer(SWAHILI, "sw", "1", "1,2", "hapana", "ndiyo")
        await _window_closed(world, SWAHILI)
        stored, _ = await world.app.ledger().load(SIM_DECISION, int(time.time() * 1000))
        campaign = await world.app.campaigns.get(stored.campaign_id)
        assert campaign is not None
        preview = await decision_preview(world.app, stored, campaign.survey)
        assert preview.whatsapp_without_buttons == {"sw": 1}
        assert preview.whatsapp_without_template == {}
        print_preview(preview, campaign.survey, weekly_budget=2)
        shown = capsys.readouterr().out
        # One person: a count that small is withheld, in the command line as in the API.
        assert "WhatsApp: no approved decision template in sw (<5): outside their 24-hour" in shown

        _, notices = await _publish(world, SWAHILI)
    notice = notices[SWAHILI].request["template"]
    # Their own language's notice, not the English decision template they may not read.
    assert (notice["name"], notice["language"]["code"]) == ("sauti_update", "sw")
    assert [component["type"] for component in notice["components"]] == ["body"]
    assert notices[SWAHILI].text.startswith("Ulituambia “Ndiyo”")


async def test_a_shared_phone_notice_outside_the_window_names_nothing_and_keeps_read(
    world: World,
) -> None:
    """Shared-phone mode outside the window: the neutral `shared` template, never the notice
    or decision template (their words name the survey), with the Read button."""
    await world.join_and_answer(ENGLISH, "en", "1", "1,2", "no", "yes")
    await world.next_messages(ENGLISH, world.say(ENGLISH, "/shared on"))
    await _window_closed(world, ENGLISH)
    stored, notices = await _publish(world, ENGLISH)

    template = notices[ENGLISH]
    assert template.type == "template"
    assert template.request["template"]["name"] == "sauti_shared"
    assert template.text == ""  # no parameter: nothing of the notice travels with it
    approved = approved_templates().templates["shared"].languages["en"].body
    assert approved == "There is news for you. Tap Read to see it."
    assert template.reply_ids == [(f"c:react:more:{stored.ref}", "Read")]
    assert world.fake.refused == []

    shown = await world.next_messages(ENGLISH, world.tap(ENGLISH, template, "Read"))
    assert "agents now accept a letter from the village chief" in shown[-1].text


async def test_the_preview_shows_the_words_whatsapp_delivers_inside_and_outside_the_window(
    world: World,
) -> None:
    await world.join_and_answer(SWAHILI, "sw", "1", "1,2", "hapana", "ndiyo")
    await world.join_and_answer(ENGLISH, "en", "1", "1,2", "no", "yes")
    await _window_closed(world, ENGLISH)
    stored, _ = await world.app.ledger().load(SIM_DECISION, int(time.time() * 1000))
    campaign = await world.app.campaigns.get(stored.campaign_id)
    assert campaign is not None
    preview = await decision_preview(world.app, stored, campaign.survey)
    book = approved_templates()
    shown = {
        notice.language: notice for notice in preview_out(preview, campaign.survey, 5, book).notices
    }

    _, notices = await _publish(world, SWAHILI, ENGLISH)

    inside = notices[SWAHILI]
    assert (inside.type, inside.text) == ("interactive", shown["sw"].text)
    assert [title for _, title in inside.reply_ids] == shown["sw"].buttons
    closed = shown["en"].whatsapp_closed_window
    assert closed is not None
    sent = notices[ENGLISH]
    template = sent.request["template"]
    assert (template["name"], template["language"]["code"]) == (closed.template, closed.language)
    approved = book.templates["decision"].languages["en"].body
    assert closed.text == approved.replace("{{1}}", sent.text)
    assert closed.text.startswith("What came of the survey you answered: You told us “Yes”")
    assert closed.buttons == [title for _, title in sent.reply_ids]
