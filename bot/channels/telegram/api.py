"""The aiogram Bot Sauti talks through, pointed at the configured Bot API server."""

from __future__ import annotations

import json
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.channels.telegram.response_types import keep_response_type
from bot.settings.model import TelegramSettings

# Update kinds Sauti asks for. Edited messages are left out: an edit never changes a recorded
# answer, so there is no reason to receive them (they are ignored if they come anyway).
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")


class _Session(AiohttpSession):
    """aiogram's session, except that a 5xx whose body is not Bot API JSON (a proxy's error
    page) is a server error, as it is, rather than an undecodable answer, and that the type an
    answer is read with is built once, not after every garbage collection (`response_types`)."""

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        if status_code >= 500:
            try:
                json.loads(content)
            except ValueError:
                raise TelegramServerError(method=method, message=f"HTTP {status_code}") from None
        keep_response_type(method)
        return super().check_response(bot, method, status_code, content)


def make_bot(settings: TelegramSettings) -> Bot:
    """A Bot for the configured token and API base. No network here: aiogram opens its HTTP
    session on the first call."""
    assert settings.bot_token is not None
    session = _Session(
        api=TelegramAPIServer.from_base(settings.api_base),
        timeout=settings.request_timeout_seconds,
    )
    # No parse mode anywhere: survey texts and participants' own words go out as plain text,
    # so no text can be misread as markup, and there is nothing to escape. No link previews:
    # they cost participants data.
    default: Any = DefaultBotProperties(parse_mode=None, link_preview_is_disabled=True)
    return Bot(settings.bot_token.reveal(), session=session, default=default)
