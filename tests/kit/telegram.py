"""Telegram: the settings that point Sauti at the fake Bot API, Sauti as `sauti run` runs it
(web, worker, sender and telegram roles, in this process) against the fake, and what the tests
need to drive participants through it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import App
from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing
from bot.conversation.participants import new_record
from bot.privacy import ParticipantId
from bot.run import ROLES
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from bot.settings import Settings
from tests.fakes.telegram_api import ChatMessage, FakeTelegram
from tests.fakes.telegram_limits import FakeLimits
from tests.fakes.telegram_users import FakeUser
from tests.kit import stored
from tests.kit.example import CAMPAIGN
from tests.kit.running import built, sauti_run
from tests.kit.settings import deployment_settings
from tests.kit.waiting import free_port, until

TOKEN = "123456789:sauti-TEST_token"
SECRET = "webhook-secret_for-tests"

# Fast enough for tests; the pacing tests set Telegram's real figures themselves.
QUICK = {
    "SAUTI_TELEGRAM_GLOBAL_RATE": "1000",
    "SAUTI_TELEGRAM_GLOBAL_BURST": "20",
    "SAUTI_TELEGRAM_PER_CHAT_RATE": "100",
    "SAUTI_TELEGRAM_PER_CHAT_BURST": "10",
    "SAUTI_TELEGRAM_LONG_POLL_TIMEOUT_SECONDS": "2",
    "SAUTI_TELEGRAM_REQUEST_TIMEOUT_SECONDS": "2",
}


# The fake's limits to match QUICK, with room for timing jitter.
QUICK_FAKE = FakeLimits(global_rate=2000, global_burst=40, per_chat_rate=200, per_chat_burst=20)


@contextlib.asynccontextmanager
async def telegram_api(limits: FakeLimits = QUICK_FAKE) -> AsyncIterator[FakeTelegram]:
    """The fake Bot API for the bot of TOKEN, on a loopback port, enforcing `limits`."""
    fake = FakeTelegram(TOKEN, limits)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


def telegram_environment(api_base: str, *, token: str = TOKEN) -> dict[str, str]:
    """The settings of a bot on the fake Bot API at `api_base`, sending at QUICK rates."""
    return {**QUICK, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE": api_base}


def webhook_environment(url: str, *, secret: str = SECRET) -> dict[str, str]:
    """The settings that make Telegram post updates to `url` (else Sauti polls)."""
    return {"TELEGRAM_WEBHOOK_URL": url, "TELEGRAM_WEBHOOK_SECRET": secret}


@dataclass
class Stack:
    app: App  # a second app on the same deployment, for looking into Redis
    fake: FakeTelegram
    settings: Settings
    port: int

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/telegram"

    def pid(self, user: FakeUser) -> str:
        return self.app.crypto.participant_id(Channel.TELEGRAM.value, str(user.id))

    async def answers(self, user: FakeUser) -> dict[str, dict[str, Any]]:
        return await stored.answers(self.app.redis, self.app.schema, self.pid(user))

    async def participant(self, user: FakeUser) -> dict[str, bytes]:
        raw: Any = await self.app.redis.hgetall(self.app.schema.participant(self.pid(user)))
        return {key.decode(): value for key, value in raw.items()}

    async def counters(self) -> dict[str, int]:
        return await stored.counters(self.app.redis, self.app.schema)

    async def inbound_entries(self) -> int:
        total = 0
        for shard in range(self.app.schema.shards):
            total += int(await self.app.redis.xlen(self.app.schema.inbound(shard)))
        return total

    async def join(self, user: FakeUser, language: str, *, deep_link: bool = True) -> None:
        """Join the campaign as a participant does: the deep link (or /start and the campaign's
        button), their language's button, "yes, I agree" to take part, then "yes, tell me what
        comes of it"."""
        if deep_link:
            await user.say(f"/start {CAMPAIGN}")
        else:
            await user.say("/start")
            await user.tap_data(await menu(user, "start", CAMPAIGN), f"m|start|{CAMPAIGN}")
        await user.tap_data(await menu(user, "language", language), f"m|language|{language}")
        await user.tap_data(await menu(user, "consent", "take:yes"), "m|consent|take:yes")
        await user.tap_data(await menu(user, "updates", "yes"), "m|updates|yes")


