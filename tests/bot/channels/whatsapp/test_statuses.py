"""Status webhooks: sent / delivered / read / failed find the message they belong to, arrive in
any order, and a failure is retried or ends the conversation according to its code."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from bot.channels.whatsapp.inbound import message_digest
from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from tests.fakes.whatsapp_api import Sent
from tests.kit.waiting import until
from tests.kit.whatsapp import World, running_world


def _count(world: World, name: str, **labels: str) -> float:
    value: Any = world.app.metrics.registry.get_sample_value(name, labels)
    return float(value or 0)


async def _record(world: World, sent: Sent) -> dict[str, Any]:
    key = world.app.schema.whatsapp_status(
        world.pid(sent.to), message_digest(world.app.crypto, sent.wamid)
    )
    raw: Any = await world.app.redis.get(key)
    return dict(json.loads(raw))


async def _notice(world: World, wa_id: str, text: str, key: str) -> None:
    entry = OutboxEntry(key, world.pid(wa_id), Channel.WHATSAPP.value, Outgoing(text), 0)
    await enqueue(world.app.redis, world.app.schema, world.app.crypto, entry, Priority.BULK)


async def test_statuses_update_their_message_and_a_late_one_does_not_go_backwards(
    world: World,
) -> None:
    wa_id = "254700000401"
    first = (await world.join(wa_id, "en"))[0]
    assert await world.fake.emit_status(first, "read") == 200
    assert await world.fake.emit_status(first, "delivered") == 200  # late, out of order
    assert await world.fake.emit_status(first, "sent") == 200
    record = await _record(world, first)
    assert (record["s"], record["k"].startswith("whatsapp:")) == ("read", True)
    assert _count(world, "sauti_whatsapp_statuses_total", status="read", outcome="applied") == 1
    assert _count(world, "sauti_whatsapp_statuses_total", status="sent", outcome="stale") == 1
    stranger = Sent("wamid.HBgLunknown", wa_id, "text", {}, 0.0)
    assert await world.fake.emit_status(stranger, "delivered") == 200
    assert _count(world, "sauti_whatsapp_statuses_total", status="delivered",
                  outcome="unmatched") == 1  # fmt: skip


async def test_a_temporary_failure_is_sent_again_once(world: World) -> None:
    wa_id = "254700000402"
    await world.join(wa_id, "en")
    before = len(world.messages_to(wa_id))
    await _notice(world, wa_id, "We decided to change the agents' rules.", "notice-402")
    original = (await world.wait_for(wa_id, before + 1))[-1]
    assert await world.fake.emit_status(original, "failed", 131000) == 200
    assert await world.fake.emit_status(original, "failed", 131000) == 200  # Meta retried it
    again = (await world.wait_for(wa_id, before + 2))[-1]
    assert again.text == original.text
    assert again.wamid != original.wamid
    assert await world.fake.emit_status(again, "failed", 131000) == 200  # no third time
    await asyncio.sleep(0.5)
    assert len(world.messages_to(wa_id)) == before + 2
    assert (await _record(world, original))["e"] == 131000


async def test_a_number_not_on_whatsapp_is_marked_unreachable_and_sent_nothing_more(
    world: World,
) -> None:
    wa_id = "254700000403"
    await world.join(wa_id, "en")
    world.fake.not_on_whatsapp.add(wa_id)
    world.fake.async_failures = True
    before = len(world.messages_to(wa_id))
    await _notice(world, wa_id, "First notice", "notice-403a")
    await world.wait_for(wa_id, before + 1)
    await world.fake.settle()  # the failed status webhook (131026)
    reach: Any = await world.app.redis.hget(world.app.schema.participant(world.pid(wa_id)), "reach")
    assert reach == b"unreachable"
    await _notice(world, wa_id, "Second notice", "notice-403b")
    await until(
        lambda: _count(world, "sauti_sends_total", channel="whatsapp", outcome="unreachable"),
        5,
        interval=0.05,
    )
    assert len(world.messages_to(wa_id)) == before + 1


async def test_a_pair_rate_limit_pauses_that_person_only(redis_url: str, tmp_path: Path) -> None:
    async with running_world(
        redis_url, tmp_path, SAUTI_WHATSAPP_PAIR_INTERVAL_SECONDS="2"
    ) as world:
        # On one shard: one sender batch holds both, and one's pause must not hold the other.
        shard = world.app.schema.shard_of
        slowed = "254700000404"
        other = next(
            number
            for n in range(1000)
            if shard(world.pid(number := f"2547001{n:05d}")) == shard(world.pid(slowed))
        )
        world.fake.script.append(("error", 131056))  # the first send of all is refused
        await asyncio.gather(world.say(slowed, "hello"), world.say(other, "hello"))
        await world.wait_for(slowed, 1)
        await world.wait_for(other, 1)
        assert [r.code for r in world.fake.refused] == [131056]
        refused = world.fake.refused[0]
        retried = next(s for s in world.fake.sent if s.to == refused.to)
        untouched = next(s for s in world.fake.sent if s.to != refused.to)
        assert retried.at - refused.at >= 1.9  # that person waited one pair interval
        assert untouched.at < retried.at  # the other one did not wait for them
        assert _count(world, "sauti_send_rate_limited_total", channel="whatsapp") == 1
