"""The sender's Telegram client against the fake Bot API: Telegram's answers as DeliveryErrors,
long texts, what a phone shows, and a quick exit's clearing of the chat."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession
from redis.asyncio import Redis

from bot.channels.telegram.api import make_bot
from bot.channels.telegram.client import TelegramClient
from bot.channels.telegram.history import ChatHistory, SentMessage
from bot.channels.telegram.question_messages import QuestionMessages
from bot.conversation.outgoing import Outgoing
from bot.runtime.delivery import (
    RateLimitedError,
    Recipient,
    RecipientRefusedError,
    TemporaryDeliveryError,
    UncertainDeliveryError,
    UndeliverableError,
)
from bot.runtime.message_codec import message_from_plain
from bot.secret import Secret
from bot.settings.limits import TelegramLimits
from bot.settings.model import TelegramSettings
from bot.storage.keys import KeySchema
from tests.fakes.telegram_api import ChatMessage, FakeTelegram, Fault
from tests.kit.telegram import TOKEN, telegram_api
from tests.kit.waiting import free_port

CHAT = 5001
RECIPIENT = Recipient("p-test", str(CHAT), "en", None)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with telegram_api() as server:
        server.open_chat(CHAT)
        yield server


def _client(redis: Redis, api_base: str, timeout: float = 2.0) -> TelegramClient:
    settings = TelegramSettings(
        bot_token=Secret(TOKEN), api_base=api_base, request_timeout_seconds=timeout
    )
    limits = dataclasses.replace(TelegramLimits(), per_chat_rate=100.0)
    return TelegramClient(
        make_bot(settings), QuestionMessages(redis, KeySchema("t", 4), 60), _history(redis), limits
    )


def _history(redis: Redis) -> ChatHistory:
    return ChatHistory(redis, KeySchema("t", 4), window_seconds=172_800, max_messages=300)


@pytest.fixture
async def client(redis_client: Redis, fake: FakeTelegram) -> AsyncIterator[TelegramClient]:
    telegram = _client(redis_client, fake.base_url)
    yield telegram
    await telegram.bot.session.close()


async def test_telegrams_refusals_become_delivery_errors(
    client: TelegramClient, fake: FakeTelegram
) -> None:
    message = {"text": "hello", "from": "sauti"}
    assert await client.deliver(RECIPIENT, message_from_plain(message), "k") == "1"
    fake.chats[CHAT].clear()
    cases: list[tuple[Fault, type[Exception]]] = [
        (Fault(502, "Bad Gateway"), TemporaryDeliveryError),
        (Fault(403, "Forbidden: bot was blocked by the user"), RecipientRefusedError),
        (Fault(403, "Forbidden: user is deactivated"), RecipientRefusedError),
        (Fault(400, "Bad Request: chat not found"), RecipientRefusedError),
        (Fault(400, "Bad Request: message text is empty"), UndeliverableError),
        (Fault(429, "Too Many Requests: retry after 7", retry_after=7), RateLimitedError),
    ]
    for fault, expected in cases:
        fake.fail_next("sendMessage", fault)
        with pytest.raises(expected) as caught:
            await client.deliver(RECIPIENT, message_from_plain(message), "k")
        if isinstance(caught.value, RateLimitedError):
            assert caught.value.retry_after == 7
    assert fake.bot_messages(CHAT) == []  # none of them went out


async def test_a_timeout_may_have_delivered_and_a_refused_connection_did_not(
    redis_client: Redis, fake: FakeTelegram
) -> None:
    slow = _client(redis_client, fake.base_url, timeout=0.3)
    fake.fail_next("sendMessage", Fault(200, "", hang_seconds=1.0))
    with pytest.raises(UncertainDeliveryError):
        await slow.deliver(RECIPIENT, message_from_plain({"text": "hello", "from": "sauti"}), "k")
    assert [m.text for m in fake.bot_messages(CHAT)] == ["hello"]  # it did arrive
    await slow.bot.session.close()
    nobody = _client(redis_client, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TemporaryDeliveryError):
        await nobody.deliver(RECIPIENT, message_from_plain({"text": "hello", "from": "sauti"}), "k")
    await nobody.bot.session.close()


async def test_a_long_text_is_split_and_a_retry_sends_only_the_rest(
    client: TelegramClient, fake: FakeTelegram
) -> None:
    words = " ".join(["Habari 👋🏽"] * 100)  # emoji count twice in Telegram's 4096
    text = "\n\n".join(f"{n}. {words}" for n in range(9))
    fake.fail_next("sendMessage", Fault(502, "Bad Gateway"), after=1)  # the second part
    with pytest.raises(TemporaryDeliveryError):
        await client.deliver(RECIPIENT, message_from_plain({"text": text, "from": "sauti"}), "long")
    await client.deliver(RECIPIENT, message_from_plain({"text": text, "from": "sauti"}), "long")
    parts = [m.text for m in fake.bot_messages(CHAT)]
    assert len(parts) == len(set(parts)) >= 2  # every part once
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "\n\n".join(parts) == text


async def test_answers_and_ticks_edit_the_questions_message(
    client: TelegramClient, fake: FakeTelegram
) -> None:
    prompt = {
        "question_id": "uses", "kind": "multiple_choice", "text": "What do you use?",
        "hint": "Tap your answers, then Done.", "language": "en", "direction": "ltr",
        "choices": [
            {"id": "calls", "label": "Calls", "number": 1},
            {"id": "sms", "label": "Text messages", "number": 2},
            {"id": "money", "label": "Mobile money", "number": 3},
        ],
        "allow_skip": False, "allow_decline": False, "allow_back": False,
        "labels": {"skip": "Skip", "back": "Back", "decline": "Prefer not", "done": "Done"},
        "position": 1, "total": 12, "selected": [],
    }  # fmt: skip
    await client.deliver(
        RECIPIENT, message_from_plain({"text": prompt["text"], "prompt": prompt}), "q"
    )
    [shown] = fake.bot_messages(CHAT)
    assert [[b.text for b in row] for row in shown.keyboard] == [
        ["1. Calls"],
        ["2. Text messages"],
        ["3. Mobile money"],
        ["Done"],
    ]
    ticked = {**prompt, "selected": ["calls", "money"]}
    await client.deliver(
        RECIPIENT, message_from_plain({"text": "", "prompt": ticked, "edit": True}), "t1"
    )
    await client.deliver(
        RECIPIENT, message_from_plain({"text": "", "prompt": ticked, "edit": True}), "t2"
    )  # same
    assert [b.text for b in shown.buttons()] == [
        "✓ 1. Calls", "2. Text messages", "✓ 3. Mobile money", "Done (2)",
    ]  # fmt: skip
    echo = {"text": "Calls, Mobile money", "from": "me", "q": "uses"}
    await client.deliver(RECIPIENT, message_from_plain(echo), "e")
    assert shown.text == "Question 1 of 12\nWhat do you use?\n\n✓ Your answer: Calls, Mobile money"
    assert shown.keyboard == ()
    assert len(fake.bot_messages(CHAT)) == 1  # all of it on one message
    # An answer to a question Sauti no longer remembers sends nothing.
    assert (
        await client.deliver(
            RECIPIENT, message_from_plain({"text": "x", "from": "me", "q": "gone"}), "g"
        )
        is None
    )


async def test_paid_broadcast_raises_the_rate_and_marks_every_message(
    redis_client: Redis, fake: FakeTelegram
) -> None:
    settings = TelegramSettings(bot_token=Secret(TOKEN), api_base=fake.base_url)
    limits = dataclasses.replace(TelegramLimits(), paid_broadcast=True, paid_broadcast_rate=500.0)
    questions = QuestionMessages(redis_client, KeySchema("t", 4), 60)
    client = TelegramClient(make_bot(settings), questions, _history(redis_client), limits)
    try:
        assert client.limits.global_rate == 500.0
        await client.deliver(
            RECIPIENT, message_from_plain({"text": "news", "from": "sauti"}), "k-paid"
        )
    finally:
        await client.bot.session.close()
    [call] = fake.calls_to("sendMessage")
    assert call.params["allow_paid_broadcast"] in {True, "true"}
    assert TelegramLimits().global_rate == 30.0  # without it: Telegram's free 30/s


async def test_clearing_a_chat_deletes_both_sides_in_batches_of_a_hundred_and_skips_the_gone(
    redis_client: Redis, fake: FakeTelegram, client: TelegramClient
) -> None:
    await client.deliver(RECIPIENT, Outgoing("line 0"), "k-0")  # recorded by the client
    history = _history(redis_client)
    for n in range(1, 140):  # more of the bot's, as the chat and the history hold them
        sent = ChatMessage(
            fake.new_message_id(CHAT), CHAT, True, f"line {n}", date=int(time.time())
        )
        fake.chats[CHAT].append(sent)
        await history.remember([SentMessage("p-test", sent.message_id, _now_ms())])
    # The participant's own message, as the intake records it from the update.
    fake.record_user_message(CHAT, fake.new_message_id(CHAT), "exit")
    await history.remember([SentMessage("p-test", fake.chats[CHAT][-1].message_id, _now_ms())])
    # One the participant deleted themselves, and one too old for Telegram to delete.
    fake.chats[CHAT].pop(0)
    fake.chats[CHAT][0].date -= 49 * 3600

    await client.deliver(RECIPIENT, Outgoing("", quick_exit=True, clear_chat=True), "k-clear")

    assert [m.text for m in fake.chats[CHAT]] == ["line 1"]  # only the one past 48 hours
    assert [len(c.params["message_ids"]) for c in fake.calls_to("deleteMessages")] == [100, 41]
    assert await history.deletable("p-test", _now_ms()) == []
    # Clearing again finds nothing to delete, and asks Telegram nothing.
    await client.deliver(RECIPIENT, Outgoing("", quick_exit=True, clear_chat=True), "k-clear2")
    assert len(fake.calls_to("deleteMessages")) == 2


async def test_a_batch_refused_as_a_whole_is_deleted_in_smaller_batches(
    redis_client: Redis, fake: FakeTelegram, client: TelegramClient
) -> None:
    """One id too old can make Telegram refuse a whole deleteMessages batch: the others are
    still deleted (halves, down to single ids), and only then are the ids forgotten."""
    fake.refuse_whole_batch = True
    for n in range(6):
        await client.deliver(RECIPIENT, Outgoing(f"line {n}"), f"k-{n}")
    fake.chats[CHAT][2].date -= 49 * 3600  # past 48 hours, though the history holds it

    await client.deliver(RECIPIENT, Outgoing("", quick_exit=True, clear_chat=True), "k-clear")

    assert [m.text for m in fake.chats[CHAT]] == ["line 2"]
    assert await _history(redis_client).deletable("p-test", _now_ms()) == []


async def test_clearing_deletes_only_what_the_chat_showed_at_the_exit(
    redis_client: Redis, fake: FakeTelegram, client: TelegramClient
) -> None:
    """A clearing that goes out late (the sender was behind) never deletes what they wrote
    after the exit."""
    await client.deliver(RECIPIENT, Outgoing("before"), "k-0")
    left_ms = (int(time.time()) + 1) * 1000  # Telegram's dates are whole seconds
    history = _history(redis_client)
    fake.record_user_message(CHAT, fake.new_message_id(CHAT), "after")
    await history.remember([SentMessage("p-test", fake.chats[CHAT][-1].message_id, left_ms + 5)])

    clearing = Outgoing("", quick_exit=True, clear_chat=True, clear_until_ms=left_ms)
    await client.deliver(RECIPIENT, clearing, "k-clear")

    assert [m.text for m in fake.chats[CHAT]] == ["after"]


async def test_clearing_deletes_the_bots_replies_sent_after_the_exit_arrived_but_not_its_line(
    redis_client: Redis, fake: FakeTelegram, client: TelegramClient
) -> None:
    """A reply to an earlier message can go out between the exit's arrival and its commit (it
    names the survey): the clearing deletes it too. What the participant wrote after the exit
    stays, and so does the exit's neutral line, even when a clearing comes again."""
    left_ms = _now_ms() - 2_000  # the exit arrived; its commit came later
    await client.deliver(RECIPIENT, Outgoing("before"), "k-0")
    await client.deliver(RECIPIENT, Outgoing("Which do you use most?"), "k-1")  # after it
    history = _history(redis_client)
    fake.record_user_message(CHAT, fake.new_message_id(CHAT), "after")
    await history.remember([SentMessage("p-test", fake.chats[CHAT][-1].message_id, left_ms + 5)])

    clearing = Outgoing("", quick_exit=True, clear_chat=True, clear_until_ms=left_ms)
    await client.deliver(RECIPIENT, clearing, "k-clear")
    await client.deliver(RECIPIENT, Outgoing("OK.", quick_exit=True), "k-line")
    assert [m.text for m in fake.chats[CHAT]] == ["after", "OK."]
    await client.deliver(RECIPIENT, clearing, "k-clear-again")  # redelivered
    assert [m.text for m in fake.chats[CHAT]] == ["after", "OK."]


