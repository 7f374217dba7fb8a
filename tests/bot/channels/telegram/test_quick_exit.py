"""Quick exit on (fake) Telegram, through `sauti run`: the word clears the chat of both sides'
messages, leaves one neutral line, nothing more arrives (not even a decision that concerns
them) until they write again, and then the survey goes on where they were."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from bot.storage.erasure_marks import read_marks
from tests.bot.loop import SIM_DECISION, publish_on
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import FakeUser
from tests.kit.example import CAMPAIGN
from tests.kit.telegram import Stack, menu, question, running, telegram_api
from tests.kit.waiting import until


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with telegram_api() as server:
        yield server


def chat(fake: FakeTelegram, user: FakeUser) -> list[tuple[bool, str]]:
    """What the phone shows: (from the bot, text) per message left in the chat."""
    return [(message.from_bot, message.text) for message in fake.chats.get(user.id, [])]


async def up_to_outages(stack: Stack, user: FakeUser) -> None:
    """Join, then answer up to the ID question with "yes" (linked to SIM_DECISION)."""
    await stack.join(user, "en")
    for question_id, typed in (("uses", "1,2"), ("unsafe", "no")):
        await question(user, question_id)
        await user.say(typed)
    await question(user, "sim_id")
    await user.say("yes")
    await question(user, "outages")


async def publication_counts(stack: Stack, ref: str, version: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for shard in range(stack.app.schema.shards):
        raw: Any = await stack.app.redis.hgetall(
            stack.app.schema.shard_publication(shard, ref, version)
        )
        for name, value in raw.items():
            if name.startswith((b"x|", b"fx|")):  # not told: when planned, or when fed
                counts[name.decode()] = counts.get(name.decode(), 0) + int(value)
    return counts


async def test_exit_clears_the_chat_and_silences_everything_until_they_come_back(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    user = fake.user(4100, "en")
    async with running(redis_url, tmp_path, fake, webhook=False) as stack:
        await up_to_outages(stack, user)
        before = chat(fake, user)
        assert any(not from_bot for from_bot, _ in before)  # their own answers are there too

        began = time.monotonic()
        await user.say("exit")
        await until(lambda: chat(fake, user) == [(True, "OK.")], seconds=10)
        cleared_in = time.monotonic() - began
        # Every message of both sides went, in calls of at most 100 ids.
        assert {m.text for m in fake.deleted} >= {text for _, text in before}
        assert all(len(c.params["message_ids"]) <= 100 for c in fake.calls_to("deleteMessages"))
        assert cleared_in < 5  # the bench measures it properly (docs/benchmarks.md)
        assert (await stack.participant(user))["hid"] not in (b"", b"0")

        # A decision that concerns them (they said yes to the ID question) reaches no one.
        stored = await publish_on(stack.app, SIM_DECISION)
        counts = await publication_counts(stack, stored.ref, stored.version)
        assert counts == {"x|hidden": 1}
        await asyncio.sleep(0.5)  # the sender runs: nothing may arrive
        assert chat(fake, user) == [(True, "OK.")]

        # Writing again gets a neutral greeting, no question, no survey text; they stay hidden
        # (whoever writes may be the one watching) until they ask to carry on.
        await user.say("hi")
        await user.wait_for_text("Hello!")
        assert [text for from_bot, text in chat(fake, user) if from_bot] == [
            "OK.",
            'Hello! Send "/start" to carry on.',
        ]
        assert (await stack.participant(user))["hid"] not in (b"", b"0")
        # Then the survey goes on where they were.
        await user.say("/start")
        await question(user, "outages")
        assert (await stack.participant(user))["hid"] == b"0"
        assert (await stack.answers(user))["sim_id"]["v"] == "yes"


async def test_a_late_clearing_after_they_came_back_deletes_nothing(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    """A clearing redelivered (or queued again) once they are back must not delete their new
    conversation."""
    user = fake.user(4200, "en")
    async with running(redis_url, tmp_path, fake, webhook=False) as stack:
        await stack.join(user, "en")
        await question(user, "uses")
        await user.say("exit")
        await until(lambda: chat(fake, user) == [(True, "OK.")], seconds=10)
        await user.say("/start")
        await question(user, "uses")
        shown = [message.message_id for message in fake.chats[user.id]]
        deletes = len(fake.calls_to("deleteMessages"))

        pid = stack.pid(user)
        clearing = Outgoing("", quick_exit=True, clear_chat=True)
        entry = OutboxEntry("late-clear", pid, Channel.TELEGRAM.value, clearing, _now_ms())
        await enqueue(stack.app.redis, stack.app.schema, stack.app.crypto, entry, Priority.REPLY)
        await user.say("1,2")  # a reply queued behind it: once it arrives, the clearing was handled
        await question(user, "unsafe")
        left = [message.message_id for message in fake.chats[user.id]]
        assert left[: len(shown)] == shown  # every message still there (the question edited)
        assert len(fake.calls_to("deleteMessages")) == deletes


async def test_the_campaign_menu_shown_before_joining_is_cleared_too(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    """Joined without the deep link (/start, then the campaign's button): the messages sent
    before they had a record are deleted with the rest."""
    user = fake.user(4400, "en")
    async with running(redis_url, tmp_path, fake, webhook=False) as stack:
        await stack.join(user, "en", deep_link=False)  # /start, then the campaign's button
        await question(user, "uses")
        await user.say("exit")
        await until(lambda: chat(fake, user) == [(True, "OK.")], seconds=10)


async def test_a_hi_and_the_menu_before_joining_are_cleared_too(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    """A chat whose first message was "hi", not /start: the campaign menu it got (naming the
    survey) is deleted by the exit with the rest. A reply to someone without a record erases
    nothing, so it notes no erasure either."""
    user = fake.user(4500, "en")
    async with running(redis_url, tmp_path, fake, webhook=False) as stack:
        await user.say("hi")
        await user.tap_data(await menu(user, "start", CAMPAIGN), f"m|start|{CAMPAIGN}")
        assert (await read_marks(stack.app.redis, stack.app.schema)).noted == 0
        await user.tap_data(await menu(user, "language", "en"), "m|language|en")
        await user.tap_data(await menu(user, "consent", "take:yes"), "m|consent|take:yes")
        await user.tap_data(await menu(user, "updates", "yes"), "m|updates|yes")
        await question(user, "uses")
        await user.say("exit")
        await until(lambda: chat(fake, user) == [(True, "OK.")], seconds=10)


async def test_exit_from_someone_unknown_answers_the_neutral_line_and_stores_nothing(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    user = fake.user(4300, "fr")
    async with running(redis_url, tmp_path, fake, webhook=False) as stack:
        await user.say("quitter")
        await user.wait_for_text("D'accord.")
        assert await stack.participant(user) == {}


def _now_ms() -> int:
    return int(time.time() * 1000)
