"""Updates that are not a plain answer: stale buttons, duplicates, forged webhooks, edits,
photos, groups, blocking — and Redis away while updates arrive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from bot.channels.telegram.channel import TelegramChannel, build_telegram
from bot.channels.telegram.inbound import UpdateParser
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.webhook import PATH, SECRET_HEADER, TelegramWebhook
from bot.runtime.ingest import Ingestor
from bot.runtime.markers import marker_member
from bot.runtime.metrics import Metrics
from bot.storage import connect
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import FakeUser
from tests.kit.example import CAMPAIGN
from tests.kit.telegram import SECRET, Stack, question, running, telegram_api
from tests.kit.waiting import until

STALE = "That question was already answered"
UNSUPPORTED = "I can only read text"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with telegram_api() as server:
        yield server


async def _joined(stack: Stack, user: FakeUser) -> None:
    await stack.join(user, "en")
    await question(user, "uses")


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_duplicate_updates_count_once(
    redis_url: str, tmp_path: Path, fake: FakeTelegram, webhook: bool
) -> None:
    user = fake.user(3001)
    async with running(redis_url, tmp_path, fake, webhook=webhook) as stack:
        await _joined(stack, user)
        await user.say("1,3", copies=3)  # typed: uses
        scale = await question(user, "money_safe")
        await user.tap_data(scale, "c|money_safe|2", copies=2)  # tapped
        await question(user, "worry")
        await asyncio.sleep(0.3)  # time for a duplicate to do harm, if it were processed
        answers = await stack.answers(user)
        assert {q: a["v"] for q, a in answers.items()} == {
            "uses": ["calls", "money"],
            "money_safe": 2,
        }
        assert (await stack.counters())["answers"] == 2
        # Nothing was said about the copies: no "not an option", no "already answered".
        assert not any("Sorry" in m.text or STALE in m.text for m in user.messages)
        await until(lambda: not fake.unanswered_callbacks())
    if webhook:
        assert [status for _, status in fake.webhook_deliveries] == [200] * len(
            fake.webhook_deliveries
        )


async def test_a_stale_button_is_answered_politely_and_changes_nothing(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    user = fake.user(3002)
    async with running(redis_url, tmp_path, fake, webhook=False) as stack:
        await _joined(stack, user)
        await user.say("2")  # uses: text messages
        unsafe = await question(user, "unsafe")
        await user.tap(unsafe, "No")
        await question(user, "sim_id")
        # A phone that missed the edit still shows the old buttons, and "Yes" gets tapped.
        await user.tap(unsafe, "Yes", stale=True)
        await user.wait_for_text(STALE)
        assert (await stack.answers(user))["unsafe"]["v"] == "no"
        assert unsafe.keyboard == ()
        assert unsafe.text.endswith("✓ Your answer: No")
        await until(lambda: not fake.unanswered_callbacks())  # the spinner stopped too
    # Long polling has no reply to answer in: every tap was answered by a call of its own.
    assert len(fake.calls_to("answerCallbackQuery", ok=True)) == len(fake.callbacks_pushed)
    assert not fake.webhook_replies


async def test_a_tap_on_the_webhook_is_answered_in_the_webhooks_reply(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    user = fake.user(3009)
    async with running(redis_url, tmp_path, fake, webhook=True) as stack:
        await _joined(stack, user)  # three menu taps
        await user.say("2")  # uses: text messages
        unsafe = await question(user, "unsafe")
        # Telegram delivers the tap twice: answered both times, taken once.
        statuses = await user.tap_data(unsafe, "c|unsafe|no", copies=2)
        tap = fake.callbacks_pushed[-1]
        # Stored before the 200 that answered it: the spinner stopped as the webhook returned.
        assert statuses == [200, 200]
        assert tap not in fake.unanswered_callbacks()
        assert await _stored(stack, user, tap)
        await question(user, "sim_id")
        await asyncio.sleep(0.2)  # time for the copy to do harm, if it were processed
        assert (await stack.answers(user))["unsafe"]["v"] == "no"
        assert (await stack.counters())["answers"] == 2
    # Every tap, the repeated one too, was answered in a reply, none by a request of Sauti's.
    answered = [call.params["callback_query_id"] for call in fake.webhook_replies]
    assert answered == [*fake.callbacks_pushed, tap]
    assert {call.method for call in fake.webhook_replies} == {"answerCallbackQuery"}
    assert all(call.status == 200 for call in fake.webhook_replies)
    assert not fake.calls_to("answerCallbackQuery")
    assert not fake.unanswered_callbacks()


async def test_a_forged_webhook_gets_401_and_stores_nothing(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    user = fake.user(3003)
    update = {"update_id": 1, "message": user.message(text="/start safe-connect-2026")}
    tap = {"update_id": 2, "callback_query": _help_tap(user)}
    async with running(redis_url, tmp_path, fake, webhook=True) as stack, ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "guessed"}, {SECRET_HEADER: SECRET[:-1]}):
            for forged in (update, tap):
                async with http.post(stack.webhook_url, json=forged, headers=headers) as response:
                    assert response.status == 401
                    assert "answerCallbackQuery" not in await response.text()  # nothing run
        assert await stack.inbound_entries() == 0
        assert await stack.participant(user) == {}
        assert not fake.bot_messages(user.id)
        # The same update with Telegram's secret goes through.
        async with http.post(
            stack.webhook_url, json=update, headers={SECRET_HEADER: SECRET}
        ) as response:
            assert response.status == 200
        await user.wait_for(bool)


async def test_edits_photos_and_groups(redis_url: str, tmp_path: Path, fake: FakeTelegram) -> None:
    user = fake.user(3004)
    async with running(redis_url, tmp_path, fake, webhook=True) as stack:
        await _joined(stack, user)
        await user.say("2")
        outages_asked = await question(user, "unsafe")
        assert outages_asked
        typed = max(m.message_id for m in fake.chats[user.id] if not m.from_bot)
        await user.edit(typed, "1,3,4")  # an edit never changes a recorded answer
        await user.send_photo()
        await user.wait_for_text(UNSUPPORTED)
        await user.send_voice()
        await user.wait_for(lambda ms: sum(UNSUPPORTED in m.text for m in ms) == 2)
        assert (await stack.answers(user))["uses"]["v"] == ["sms"]
        # In a group, Sauti explains in one line (once) and stores nothing.
        group = -100_200
        fake.open_chat(group)
        for text in ("/start safe-connect-2026", "hello"):
            message = user.message(text=text) | {
                "chat": {"id": group, "type": "supergroup", "title": "Village"}
            }
            await fake.push({"update_id": fake.new_update_id(), "message": message})
        await until(lambda: bool(fake.bot_messages(group)))
        await asyncio.sleep(0.2)
        assert [m.text for m in fake.bot_messages(group)] == [
            "I only talk in private chats, so that nobody else sees your answers. "
            "Please write to me directly."
        ]
        assert (await stack.counters())["answers"] == 1


async def test_blocking_marks_the_participant_unreachable_and_unblocking_restores_them(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    user = fake.user(3005)
    async with running(redis_url, tmp_path, fake, webhook=False) as stack:
        await _joined(stack, user)
        await user.block()
        await until(lambda: _unreachable(stack, user))
        await user.unblock()
        await until(lambda: _reachable(stack, user))
        await user.say("4")  # and the survey carries on
        await question(user, "unsafe")


async def test_a_button_naming_no_command_of_sautis_stores_nothing(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    """Callback data is whatever a client sends: a menu button's command must be one of
    Sauti's (as WhatsApp's payloads are checked), else the tap only stops the spinner."""
    user = fake.user(3008)
    async with running(redis_url, tmp_path, fake, webhook=False) as stack:
        await _joined(stack, user)
        uses = await question(user, "uses")
        shown = len(user.messages)
        await user.tap_data(uses, "m|shutdown|now")
        forged = fake.callbacks_pushed[-1]
        await until(lambda: not fake.unanswered_callbacks())  # the spinner stopped
        await user.tap_data(uses, "m|help|")  # a command of Sauti's still goes through
        help_tap = fake.callbacks_pushed[-1]
        await user.wait_for_text("You can answer with the buttons or by typing")
        assert len(user.messages) == shown + 1  # the help menu, nothing for the forged tap
        stored = [await _stored(stack, user, query) for query in (forged, help_tap)]
        assert stored == [False, True]


async def _stored(stack: Stack, user: FakeUser, callback_query_id: str) -> bool:
    parser = UpdateParser(stack.app.crypto, lambda _: stack.pid(user))
    event_id = parser.event_id(f"callback:{callback_query_id}")
    markers = stack.app.schema.event_markers(stack.pid(user))
    return await stack.app.redis.zscore(markers, marker_member(event_id)) is not None


async def _unreachable(stack: Stack, user: FakeUser) -> bool:
    return (await stack.participant(user)).get("reach") == b"unreachable"


async def _reachable(stack: Stack, user: FakeUser) -> bool:
    return not await _unreachable(stack, user)


def _telegram_on(stack: Stack, redis: Redis) -> TelegramChannel:
    """The deployment's Telegram channel, on another Redis client."""
    app = stack.app
    return build_telegram(
        stack.settings.telegram,
        redis=redis,
        schema=app.schema,
        ingestor=Ingestor(
            redis, app.schema, app.crypto, Metrics(), app.settings.dedupe_ttl_seconds
        ),
        crypto=app.crypto,
        registry=CollectorRegistry(),
    )


