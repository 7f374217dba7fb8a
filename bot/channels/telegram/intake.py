"""Updates in: parse, store durably, and only then acknowledge what Telegram shows the person
(the spinner on a tapped button) — shared by the webhook and long polling.

`take` (long polling) and `take_pushed` (the webhook) return once every event is in Redis and
raise if Redis is unreachable, so the caller acknowledges Telegram (HTTP 200, or the next
getUpdates offset) only for stored updates. A tap is answered (`answerCallbackQuery`, which
stops its spinner) only then too: by long polling with a call of its own, by the webhook in
its HTTP reply, which Telegram runs as a method call, saving a request. Closing a tapped menu
and the line a group gets run after that, in the background: they are courtesy, and must not
hold up the next update.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Sequence
from typing import Any

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import Update
from prometheus_client import CollectorRegistry, Counter
from redis.asyncio import Redis

from bot.channels.telegram.errors import is_not_modified
from bot.channels.telegram.history import ChatHistory
from bot.channels.telegram.inbound import MAX_TEXT, MenuTap, Parsed, UpdateParser
from bot.channels.telegram.render import TICK
from bot.channels.telegram.text import truncate, utf16_len
from bot.channels.telegram.texts import TelegramTexts
from bot.runtime.ingest import Ingestor
from bot.storage.errors import STORAGE_FAILURE
from bot.storage.keys import KeySchema

log = logging.getLogger(__name__)

GROUP_NOTICE_SECONDS = 24 * 3600  # a group hears the explanation at most once a day
COURTESY_TIMEOUT_SECONDS = 5
# A courtesy message that could not be sent, for whatever reason of Telegram's or Redis's.
_SEND_FAILURE: tuple[type[Exception], ...] = (TimeoutError, AiogramError, *STORAGE_FAILURE)


class TelegramMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.updates = Counter(
            "sauti_telegram_updates",
            "Telegram updates received, by what they were (event, ignored, group)",
            ["kind"],
            registry=registry,
        )
        self.webhook_refused = Counter(
            "sauti_telegram_webhook_refused",
            "Webhook calls refused, by reason (secret, unreadable)",
            ["reason"],
            registry=registry,
        )
        self.courtesy_failures = Counter(
            "sauti_telegram_courtesy_failures",
            "Callback answers by a call, menus closed and group notices that failed (never "
            "retried)",
            registry=registry,
        )


class Intake:
    def __init__(
        self,
        *,
        bot: Bot,
        parser: UpdateParser,
        ingestor: Ingestor,
        redis: Redis,
        schema: KeySchema,
        texts: TelegramTexts,
        metrics: TelegramMetrics,
        history: ChatHistory,
    ) -> None:
        self.bot = bot
        self.metrics = metrics
        self._parser = parser
        self._ingestor = ingestor
        self._redis = redis
        self._schema = schema
        self._texts = texts
        self._history = history
        self._background: set[asyncio.Task[None]] = set()

    async def take(self, updates: Sequence[Update]) -> int:
        """Store the updates' events (duplicates are dropped by the ingestor), then answer their
        taps with calls of their own; returns how many events were new. Raises a storage
        failure (bot.storage.errors) when they could not be stored."""
        parsed, stored = await self._store(updates)
        for item in parsed:
            if item.callback_query_id is not None:
                self._later(self._answer_tap(item.callback_query_id))
        return stored

    async def take_pushed(self, update: Update) -> str | None:
        """Store one update a webhook received, as `take` does, but leave its tap unanswered:
        returns the callback query id the webhook's reply is to answer (None: no tap). A
        redelivered tap is answered again, which does no harm."""
        (item,), _ = await self._store([update])
        return item.callback_query_id

    async def _store(self, updates: Sequence[Update]) -> tuple[list[Parsed], int]:
        now_ms = int(time.time() * 1000)
        # One ms apart, in Telegram's order: the times of one batch's messages keep their order.
        parsed = [self._parser.parse(update, now_ms + n) for n, update in enumerate(updates)]
        # Their own messages go into the chat's history before their events are stored, so a
        # quick exit always finds the message that asked for it (and everything before it).
        await self._history.remember([item.own for item in parsed if item.own is not None])
        stored = 0
        for item in parsed:
            for event in item.events:
                stored += await self._ingestor.ingest(event)
        for item in parsed:
            self._count(item)
            if item.menu_tap is not None:
                self._later(self._close_menu(item.menu_tap))
            if item.group_chat_id is not None:
                self._later(self._explain_to_group(item.group_chat_id, item.group_language))
        return parsed, stored

    async def settle(self) -> None:
        """Wait for the background answers (shutdown, and tests)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    def _count(self, item: Parsed) -> None:
        kind = "event" if item.events else "group" if item.group_chat_id else "ignored"
        self.metrics.updates.labels(kind).inc()

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _answer_tap(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id, request_timeout=COURTESY_TIMEOUT_SECONDS)
        except (TimeoutError, AiogramError, OSError) as error:
            # Too late or unreachable: the phone stops its spinner by itself after a while.
            self.metrics.courtesy_failures.inc()
            log.info("could not answer a button tap: %s", type(error).__name__)

    async def _close_menu(self, tap: MenuTap) -> None:
        """A menu answers one question: once tapped, its message shows the choice instead of
        buttons that would ask it again."""
        shown = f"{TICK} {tap.label}"
        text = f"{truncate(tap.text, MAX_TEXT - utf16_len(shown) - 2)}\n\n{shown}"
        try:
            await self.bot.edit_message_text(
                chat_id=tap.chat_id,
                message_id=tap.message_id,
                text=text,
                request_timeout=COURTESY_TIMEOUT_SECONDS,
            )
        except (TimeoutError, AiogramError, OSError) as error:
            if not is_not_modified(error):  # a repeated tap finds it done already
                self.metrics.courtesy_failures.inc()
                log.info("could not close a menu: %s", type(error).__name__)

    async def _explain_to_group(self, chat_id: int, language: str | None) -> None:
        marker = self._schema.telegram_group(self._parser.event_id(f"group:{chat_id}"))
        try:
            if not await self._redis.set(marker, b"1", nx=True, ex=GROUP_NOTICE_SECONDS):
                return
            line = self._texts.group_line((language or "").split("-")[0])
            await self.bot.send_message(
                chat_id=chat_id, text=line, request_timeout=COURTESY_TIMEOUT_SECONDS
            )
        except _SEND_FAILURE as error:
            self.metrics.courtesy_failures.inc()
            log.info("could not explain to a group: %s", type(error).__name__)