async def make_participants(app: App, user_ids: list[int], language: str = "en") -> list[str]:
    """Telegram participants as the worker writes them when they join (record, sealed chat
    id), without the messages of joining: for tests and benchmarks about sending."""
    pids: list[str] = []
    pipe = app.redis.pipeline(transaction=False)
    for user_id in user_ids:
        pid = app.crypto.participant_id(Channel.TELEGRAM.value, str(user_id))
        record, _ = new_record(
            app.crypto,
            ParticipantId(pid),
            channel=Channel.TELEGRAM.value,
            address=str(user_id),
            language=language,
            now_ms=_now_ms(),
        )
        pipe.hset(app.schema.participant(pid), mapping=record.to_fields())  # type: ignore[arg-type]
        pids.append(pid)
    await pipe.execute()
    return pids


async def notify(app: App, pids: list[str], texts: list[str]) -> list[str]:
    """Queue bulk notices (as the loop-closure planner does): every text to every participant.
    Returns the idempotency keys."""
    keys = []
    for pid in pids:
        for n, text in enumerate(texts):
            key = f"notice:{pid[:12]}:{n}"
            entry = OutboxEntry(key, pid, Channel.TELEGRAM.value, Outgoing(text), _now_ms())
            await enqueue(app.redis, app.schema, app.crypto, entry, Priority.BULK)
            keys.append(key)
    return keys


def _now_ms() -> int:
    return int(time.time() * 1000)


@contextlib.asynccontextmanager
async def running(
    redis_url: str,
    tmp_path: Path,
    fake: FakeTelegram,
    *,
    webhook: bool,
    roles: tuple[str, ...] = ROLES,
    **env: str,
) -> AsyncIterator[Stack]:
    port = free_port()
    webhook_url = f"http://127.0.0.1:{port}/webhooks/telegram"
    extra = {
        **telegram_environment(fake.base_url),
        "SAUTI_HTTP_PORT": str(port),
        **env,
        **(webhook_environment(webhook_url) if webhook else {}),
    }
    settings = deployment_settings(redis_url, tmp_path, **extra)
    async with built(settings) as app, sauti_run(settings, roles):
        if "telegram" in roles:  # registered: the webhook is set, or polling has begun
            await until(lambda: _registered(fake, webhook))
        yield Stack(app, fake, settings, port)


def _registered(fake: FakeTelegram, webhook: bool) -> bool:
    if webhook:
        return fake.webhook is not None and bool(fake.commands)
    return bool(fake.calls_to("getUpdates"))


# -- reading the chat ----------------------------------------------------------------------------


def asks(message: ChatMessage, question: str) -> bool:
    """Whether the message's buttons belong to `question` (every question after the first has
    at least a Back button; the first has its options)."""
    return any(
        data.split("|")[1:2] == [question]
        for data in message.callback_data()
        if not data.startswith("m|")
    )


async def menu(user: FakeUser, command: str, argument: str) -> ChatMessage:
    """The latest message offering the menu button (command, argument)."""
    data = f"m|{command}|{argument}"
    await user.wait_for(lambda messages: any(data in m.callback_data() for m in messages))
    return next(m for m in reversed(user.messages) if data in m.callback_data())


async def question(user: FakeUser, question_id: str) -> ChatMessage:
    """The message asking `question_id`, once it is there with its buttons."""
    await user.wait_for(lambda messages: any(asks(m, question_id) for m in messages))
    return next(m for m in reversed(user.messages) if asks(m, question_id))
