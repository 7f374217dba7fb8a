"""Long polling (development, or when no public URL exists): getUpdates in a loop.

Telegram confirms updates when getUpdates is next called with a higher offset, so the offset
moves past a batch only after every event of it is in Redis. A crash before that gets the same
batch again, and the ingest deduplication drops what was already stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramConflictError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import Update

from bot.channels.telegram.api import ALLOWED_UPDATES
from bot.channels.telegram.intake import Intake
from bot.settings.limits import TelegramLimits
from bot.storage.errors import STORAGE_FAILURE

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
HTTP_MARGIN_SECONDS = 10  # a long poll's HTTP request may take this much longer than its wait


class Poller:
    def __init__(self, bot: Bot, intake: Intake, limits: TelegramLimits) -> None:
        self._bot = bot
        self._intake = intake
        self._limits = limits
        self.offset: int | None = None  # the first update not yet stored

    async def run(self, stop: asyncio.Event) -> None:
        delay = 0.5
        while not stop.is_set():
            try:
                updates = await _until_stopped(self._fetch(), stop)
            except TelegramUnauthorizedError:
                raise  # a wrong token: stop the role, so the operator sees it
            except TelegramRetryAfter as limited:
                await _sleep(float(limited.retry_after), stop)
                continue
            except (TimeoutError, AiogramError, OSError) as error:
                if isinstance(error, TelegramConflictError):
                    log.warning("another getUpdates or a webhook is active for this bot")
                else:
                    log.warning("getUpdates failed (%s); retrying", type(error).__name__)
                await _sleep(delay, stop)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
                continue
            delay = 0.5
            if updates:
                await self._store(updates, stop)
        await self._confirm()

    async def _fetch(self) -> list[Update]:
        wait = self._limits.long_poll_timeout_seconds
        return await self._bot.get_updates(
            offset=self.offset,
            limit=self._limits.get_updates_limit,
            timeout=wait,
            allowed_updates=list(ALLOWED_UPDATES),
            request_timeout=wait + HTTP_MARGIN_SECONDS,
        )

    async def _store(self, updates: list[Update], stop: asyncio.Event) -> None:
        """Store the batch, retrying while Redis is away; the offset moves only after."""
        delay = 0.5
        while True:
            try:
                await self._intake.take(updates)
            except STORAGE_FAILURE:
                log.warning("Redis unreachable: holding %d updates unconfirmed", len(updates))
                if stop.is_set():
                    return  # not confirmed: Telegram keeps them for the next start
                await _sleep(delay, stop)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
                continue
            self.offset = max(update.update_id for update in updates) + 1
            return

    async def _confirm(self) -> None:
        """On the way out, confirm what was stored, so a restart does not fetch it again."""
        if self.offset is None:
            return
        with contextlib.suppress(AiogramError, OSError, asyncio.TimeoutError):
            await self._bot.get_updates(
                offset=self.offset, limit=1, timeout=0, request_timeout=HTTP_MARGIN_SECONDS
            )


async def _until_stopped(
    fetch: Coroutine[Any, Any, list[Update]], stop: asyncio.Event
) -> list[Update]:
    """The fetch's result, or [] as soon as `stop` is set (the poll is abandoned unconfirmed)."""
    task = asyncio.ensure_future(fetch)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([task, stopping], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, AiogramError, OSError):
        await task
    return []


async def _sleep(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
