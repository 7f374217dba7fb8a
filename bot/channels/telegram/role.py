"""The `telegram` role of `sauti run`: register with Telegram, then (without a webhook URL)
long-poll for updates until stopped. With a webhook the web role receives the updates."""

from __future__ import annotations

import asyncio
import logging

from aiogram.exceptions import AiogramError

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.registration import register_until_done

log = logging.getLogger(__name__)


async def run_telegram(app: App, telegram: TelegramChannel, stop: asyncio.Event) -> None:
    if not await register_until_done(telegram.bot, telegram.settings, telegram.texts, stop):
        return
    await _announce_links(app, telegram)
    if telegram.uses_webhook:
        await stop.wait()
        return
    await Poller(telegram.bot, telegram.intake, telegram.settings.limits).run(stop)


async def _announce_links(app: App, telegram: TelegramChannel) -> None:
    """Each open campaign's join link (t.me/<bot>?start=<campaign>), for the operator."""
    try:
        me = await telegram.bot.get_me()
        campaign_ids = await app.campaigns.ids()
    except (TimeoutError, AiogramError, OSError):
        return
    for campaign_id in campaign_ids:
        campaign = await app.campaigns.get(campaign_id)
        if campaign is not None and campaign.is_open:
            print(
                f"  Telegram for '{campaign_id}': https://t.me/{me.username}?start={campaign_id}",
                flush=True,
            )
