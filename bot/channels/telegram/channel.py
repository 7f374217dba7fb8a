"""The Telegram channel, assembled once by the composition root: the aiogram Bot, the intake
(webhook and polling share it) and the sender's client."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from bot.channels.telegram.api import make_bot
from bot.channels.telegram.client import TelegramClient
from bot.channels.telegram.history import ChatHistory
from bot.channels.telegram.inbound import UpdateParser
from bot.channels.telegram.intake import Intake, TelegramMetrics
from bot.channels.telegram.question_messages import QuestionMessages
from bot.channels.telegram.texts import TelegramTexts, telegram_texts
from bot.privacy import ParticipantCrypto
from bot.runtime.ingest import Ingestor
from bot.settings.model import TelegramSettings
from bot.storage.keys import KeySchema


@dataclass
class TelegramChannel:
    settings: TelegramSettings
    bot: Bot
    intake: Intake
    client: TelegramClient
    texts: TelegramTexts

    @property
    def uses_webhook(self) -> bool:
        return self.settings.webhook_url is not None

    async def close(self) -> None:
        await self.intake.settle()
        await self.bot.session.close()


def build_telegram(
    settings: TelegramSettings,
    *,
    redis: Redis,
    schema: KeySchema,
    ingestor: Ingestor,
    crypto: ParticipantCrypto,
    registry: CollectorRegistry,
) -> TelegramChannel:
    bot = make_bot(settings)
    texts = telegram_texts()
    history = ChatHistory(
        redis,
        schema,
        window_seconds=settings.limits.delete_window_seconds,
        max_messages=settings.history_messages,
    )
    intake = Intake(
        bot=bot,
        parser=UpdateParser(crypto),
        ingestor=ingestor,
        redis=redis,
        schema=schema,
        texts=texts,
        metrics=TelegramMetrics(registry),
        history=history,
    )
    questions = QuestionMessages(redis, schema, settings.question_memory_seconds)
    client = TelegramClient(bot, questions, history, settings.limits)
    return TelegramChannel(settings, bot, intake, client, texts)