async def test_every_message_is_kept_in_the_history_but_the_goodbye_after_an_erasure(
    redis_client: Redis, fake: FakeTelegram, client: TelegramClient
) -> None:
    """The campaign menu shown before they joined (sent by address: no record yet) is in the
    chat too, so a quick exit deletes it; the goodbye after an erasure keeps nothing."""
    before = Outgoing("Which survey?", address=str(CHAT))
    goodbye = Outgoing("Everything is deleted.", address=str(CHAT), unrecorded=True)
    first = await client.deliver(RECIPIENT, before, "k-menu")
    await client.deliver(RECIPIENT, goodbye, "k-bye")
    assert await _history(redis_client).deletable("p-test", _now_ms()) == [int(str(first))]


async def test_the_fake_refuses_what_the_bot_api_refuses(fake: FakeTelegram) -> None:
    fake.record_user_message(CHAT, 7, "old")
    fake.chats[CHAT][0].date -= 48 * 3600 + 5
    async with ClientSession() as http:
        base = f"{fake.base_url}/bot{TOKEN}"
        one: Any = await (
            await http.post(f"{base}/deleteMessage", json={"chat_id": CHAT, "message_id": 7})
        ).json()
        many: Any = await (
            await http.post(
                f"{base}/deleteMessages", json={"chat_id": CHAT, "message_ids": list(range(101))}
            )
        ).json()
        unknown: Any = await (
            await http.post(f"{base}/deleteMessages", json={"chat_id": CHAT, "message_ids": [99]})
        ).json()
    assert one["description"] == "Bad Request: message can't be deleted"
    assert many["error_code"] == 400
    assert unknown == {"ok": True, "result": True}
    assert [m.text for m in fake.chats[CHAT]] == ["old"]


def _now_ms() -> int:
    return int(time.time() * 1000)
