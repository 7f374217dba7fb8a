"""What Sauti tells Telegram when it starts: where updates go (webhook with its secret, or
none for long polling) and the command menu in each language."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramUnauthorizedError
from aiogram.types import BotCommand

from bot.channels.telegram.api import ALLOWED_UPDATES
from bot.channels.telegram.texts import FALLBACK, TelegramTexts
from bot.settings.model import TelegramSettings

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0


async def register(bot: Bot, settings: TelegramSettings, texts: TelegramTexts) -> None:
    """One attempt; raises aiogram's errors."""
    if settings.webhook_url is not None:
        assert settings.webhook_secret is not None  # the settings rules require it
        await bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.webhook_secret.reveal(),
            allowed_updates=list(ALLOWED_UPDATES),
            max_connections=settings.limits.webhook_max_connections,
            drop_pending_updates=False,  # updates waiting for us are people's answers
        )
    else:
        # getUpdates is refused while a webhook is set.
        await bot.delete_webhook(drop_pending_updates=False)
    for language in texts.languages:
        await bot.set_my_commands(_menu(texts, language), language_code=language)
    await bot.set_my_commands(_menu(texts, FALLBACK))  # everyone else: English


async def register_until_done(
    bot: Bot, settings: TelegramSettings, texts: TelegramTexts, stop: asyncio.Event
) -> bool:
    """Retry with backoff until registered (True) or stopped (False). A refused token is not
    retried: it raises, and the role stops so the operator sees it."""
    delay = 1.0
    while not stop.is_set():
        try:
            await register(bot, settings, texts)
        except TelegramUnauthorizedError:
            raise
        except (TimeoutError, AiogramError, OSError) as error:
            log.warning("Telegram registration failed (%s); retrying", type(error).__name__)
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
            continue
        mode = "webhook" if settings.webhook_url is not None else "long polling"
        log.info("Telegram registered: %s, commands in %s", mode, ", ".join(texts.languages))
        return True
    return False


def _menu(texts: TelegramTexts, language: str) -> list[BotCommand]:
    return [BotCommand(command=c, description=d) for c, d in texts.command_menu(language)]