async def test_polling_confirms_an_update_only_once_it_is_stored(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    user = fake.user(3006)
    async with running(
        redis_url, tmp_path, fake, webhook=False, roles=("worker", "sender")
    ) as stack:
        await user.say(f"/start {CAMPAIGN}")
        # A poller whose Redis is unreachable fetches the update but cannot store it.
        nowhere = connect(f"unix://{tmp_path}/nowhere.sock")
        cut_off = _telegram_on(stack, nowhere)
        stop = asyncio.Event()
        poller = Poller(cut_off.bot, cut_off.intake, stack.settings.telegram.limits)
        polling = asyncio.create_task(poller.run(stop))
        await until(lambda: bool(fake.calls_to("getUpdates")))
        await asyncio.sleep(1.0)  # it keeps the batch and retries storing it, without confirming
        stop.set()
        await polling
        await cut_off.close()
        await nowhere.aclose()
        assert poller.offset is None
        assert fake.pending_updates() == 1  # never confirmed: Telegram keeps it
        # A poller that can store it stores it, then confirms it.
        telegram = stack.app.telegram
        assert telegram is not None
        stop = asyncio.Event()
        poller = Poller(telegram.bot, telegram.intake, stack.settings.telegram.limits)
        polling = asyncio.create_task(poller.run(stop))
        await user.wait_for(bool)  # stored, processed, answered
        stop.set()
        await polling
        assert fake.pending_updates() == 0
        assert fake.confirmed_offset == poller.offset
        assert await stack.inbound_entries() <= 1


async def test_a_webhook_update_gets_503_while_redis_is_unreachable(
    redis_url: str, tmp_path: Path, fake: FakeTelegram
) -> None:
    user = fake.user(3007)
    async with running(redis_url, tmp_path, fake, webhook=True, roles=("worker",)) as stack:
        nowhere = connect(f"unix://{tmp_path}/nowhere.sock")
        cut_off = _telegram_on(stack, nowhere)
        server = TestServer(_webhook_app(cut_off))
        await server.start_server()
        update = {"update_id": 1, "message": user.message(text="/start")}
        tap = {"update_id": 2, "callback_query": _help_tap(user)}
        try:
            async with ClientSession() as http:
                for pushed in (update, tap):
                    async with http.post(
                        server.make_url(PATH), json=pushed, headers={SECRET_HEADER: SECRET}
                    ) as response:
                        assert response.status == 503  # Telegram will deliver it again
                        # Not stored, so not answered: the tap's spinner waits for the retry.
                        assert "answerCallbackQuery" not in await response.text()
        finally:
            await server.close()
            await cut_off.close()
            await nowhere.aclose()


def _help_tap(user: FakeUser) -> dict[str, object]:
    """A tap on a help menu button, as Telegram sends it (its message left out)."""
    return {"id": "cb-help", "from": user.sender(), "chat_instance": "ci", "data": "m|help|"}


def _webhook_app(telegram: TelegramChannel) -> web.Application:
    app = web.Application()
    app.add_routes(TelegramWebhook(telegram.intake, SECRET).routes())
    return app
