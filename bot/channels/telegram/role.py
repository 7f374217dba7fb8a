"""The `telegram` role of `sauti run`: register with Telegram, then (without a webhook URL)
long-poll for updates until stopped. With a webhook the web role receives the updates."""

from __future__ import annotations

import asyncio
import logging

from aiogram.exceptions import AiogramError

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.registration import register_until_done
from bot.records.campaigns import CampaignStore

log = logging.getLogger(__name__)


async def run_telegram(
    telegram: TelegramChannel, campaigns: CampaignStore, stop: asyncio.Event
) -> None:
    """Register the bot, name each open campaign's join link, then poll until `stop` (with a
    webhook: wait for `stop`)."""
    if not await register_until_done(telegram.bot, telegram.settings, telegram.texts, stop):
        return
    await _announce_links(telegram, campaigns)
    if telegram.uses_webhook:
        await stop.wait()
        return
    await Poller(telegram.bot, telegram.intake, telegram.settings.limits).run(stop)


async def _announce_links(telegram: TelegramChannel, campaigns: CampaignStore) -> None:
    """Each open campaign's join link (t.me/<bot>?start=<campaign>), for the operator."""
    try:
        me = await telegram.bot.get_me()
        campaign_ids = await campaigns.ids()
    except (TimeoutError, AiogramError, OSError):
        return
    for campaign_id in campaign_ids:
        campaign = await campaigns.get(campaign_id)
        if campaign is not None and campaign.is_open:
            print(
                f"  Telegram for '{campaign_id}': https://t.me/{me.username}?start={campaign_id}",
                flush=True,
            )
