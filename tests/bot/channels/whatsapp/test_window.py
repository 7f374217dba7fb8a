"""The 24-hour window: outside it only an approved template in the participant's language goes
out, or nothing at all, and the gap is reported."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from bot.channels.whatsapp.payload_ids import RESUME
from bot.conversation.inbound import Channel
from bot.runtime.message_codec import message_from_plain
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from tests.fakes import whatsapp_api as wa
from tests.kit.waiting import until
from tests.kit.whatsapp import World, running_world

HOUR_MS = 3600 * 1000
NOTICE = "Nuru Mobile decided:\nagents will no longer keep copies of ID cards."


async def _joined(world: World, wa_id: str, language: str) -> str:
    await world.join(wa_id, language)
    return world.pid(wa_id)


async def _last_wrote(world: World, pid: str, hours_ago: float) -> None:
    """As if their last message to Sauti was that long ago."""
    then = int(time.time() * 1000 - hours_ago * HOUR_MS)
    await world.app.redis.hset(world.app.schema.participant(pid), "in", str(then))


async def _queue(world: World, pid: str, message: dict[str, Any], key: str) -> None:
    entry = OutboxEntry(
        key, pid, Channel.WHATSAPP.value, message_from_plain(message), int(time.time() * 1000)
    )
    await enqueue(world.app.redis, world.app.schema, world.app.crypto, entry, Priority.BULK)


def _count(world: World, name: str, **labels: str) -> float:
    value: Any = world.app.metrics.registry.get_sample_value(name, labels)
    return float(value or 0)


async def test_a_notice_after_the_window_closed_is_the_approved_template_in_their_language(
    world: World,
) -> None:
    wa_id = "243810000101"
    pid = await _joined(world, wa_id, "fr")
    await _last_wrote(world, pid, hours_ago=25)
    before = len(world.messages_to(wa_id))
    await _queue(world, pid, {"text": NOTICE, "from": "sauti"}, "notice-1")
    sent = (await world.wait_for(wa_id, before + 1))[before:]
    assert [s.type for s in sent] == ["template"]
    template = sent[0].request["template"]
    assert (template["name"], template["language"]["code"]) == ("sauti_update", "fr")
    # on one line: WhatsApp refuses template parameters with line breaks
    assert sent[0].text == "Nuru Mobile decided: agents will no longer keep copies of ID cards."
    assert world.fake.refused == []


async def test_a_question_waiting_after_the_window_closed_asks_to_continue_then_asks_again(
    world: World,
) -> None:
    wa_id = "255710000102"
    pid = await _joined(world, wa_id, "sw")
    await _last_wrote(world, pid, hours_ago=30)
    before = len(world.messages_to(wa_id))
    menu = [{"label": "Endelea na utafiti", "cmd": "start", "arg": ""}]
    await _queue(world, pid, {"text": "Karibu tena", "from": "sauti", "menu": menu}, "menu-1")
    sent = (await world.wait_for(wa_id, before + 1))[before:]
    assert sent[0].request["template"]["name"] == "sauti_continue"
    assert sent[0].request["template"]["language"]["code"] == "sw"
    tap = wa.template_button(wa_id, RESUME, "Endelea")
    again = await world.next_messages(
        wa_id, world.fake.post_webhook(wa.envelope(world.fake, messages=[tap]))
    )
    assert "Karibu tena" in again[0].text  # "welcome back", then the question they were at
    assert "Unatumia laini yako" in again[-1].text
    assert again[-1].type == "text"  # the window is open again: the ordinary message


async def test_whatsapp_saying_the_window_is_closed_switches_to_the_template(
    world: World,
) -> None:
    wa_id = "254700000103"
    pid = await _joined(world, wa_id, "en")
    await _last_wrote(world, pid, hours_ago=23.99)  # open by our clock, closed by Meta's
    world.fake.closed_windows.add(wa_id)
    before = len(world.messages_to(wa_id))
    await _queue(world, pid, {"text": NOTICE, "from": "sauti"}, "notice-3")
    sent = (await world.wait_for(wa_id, before + 1))[before:]
    assert [s.type for s in sent] == ["template"]
    assert [r.code for r in world.fake.refused] == [131047]
    assert _count(world, "sauti_whatsapp_window_closed_total") == 1


async def test_a_failed_status_saying_the_window_closed_sends_the_template_after_all(
    world: World,
) -> None:
    wa_id = "254700000104"
    pid = await _joined(world, wa_id, "en")
    world.fake.closed_windows.add(wa_id)
    world.fake.async_failures = True  # accepted, then a "failed" webhook: Meta's usual way
    before = len(world.messages_to(wa_id))
    await _queue(world, pid, {"text": NOTICE, "from": "sauti"}, "notice-4")
    sent = (await world.wait_for(wa_id, before + 2))[before:]
    assert [s.type for s in sent] == ["text", "template"]
    assert _count(world, "sauti_whatsapp_resent_total", reason="window_closed") == 1


async def test_without_an_approved_template_nothing_is_sent_and_the_gap_is_reported(
    redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    only_english = tmp_path / "templates.toml"
    only_english.write_text(
        '[fallback]\n"*" = []\n\n[templates.notice]\nname = "sauti_update"\n'
        'parameters = ["text"]\n\n[templates.notice.languages.en]\n'
        'body = "Update: {{1}} Reply here."\n',
        encoding="utf-8",
    )
    async with running_world(
        redis_url, tmp_path, WHATSAPP_TEMPLATES_FILE=str(only_english)
    ) as world:
        wa_id = "255710000105"
        pid = await _joined(world, wa_id, "sw")
        await _last_wrote(world, pid, hours_ago=48)
        before = len(world.messages_to(wa_id))
        caplog.set_level(logging.WARNING)
        await _queue(world, pid, {"text": NOTICE, "from": "sauti"}, "notice-5")
        await until(
            lambda: _count(
                world, "sauti_whatsapp_templates_missing_total", template="notice", language="sw"
            ),
            5,
            interval=0.05,
        )
        assert len(world.messages_to(wa_id)) == before  # not a template, not free-form
        assert (
            _count(
                world, "sauti_whatsapp_templates_missing_total", template="notice", language="sw"
            )
            == 1
        )
        shard = world.app.schema.shard_of(pid)
        parked: Any = await world.app.redis.xrange(world.app.schema.outbox_dead(shard))
        assert [fields[b"error"] for _, fields in parked] == [b"UndeliverableError"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "no approved 'notice' template for language 'sw'" in logged
    assert wa_id not in logged
