"""Senders against a fake push platform: pacing, 429s, retries, refusals, never twice."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.conversation.inbound import Channel, Join
from bot.conversation.outgoing import Outgoing
from bot.privacy import DecryptionError, ParticipantCrypto
from bot.runtime.claims import Claimed, Pending, SendClaim
from bot.runtime.delivery import Recipient, SendLimits
from bot.runtime.markers import MAX_MARKERS
from bot.runtime.message_codec import message_from_plain, message_to_plain
from bot.runtime.outbox import OutboxEntry, Priority, enqueue, seal
from bot.runtime.ratelimit import ChatPace
from bot.runtime.sender import Sender, SenderConfig
from bot.secret import Secret
from dialogues.inbound import TextReply
from tests.bot.runtime.fake_channel import FakePlatform
from tests.kit.example import open_example
from tests.kit.runtime import Runtime, make_runtime, make_sender

FAST = SendLimits(global_rate=200, global_burst=5, per_chat_interval=0.01, per_chat_burst=5)


class Crash(BaseException):
    """Stands for the process dying right after the platform accepted a message."""


async def _setup(redis: Redis, limits: SendLimits = FAST) -> tuple[Runtime, FakePlatform, Sender]:
    runtime = make_runtime(redis, shards=1)
    await open_example(runtime.campaigns)
    platform = FakePlatform(limits)
    return runtime, platform, _sender(runtime, platform)


def _sender(runtime: Runtime, platform: FakePlatform, name: str = "sender-1") -> Sender:
    return make_sender(
        runtime, platform, name=name, config=SenderConfig(block_ms=10, backoff_seconds=0.05)
    )


async def _telegram_participant(runtime: Runtime, chat: str, *answers: str) -> str:
    pid = runtime.participant(chat, Channel.TELEGRAM)
    join = runtime.event(pid, Join("safe-connect-2026", "en"), chat, Channel.TELEGRAM)
    await runtime.ingestor.ingest(join)
    for text in answers:
        await runtime.ingestor.ingest(runtime.answer(pid, TextReply(text), Channel.TELEGRAM))
    await runtime.drain()
    return pid


async def _send_all(sender: Sender, seconds: float = 10.0) -> int:
    """Poll until the outbox is empty and nothing waits for a retry."""
    await sender.prepare(0)
    total = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = await sender.poll(0, block_ms=20)
        total += sent
        if not sent and not await _pending(sender):
            break
    return total


async def _pending(sender: Sender) -> int:
    count = 0
    for priority in Priority:
        summary: Any = await sender._redis.xpending(sender._schema.outbox(0, priority), "senders")
        count += summary["pending"]
    return count


def _count(runtime: Runtime, name: str, **labels: str) -> float:
    value: Any = runtime.metrics.registry.get_sample_value(name, labels)
    return float(value or 0)


async def test_replies_reach_the_participant_once_and_in_order(redis_client: Redis) -> None:
    runtime, platform, sender = await _setup(redis_client)
    await _telegram_participant(runtime, "chat-1", "1,4")
    # intro, info, question, the echo of the answer (Telegram edits the question with it), next
    assert await _send_all(sender) == 5
    assert [d.message["from"] for d in platform.delivered] == ["sauti"] * 3 + ["me", "sauti"]
    texts = [d.message["text"] for d in platform.delivered]
    assert texts[0].startswith("Your phone and your safety")
    assert "Have you ever felt unsafe" in texts[-1]
    assert {d.address for d in platform.delivered} == {"chat-1"}
    assert len({d.key for d in platform.delivered}) == 5
    assert await _send_all(_sender(runtime, platform, "sender-2")) == 0
    assert len(platform.delivered) == 5


async def test_a_429_pauses_the_channel_for_exactly_retry_after(redis_client: Redis) -> None:
    runtime, platform, sender = await _setup(redis_client)
    await _telegram_participant(runtime, "chat-2")
    platform.script.append("429:1.0")
    await _send_all(sender)
    first, retry = platform.calls[0], platform.calls[1]
    assert 1.0 <= retry - first < 1.5
    assert len(platform.delivered) == 3
    assert _count(runtime, "sauti_send_rate_limited_total", channel="telegram") == 1


async def test_a_429_read_by_another_process_holds_back_slots_reserved_before_it(
    redis_client: Redis,
) -> None:
    """Slots are reserved ahead; a pause another sender process sets meanwhile (it read a 429)
    still holds back a message whose slot was reserved before the pause."""
    slow = SendLimits(global_rate=2, global_burst=1, per_chat_interval=0.01, per_chat_burst=5)
    runtime, platform, sender = await _setup(redis_client, slow)
    await _telegram_participant(runtime, "chat-a")
    await _telegram_participant(runtime, "chat-b")
    _, pause = runtime.schema.channel_rate(Channel.TELEGRAM.value)
    await sender.prepare(0)
    sending = asyncio.create_task(sender.poll(0, block_ms=None))
    # The first message goes; the next slot is 0.5 s ahead. (The fake platform has no event.)
    while not platform.delivered:  # noqa: ASYNC110
        await asyncio.sleep(0.005)
    first = platform.delivered[0].at
    await redis_client.set(pause, b"1", px=1500)  # another process read a 429 just now
    await sending
    later = [d.at - first for d in platform.delivered[1:]]
    assert later
    assert min(later) >= 1.4  # not at the 0.5 s it had reserved


async def test_one_recipients_retries_do_not_hold_up_anyone_else(redis_client: Redis) -> None:
    runtime, platform, sender = await _setup(redis_client)
    await _telegram_participant(runtime, "chat-slow")
    await _telegram_participant(runtime, "chat-fast")
    platform.failing["chat-slow"] = 3  # three 502s in a row for this recipient
    await sender.prepare(0)
    first = time.monotonic()
    await sender.poll(0, block_ms=None)
    fast = [d for d in platform.delivered if d.address == "chat-fast"]
    assert len(fast) == 3  # everything for the other participant went out at once
    assert time.monotonic() - first < 0.5
    await _send_all(sender)
    slow = [d.message["text"] for d in platform.delivered if d.address == "chat-slow"]
    assert slow == [d.message["text"] for d in fast]  # the same messages, in order, once


async def test_a_page_of_waiting_recipients_does_not_let_new_messages_overtake_old_ones(
    redis_client: Redis,
) -> None:
    """Pending entries are read a page at a time. When a whole page belonged to recipients
    waiting for a retry, the sender took new entries instead, and someone's new message went
    out before their older one pending further down."""
    runtime, platform, sender = await _setup(redis_client)
    pids = {chat: await _telegram_participant(runtime, chat) for chat in ("chat-a", "chat-b")}
    await _send_all(sender)
    platform.delivered.clear()
    stream = runtime.schema.outbox(0, Priority.REPLY)

    async def queue(chat: str, text: str) -> None:
        entry = OutboxEntry(text, pids[chat], Channel.TELEGRAM.value, Outgoing(text), 0)
        await enqueue(redis_client, runtime.schema, runtime.crypto, entry, Priority.REPLY)

    for chat, text in (("chat-a", "a-first"), ("chat-a", "a-second"), ("chat-b", "b-first")):
        await queue(chat, text)
    await redis_client.xreadgroup("senders", "crashed", {stream: ">"}, count=10)  # then died
    platform.failing["chat-a"] = 100
    config = SenderConfig(block_ms=10, backoff_seconds=30.0, batch_size=2)
    successor = make_sender(runtime, platform, name="successor", config=config)
    await successor.prepare(0)  # takes over a-first, a-second, b-first
    await successor.poll(0, block_ms=None)  # a-first fails: chat-a waits 30 s
    await queue("chat-b", "b-second")
    for _ in range(3):
        await successor.poll(0, block_ms=None)
    assert [d.message["text"] for d in platform.delivered] == ["b-first", "b-second"]


async def _read_by_a_sender(redis: Redis, stream: str, count: int) -> list[bytes]:
    """`count` outbox entries read by a sender and not acknowledged: pending, as when sending."""
    with contextlib.suppress(Exception):
        await redis.xgroup_create(stream, "senders", id="0", mkstream=True)
    pipe = redis.pipeline(transaction=False)
    for n in range(count):
        pipe.xadd(stream, {"n": n})
    ids: list[bytes] = await pipe.execute()
    await redis.xreadgroup("senders", "sender-1", {stream: ">"}, count=count)
    return ids


UNPACED = ChatPace(interval_ms=0.0, tolerance_ms=0.0)


async def test_send_claims_are_taken_once_given_back_and_kept_bounded(
    redis_client: Redis,
) -> None:
    schema = make_runtime(redis_client).schema
    stream = schema.outbox(0, Priority.REPLY)
    ids = await _read_by_a_sender(redis_client, stream, MAX_MARKERS + 5)

    def claim(n: int) -> SendClaim:
        entry = OutboxEntry(f"key:{n}", "pid-claims", Channel.TELEGRAM.value, Outgoing(""), 0)
        return SendClaim.of(
            schema,
            entry,
            Pending(stream, "senders", ids[n], "sender-1", schema.lease("sender", 0)),
            ttl_seconds=3600,
        )

    async def take(n: int) -> Claimed:
        return (await claim(n).take(redis_client, UNPACED)).outcome

    assert await take(0) is Claimed.NOW
    # Still in flight: the sender that claimed it never recorded the platform's answer.
    assert await take(0) is Claimed.IN_FLIGHT
    await claim(0).release(redis_client)  # the platform took nothing
    assert await take(0) is Claimed.NOW
    await claim(0).finish(redis_client)  # the platform answered: acknowledged
    assert await take(0) is Claimed.BEFORE  # never again
    assert not await redis_client.exists(claim(0).in_flight_key)
    assert await redis_client.zscore(claim(0).key, claim(0).member) is None  # nothing kept
    # Claimed, and the platform answered, but the acknowledgement was lost (the next message's
    # claim took the in-flight mark): not sent again.
    assert await take(1) is Claimed.NOW
    assert await take(2) is Claimed.NOW
    assert await take(1) is Claimed.BEFORE
    # Another sender holds the shard's lease now (this one stalled past its own): hands off.
    await redis_client.set(schema.lease("sender", 0), "sender-2")
    assert await take(3) is Claimed.NOT_OURS
    assert await redis_client.zscore(claim(3).key, claim(3).member) is None
    await redis_client.set(schema.lease("sender", 0), "sender-1")
    for n in range(3, MAX_MARKERS + 5):
        assert await take(n) is Claimed.NOW
    assert await redis_client.zcard(claim(0).key) == MAX_MARKERS
    assert 0 < await redis_client.ttl(claim(0).key) <= 3600


async def test_a_copy_read_before_another_sender_acknowledged_it_is_not_sent(
    redis_client: Redis,
) -> None:
    """A sender that lost its lease (stalled, not dead) sends and acknowledges the batch it had
    read, while its successor holds copies of the same entries: they are not sent again."""
    runtime, platform, stalled = await _setup(redis_client)
    pid = await _telegram_participant(runtime, "chat-1")
    successor = _sender(runtime, platform, "sender-2")
    await stalled.prepare(0)
    stream = runtime.schema.outbox(0, Priority.REPLY)
    stalled_batch = await stalled._read({stream: ">"}, None)
    await successor.prepare(0)  # the lease moved: everything pending is the successor's now
    copies = await successor._read({stream: "0"}, None)
    assert [entry_id for _, (entry_id, _) in copies] == [
        entry_id for _, (entry_id, _) in stalled_batch
    ]
    await stalled._send_batch(0, stalled_batch, stalled._state(0))  # wakes up: sends them
    sent = len(platform.delivered)
    assert sent == len(stalled_batch)
    await successor._send_batch(0, copies, successor._state(0))
    assert len(platform.delivered) == sent
    assert not await redis_client.exists(runtime.schema.send_claims(pid))


async def test_a_claim_waits_for_the_recipients_own_pace(redis_client: Redis) -> None:
    schema = make_runtime(redis_client).schema
    stream = schema.outbox(0, Priority.REPLY)
    ids = await _read_by_a_sender(redis_client, stream, 4)
    pace = ChatPace.of(rate=1.0, burst=2)  # one a second, two at once

    def claim(pid: str, n: int) -> SendClaim:
        entry = OutboxEntry(f"key:{n}", pid, Channel.TELEGRAM.value, Outgoing(""), 0)
        return SendClaim.of(
            schema,
            entry,
            Pending(stream, "senders", ids[n], "sender-1", schema.lease("sender", 0)),
            ttl_seconds=3600,
        )

    first = await claim("pid-a", 0).take(redis_client, pace)
    second = await claim("pid-a", 1).take(redis_client, pace)
    third = await claim("pid-a", 2).take(redis_client, pace)
    other = await claim("pid-b", 3).take(redis_client, pace)
    assert (first.outcome, second.outcome) == (Claimed.NOW, Claimed.NOW)  # the burst
    assert second.wait_ms > 0  # and the next must wait
    assert third.outcome is Claimed.NOT_YET
    assert 0 < third.wait_ms <= 1000
    assert not await redis_client.zscore(claim("pid-a", 2).key, claim("pid-a", 2).member)
    assert other.outcome is Claimed.NOW  # another recipient's pace is their own
    # A message sent before is answered at once, whatever the pace.
    await claim("pid-a", 0).finish(redis_client)
    assert (await claim("pid-a", 0).take(redis_client, pace)).outcome is Claimed.BEFORE


async def test_messages_for_a_channel_without_a_client_are_set_aside(redis_client: Redis) -> None:
    runtime, platform, sender = await _setup(redis_client)
    pid = runtime.participant("wa-1", Channel.WHATSAPP)
    await runtime.ingestor.ingest(
        runtime.event(pid, Join("safe-connect-2026", "en"), "wa-1", Channel.WHATSAPP)
    )
    await _telegram_participant(runtime, "chat-7")
    await runtime.drain()
    await _send_all(sender)
    assert {d.address for d in platform.delivered} == {"chat-7"}
    dead: Any = await redis_client.xrange(runtime.schema.outbox_dead(0))
    assert len(dead) == 3
    assert {fields[b"error"] for _, fields in dead} == {b"NoChannelClient"}
    assert await _pending(sender) == 0


async def test_temporary_failures_are_retried_and_delivered_once(redis_client: Redis) -> None:
    runtime, platform, sender = await _setup(redis_client)
    await _telegram_participant(runtime, "chat-3")
    platform.script.extend(["5xx", "5xx"])
    await _send_all(sender)
    assert len(platform.delivered) == 3
    assert _count(runtime, "sauti_send_retries_total", channel="telegram") == 2


async def test_a_timeout_is_never_resent(redis_client: Redis) -> None:
    runtime, platform, sender = await _setup(redis_client)
    await _telegram_participant(runtime, "chat-4")
    platform.script.append("timeout")
    await _send_all(sender)
    assert len(platform.delivered) == 3  # the timed-out one arrived; it was not sent again
    assert _count(runtime, "sauti_sends_total", channel="telegram", outcome="uncertain") == 1


async def test_a_blocked_participant_is_marked_unreachable_and_sent_nothing_more(
    redis_client: Redis,
) -> None:
    runtime, platform, sender = await _setup(redis_client)
    platform.blocked.add("chat-5")
    pid = await _telegram_participant(runtime, "chat-5")
    await _send_all(sender)
    assert platform.delivered == []
    reach = await redis_client.hget(runtime.schema.participant(pid), "reach")
    assert reach == b"unreachable"
    notice = OutboxEntry("notice-1", pid, Channel.TELEGRAM.value, Outgoing("news"), 0)
    await enqueue(runtime.redis, runtime.schema, runtime.crypto, notice, Priority.BULK)
    await _send_all(sender)
    assert len(platform.calls) == 1  # only the first refused attempt ever reached the platform


class CrashingPlatform(FakePlatform):
    """The sender's process dies during its first platform call of a message that `crashes_on`:
    before the platform got it (`accepted=False`), or after it took it but before Sauti
    recorded that. Earlier messages go through."""

    accepted: bool = True
    crashes_on: Callable[[dict[str, Any]], bool] = staticmethod(lambda message: True)

    async def deliver(self, recipient: Recipient, message: Outgoing, key: str) -> str | None:
        if not self.crashes_on(message_to_plain(message)):
            return await super().deliver(recipient, message, key)
        if self.accepted:
            await super().deliver(recipient, message, key)
        raise Crash


def _asks(message: dict[str, Any]) -> bool:
    return "prompt" in message


async def _crash_on_first(
    runtime: Runtime,
    platform: FakePlatform,
    *,
    accepted: bool,
    crashes_on: Callable[[dict[str, Any]], bool] = lambda message: True,
) -> None:
    crashing = CrashingPlatform(FAST, delivered=platform.delivered)
    crashing.accepted, crashing.crashes_on = accepted, crashes_on
    doomed = _sender(runtime, crashing, "doomed")
    await doomed.prepare(0)
    with contextlib.suppress(Crash):
        await doomed.poll(0, block_ms=None)


async def test_a_question_lost_with_a_sender_killed_mid_send_still_reaches_them(
    redis_client: Redis,
) -> None:
    """Regression: the claim was taken before the platform call, so a sender killed in between
    lost the message, and the participant waited for a question that never came."""
    runtime, platform, _ = await _setup(redis_client)
    await _telegram_participant(runtime, "chat-6")
    await _crash_on_first(runtime, platform, accepted=False, crashes_on=_asks)
    assert not any(_asks(d.message) for d in platform.delivered)
    await _send_all(_sender(runtime, platform, "successor"))
    keys = [d.key for d in platform.delivered]
    assert len(keys) == len(set(keys)) == 3  # the lost question went, once; the others once
    assert any(_asks(d.message) for d in platform.delivered)
    assert _count(runtime, "sauti_sends_total", channel="telegram", outcome="resent") == 1


async def test_a_question_the_platform_took_before_the_sender_died_may_come_twice(
    redis_client: Redis,
) -> None:
    """The chosen trade: when it cannot be known whether a question arrived, it goes again (a
    repeated question beats a stalled survey), exactly once more, and in order."""
    runtime, platform, _ = await _setup(redis_client)
    await _telegram_participant(runtime, "chat-6")
    await _crash_on_first(runtime, platform, accepted=True, crashes_on=_asks)
    await _send_all(_sender(runtime, platform, "successor"))
    keys = [d.key for d in platform.delivered]
    asked = next(d.key for d in platform.delivered if _asks(d.message))
    assert len(set(keys)) == 3
    assert keys.count(asked) == 2
    assert keys == sorted(keys, key=lambda key: key.rsplit(":", 1)[1])  # still in order


async def test_a_reply_that_asks_nothing_is_not_sent_again_after_the_sender_died(
    redis_client: Redis,
) -> None:
    runtime, platform, _ = await _setup(redis_client)
    await _telegram_participant(runtime, "chat-8")
    await _crash_on_first(
        runtime, platform, accepted=True, crashes_on=lambda message: not _asks(message)
    )
    await _send_all(_sender(runtime, platform, "successor"))
    keys = [d.key for d in platform.delivered]
    assert len(keys) == len(set(keys)) == 3
    assert _count(runtime, "sauti_sends_total", channel="telegram", outcome="uncertain") == 1


async def test_a_notice_the_platform_took_before_the_sender_died_never_arrives_twice(
    redis_client: Redis,
) -> None:
    runtime, platform, _ = await _setup(redis_client)
    pid = await _telegram_participant(runtime, "chat-7")
    await _send_all(_sender(runtime, platform))
    platform.delivered.clear()
    for n in range(2):
        notice = OutboxEntry(f"notice-{n}", pid, Channel.TELEGRAM.value, Outgoing(f"news {n}"), 0)
        await enqueue(runtime.redis, runtime.schema, runtime.crypto, notice, Priority.BULK)
    await _crash_on_first(runtime, platform, accepted=True)
    await _send_all(_sender(runtime, platform, "successor"))
    assert [d.key for d in platform.delivered] == ["notice-0", "notice-1"]
    assert _count(runtime, "sauti_sends_total", channel="telegram", outcome="uncertain") == 1


async def test_replies_to_a_conversation_go_before_bulk_notices(redis_client: Redis) -> None:
    runtime, platform, sender = await _setup(redis_client)
    others = [await _telegram_participant(runtime, f"bulk-{n}") for n in range(3)]
    await _send_all(sender)
    platform.delivered.clear()
    for n in range(30):
        entry = OutboxEntry(f"notice-{n}", others[n % 3], "telegram", Outgoing(f"notice {n}"), 0)
        await enqueue(runtime.redis, runtime.schema, runtime.crypto, entry, Priority.BULK)
    await _telegram_participant(runtime, "talking")
    await _send_all(sender)
    assert platform.delivered[0].address == "talking"
    assert sum(d.address == "talking" for d in platform.delivered[:3]) == 3


async def test_the_global_rate_is_respected_without_429s(redis_client: Redis) -> None:
    limits = SendLimits(global_rate=40, global_burst=2, per_chat_interval=1.0, per_chat_burst=3)
    runtime, platform, sender = await _setup(redis_client, limits)
    for n in range(20):
        await _telegram_participant(runtime, f"rate-{n}")  # 3 messages each
    began = time.monotonic()
    assert await _send_all(sender) == 60
    elapsed = time.monotonic() - began
    assert platform.rate_limited_by_us == 0
    assert elapsed >= (60 - 2) / 40 * 0.95  # never faster than the limit allows


async def test_a_decision_notice_queued_again_as_a_reply_never_arrives_twice(
    redis_client: Redis,
) -> None:
    """Regression: a notice WhatsApp failed to deliver is queued again on the reply stream,
    buttons and all; taken for a question, it was resent after a sender died mid-send."""
    runtime, platform, _ = await _setup(redis_client)
    pid = await _telegram_participant(runtime, "chat-10")
    await _send_all(_sender(runtime, platform))
    platform.delivered.clear()
    notice = {
        "text": "We changed the fee",
        "menu": [{"label": "Helpful", "cmd": "react", "arg": "d1 helpful"}],
        "kind": "decision",
        "template": {"purpose": "decision", "fallback": "update", "language": "en"},
    }
    entry = OutboxEntry("notice-9:r", pid, Channel.TELEGRAM.value, message_from_plain(notice), 0)
    await enqueue(runtime.redis, runtime.schema, runtime.crypto, entry, Priority.REPLY)
    await _crash_on_first(runtime, platform, accepted=True)
    await _send_all(_sender(runtime, platform, "successor"))
    assert [d.key for d in platform.delivered] == ["notice-9:r"]
    assert _count(runtime, "sauti_sends_total", channel="telegram", outcome="uncertain") == 1


async def test_a_message_that_breaks_the_client_is_set_aside_once_not_retried_forever(
    redis_client: Redis,
) -> None:
    """A bug of ours while sending (not a platform's answer) dead-letters the message instead
    of crashing the shard, which would meet the same message after every restart."""
    runtime, platform, _ = await _setup(redis_client)

    class Broken(FakePlatform):
        async def deliver(self, recipient: Recipient, message: Outgoing, key: str) -> str | None:
            if _asks(message_to_plain(message)):
                raise ValueError("a rendering bug")
            return await super().deliver(recipient, message, key)

    broken = Broken(FAST, delivered=platform.delivered)
    await _telegram_participant(runtime, "chat-11")
    await _send_all(_sender(runtime, broken, "first"))
    delivered = len(platform.delivered)
    await _send_all(_sender(runtime, platform, "second"))  # a restart meets nothing of it
    assert len(platform.delivered) == delivered
    letters: Any = await redis_client.xrange(runtime.schema.outbox_dead(0))
    assert {fields[b"error"] for _, fields in letters} == {b"ValueError"}
    assert len(letters) + delivered == 3  # each breaking one set aside once; the rest sent


async def test_an_outbox_entry_that_cannot_be_read_back_is_set_aside_and_the_rest_is_sent(
    redis_client: Redis,
) -> None:
    """A damaged entry (a body that no longer opens, or opens to something that is no message)
    goes to the dead letters as found; it must not stop the shard's batches, which would meet
    it again after every restart."""
    runtime, platform, sender = await _setup(redis_client)
    stream = runtime.schema.outbox(0, Priority.REPLY)
    pid = runtime.participant("chat-12", Channel.TELEGRAM)
    good: Any = seal(OutboxEntry("k-damaged-1", pid, "telegram", Outgoing("x"), 1), runtime.crypto)
    await redis_client.xadd(stream, {**good, "body": b"not sealed at all"})
    not_a_message = OutboxEntry("k-damaged-2", pid, "telegram", Outgoing("x"), 1)
    sealed: Any = seal(not_a_message, runtime.crypto)
    body = runtime.crypto.seal_in_transit('{"prompt": {"kind": "no such kind"}}', b"k-damaged-2")
    await redis_client.xadd(stream, {**sealed, "body": body})
    await _telegram_participant(runtime, "chat-13")
    await _send_all(sender)
    assert {d.address for d in platform.delivered} == {"chat-13"}
    letters: Any = await redis_client.xrange(runtime.schema.outbox_dead(0))
    assert sorted(fields[b"k"] for _, fields in letters) == [b"k-damaged-1", b"k-damaged-2"]
    assert await _pending(sender) == 0
    # Their participant has no record (it may be an erased person's goodbye, carrying their
    # address): only what names the message is set aside, and the entries are deleted.
    assert [fields for _, fields in letters if b"body" in fields or b"pid" in fields] == []
    left: Any = await redis_client.xrange(stream)
    assert [fields for _, fields in left if fields[b"k"].startswith(b"k-damaged")] == []
    assert await _send_all(_sender(runtime, platform, "sender-2")) == 0  # nothing comes back


async def test_a_sender_with_the_wrong_master_key_sets_nothing_aside_and_stops_loudly(
    redis_client: Redis,
) -> None:
    """Not one entry opens: a deployment mistake (a wrong SAUTI_MASTER_KEY), not damage. Setting
    every message aside would empty the outbox into the dead letters without a sound."""
    runtime, platform, _ = await _setup(redis_client)
    await _telegram_participant(runtime, "chat-14")
    stranger = dataclasses.replace(
        runtime, crypto=ParticipantCrypto(Secret(b"\x01" * 32), Secret(b"\x02" * 32))
    )
    sender = _sender(stranger, platform, "wrong-key")
    await sender.prepare(0)
    with pytest.raises(DecryptionError):
        await sender.poll(0, block_ms=20)
    assert platform.delivered == []
    assert await redis_client.xlen(runtime.schema.outbox_dead(0)) == 0
    assert await _send_all(_sender(runtime, platform, "right-key")) == 3  # all still there


async def test_a_sender_without_the_key_a_recipient_is_wrapped_under_keeps_their_messages(
    redis_client: Redis,
) -> None:
    """A rotation a process was not restarted for: its sender cannot open a data key wrapped
    under the new master key. That is not an erasure: their messages wait, and a sender holding
    the key delivers them."""
    runtime, platform, old_sender = await _setup(redis_client)
    pid = await _telegram_participant(runtime, "chat-30")
    rotated = ParticipantCrypto(
        Secret(os.urandom(32)),
        Secret(runtime.id_secret),
        master_key_id=1,
        older_master_keys=((0, Secret(runtime.master_key)),),
    )
    record = runtime.schema.participant(pid)
    wrapped: Any = await redis_client.hget(record, "wk")
    await redis_client.hset(record, "wk", rotated.rewrapped(wrapped) or b"")  # a rewrap ran

    await _send_all(old_sender, seconds=0.5)
    assert [d for d in platform.delivered if d.address == "chat-30"] == []
    assert await _pending(old_sender) > 0  # kept, not dropped as if they were erased
    assert _count(runtime, "sauti_sends_total", channel="telegram", outcome="erased") == 0

    restarted = Sender(
        redis_client,
        runtime.schema,
        clients={"telegram": platform},
        crypto=rotated,
        metrics=runtime.metrics,
        consumer="sender-2",
        config=SenderConfig(block_ms=10, backoff_seconds=0.05),
    )
    await _send_all(restarted)
    assert [d for d in platform.delivered if d.address == "chat-30"]
    assert await _pending(restarted) == 0
