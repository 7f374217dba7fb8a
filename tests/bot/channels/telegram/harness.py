"""Sauti as `sauti run` runs it (web, worker, sender and telegram roles, in this process) against
the fake Bot API, plus what the tests need to drive participants through it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing
from bot.conversation.participants import new_record
from bot.privacy import ParticipantId
from bot.run import ROLES, run
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from bot.settings import Settings
from tests.bot.app_fixtures import EXAMPLE, test_settings
from tests.fakes.telegram_api import ChatMessage, FakeTelegram
from tests.fakes.telegram_limits import FakeLimits
from tests.fakes.telegram_users import FakeUser

TOKEN = "123456789:sauti-TEST_token"
SECRET = "webhook-secret_for-tests"
CAMPAIGN = "safe-connect-2026"

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
        return self.app.participant_id(Channel.TELEGRAM, str(user.id))

    async def answers(self, user: FakeUser) -> dict[str, dict[str, Any]]:
        raw: Any = await self.app.redis.hgetall(self.app.schema.answers(self.pid(user), CAMPAIGN))
        return {key.decode(): json.loads(value) for key, value in raw.items()}

    async def participant(self, user: FakeUser) -> dict[str, bytes]:
        raw: Any = await self.app.redis.hgetall(self.app.schema.participant(self.pid(user)))
        return {key.decode(): value for key, value in raw.items()}

    async def counters(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for shard in range(self.app.schema.shards):
            raw: Any = await self.app.redis.hgetall(self.app.schema.counters(shard, CAMPAIGN))
            for name, value in raw.items():
                totals[name.decode()] = totals.get(name.decode(), 0) + int(value)
        return totals

    async def inbound_entries(self) -> int:
        total = 0
        for shard in range(self.app.schema.shards):
            total += int(await self.app.redis.xlen(self.app.schema.inbound(shard)))
        return total

    async def join(self, user: FakeUser, language: str, *, deep_link: bool = True) -> None:
        """Join the campaign as a participant does: the deep link (or /start and the campaign's
        button), their language's button, then "yes, tell me what comes of it"."""
        if deep_link:
            await user.say(f"/start {CAMPAIGN}")
        else:
            await user.say("/start")
            await user.tap_data(await menu(user, "start", CAMPAIGN), f"m|start|{CAMPAIGN}")
        await user.tap_data(await menu(user, "language", language), f"m|language|{language}")
        await user.tap_data(await menu(user, "updates", "yes"), "m|updates|yes")


async def make_participants(app: App, user_ids: list[int], language: str = "en") -> list[str]:
    """Telegram participants as the worker writes them when they join (record, sealed chat
    id), without the messages of joining: for tests and benchmarks about sending."""
    pids = []
    pipe = app.redis.pipeline(transaction=False)
    for user_id in user_ids:
        pid = app.participant_id(Channel.TELEGRAM, str(user_id))
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    extra = {
        **QUICK,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": fake.base_url,
        "SAUTI_HTTP_PORT": str(port),
        **env,
    }
    if webhook:
        extra["TELEGRAM_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/webhooks/telegram"
        extra["TELEGRAM_WEBHOOK_SECRET"] = SECRET
    settings = test_settings(redis_url, tmp_path, **extra)
    app = await build_app(settings)
    await app.campaigns.load(EXAMPLE.read_text(encoding="utf-8"), open_now=True)
    ready = asyncio.Event()
    sauti = asyncio.create_task(run(settings, roles, ready))
    try:
        await _started(sauti, ready)
        if "telegram" in roles:  # registered: the webhook is set, or polling has begun
            await until(lambda: _registered(fake, webhook))
        yield Stack(app, fake, settings, port)
    finally:
        sauti.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sauti
        await app.close()


async def _started(sauti: asyncio.Task[None], ready: asyncio.Event) -> None:
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait([sauti, waiting], timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if sauti.done():
        sauti.result()  # raises what stopped it
    assert ready.is_set(), "sauti run did not start"


async def _registered(fake: FakeTelegram, webhook: bool) -> bool:
    if webhook:
        return fake.webhook is not None and bool(fake.commands)
    return bool(fake.calls_to("getUpdates"))


async def until(
    condition: Callable[[], Awaitable[bool]] | Callable[[], bool], seconds: float = 15.0
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


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
