"""The sender and a quick exit (or /stop) committed while it serves a batch: the recipient's
record is read again, atomically, when each send is claimed, so nothing goes out after it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing
from bot.runtime.delivery import Recipient, SendLimits
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from tests.bot.runtime.fake_channel import FakePlatform
from tests.bot.runtime.test_conversation import Chat, _joined, _runtime
from tests.kit.runtime import Runtime, make_sender


@dataclass
class ChangeDuringReplies(FakePlatform):
    """While the batch's reply to Q goes out, P's record changes (the worker commits an exit,
    or a /stop, meanwhile)."""

    redis: Any = None
    record: str = ""
    change: tuple[str, str] = ("", "")

    async def deliver(self, recipient: Recipient, message: Outgoing, key: str) -> str | None:
        if key == "reply-to-q" and self.record:
            await self.redis.hset(self.record, *self.change)
        return await super().deliver(recipient, message, key)


async def _two_on_one_shard(runtime: Runtime) -> tuple[Chat, Chat, int]:
    chats = [await _joined(runtime, f"user{n}") for n in range(6)]
    by_shard: dict[int, list[Chat]] = {}
    for chat in chats:
        by_shard.setdefault(runtime.schema.shard_of(chat.pid), []).append(chat)
    shard, (p, q, *_) = next((s, c) for s, c in by_shard.items() if len(c) >= 2)
    return p, q, shard


async def _served_with(
    runtime: Runtime, change: tuple[str, str], to_p: list[tuple[str, Outgoing, Priority]]
) -> list[str]:
    p, q, shard = await _two_on_one_shard(runtime)
    platform = ChangeDuringReplies(SendLimits(200, 5, 0.01, 5), channel=Channel.WHATSAPP)
    sender = make_sender(runtime, platform)
    await sender.prepare(shard)
    while await sender.poll(shard):  # what joining queued
        pass
    platform.delivered.clear()
    platform.redis, platform.record = runtime.redis, runtime.schema.participant(p.pid)
    platform.change = change
    now = runtime.clock_ms
    entries = [("reply-to-q", q.pid, Outgoing("hi Q"), Priority.REPLY)]
    entries += [(key, p.pid, message, priority) for key, message, priority in to_p]
    for key, pid, message, priority in entries:
        entry = OutboxEntry(key, pid, "whatsapp", message, now)
        await enqueue(runtime.redis, runtime.schema, runtime.crypto, entry, priority)
    while await sender.poll(shard):
        pass
    return [d.key for d in platform.delivered]


async def test_a_notice_read_before_the_exit_is_not_sent_after_it(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    sent = await _served_with(
        runtime,
        ("hid", str(runtime.clock_ms)),
        [
            (
                "notice-to-p",
                Outgoing("You told us Yes when we asked about SIM cards"),
                Priority.BULK,
            ),
        ],
    )
    # (A reply to P queued beside Q's could be sent at the same moment as Q's, before the
    # exit: replies to different people go out side by side. A bulk notice waits for them.)
    assert "reply-to-q" in sent
    assert "notice-to-p" not in sent


async def test_the_exits_own_line_still_goes_out(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    sent = await _served_with(
        runtime,
        ("hid", str(runtime.clock_ms)),
        [("exit-line", Outgoing("OK.", quick_exit=True), Priority.REPLY)],
    )
    assert "exit-line" in sent


async def test_a_bulk_notice_read_before_a_stop_is_not_sent_after_it(redis_client: Redis) -> None:
    runtime = await _runtime(redis_client)
    sent = await _served_with(
        runtime,
        ("stop", "1"),
        [("notice-to-p", Outgoing("An outcome"), Priority.BULK)],
    )
    assert sent == ["reply-to-q"]
