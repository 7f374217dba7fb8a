"""The Bot API calls the sender makes for every message (sendMessage, editMessageText,
editMessageReplyMarkup, and deleteMessages for a quick exit), sent as JSON over aiogram's own
HTTP session.

Why not through aiogram's `Bot` methods: for each call aiogram builds and validates a pydantic
model of the method, serialises it field by field into a multipart form, and validates the whole
answer (a Message, with its chat and sender) into pydantic models again, while the sender needs
one number back: the message id. That was the largest part of Sauti's CPU per update
(`bench/versus_aiogram.py --profile`). Here the request is a small dict and only the message id
is read from the answer.

What stays aiogram's: the session (its connection pool, API server, timeout), and every failure.
An answer that is not `ok` (or not JSON) goes to aiogram's own `check_response` with the method
model built only then, so it raises exactly the exception aiogram would have raised, and
`errors.py` maps it as before; a timeout or a connection error becomes aiogram's
`TelegramNetworkError`, as aiogram's session raises it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError
from aiogram.methods import (
    DeleteMessages,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiohttp import ClientError, ClientTimeout

# As the Bot is configured (api.make_bot): no parse mode, so plain text; no link previews.
_NO_PREVIEW = {"is_disabled": True}

# The statuses aiogram takes for success, with `"ok": true` (200 OK to 226 IM Used).
_SUCCESS, _LAST_SUCCESS = HTTPStatus.OK, HTTPStatus.IM_USED

Keyboard = list[list[dict[str, str]]]  # rows of {"text": …, "callback_data": …}
Params = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SentReply:
    """What Telegram answered to sendMessage: the message's id and date (Unix seconds; None
    when the answer lacked it)."""

    message_id: int
    date_s: int | None


class BotApi:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send_message(
        self, chat_id: int, text: str, keyboard: Keyboard | None, *, paid: bool = False
    ) -> SentReply:
        """Send a text (with inline buttons); the message id Telegram gave it, and its date."""
        params: Params = {"chat_id": chat_id, "text": text, "link_preview_options": _NO_PREVIEW}
        if keyboard:
            params["reply_markup"] = {"inline_keyboard": keyboard}
        if paid:
            params["allow_paid_broadcast"] = True

        def method() -> SendMessage:
            return SendMessage(chat_id=chat_id, text=text)

        result = await self._call("sendMessage", params, method)
        message_id = result.get("message_id") if isinstance(result, dict) else None
        if not isinstance(message_id, int):  # as aiogram: an answer it cannot read
            raise ClientDecodeError("Failed to deserialize object", ValueError(), result)
        date = result.get("date")
        return SentReply(message_id, date if isinstance(date, int) else None)

    async def edit_message_text(self, chat_id: int, message_id: int, text: str) -> None:
        """Replace a message's text; its buttons go."""
        params: Params = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "link_preview_options": _NO_PREVIEW,
        }
        await self._call(
            "editMessageText",
            params,
            lambda: EditMessageText(chat_id=chat_id, message_id=message_id, text=text),
        )

    async def edit_message_reply_markup(
        self, chat_id: int, message_id: int, keyboard: Keyboard | None
    ) -> None:
        """Replace a message's buttons (none: they go)."""
        params: Params = {"chat_id": chat_id, "message_id": message_id}
        if keyboard:
            params["reply_markup"] = {"inline_keyboard": keyboard}
        await self._call(
            "editMessageReplyMarkup",
            params,
            lambda: EditMessageReplyMarkup(chat_id=chat_id, message_id=message_id),
        )

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        """Delete up to 100 messages of a chat; Telegram skips those it cannot find."""
        params: Params = {"chat_id": chat_id, "message_ids": message_ids}
        await self._call(
            "deleteMessages",
            params,
            lambda: DeleteMessages(chat_id=chat_id, message_ids=message_ids),
        )

    async def _call(
        self, name: str, params: Params, method: Callable[[], TelegramMethod[Any]]
    ) -> Any:
        """The call's `result`; a failure raises what aiogram would have raised."""
        session = self._bot.session
        if not isinstance(session, AiohttpSession):  # api.make_bot gives it one
            raise TypeError(f"a Bot on aiohttp is needed, not {type(session).__name__}")
        http = await session.create_session()
        url = session.api.api_url(token=self._bot.token, method=name)
        try:
            timeout = ClientTimeout(total=float(session.timeout))
            async with http.post(url, json=params, timeout=timeout) as response:
                status, content = response.status, await response.text()
        except TimeoutError as error:  # asyncio.TimeoutError is this one since Python 3.11
            raise TelegramNetworkError(method=method(), message="Request timeout error") from error
        except ClientError as error:
            message = f"{type(error).__name__}: {error}"
            raise TelegramNetworkError(method=method(), message=message) from error
        answer = _json(content)
        if _SUCCESS <= status <= _LAST_SUCCESS and isinstance(answer, dict) and answer.get("ok"):
            return answer.get("result")
        # Not a plain success: aiogram reads it, and raises its exception for it.
        return session.check_response(self._bot, method(), status, content).result


def _json(content: str) -> object:
    try:
        return json.loads(content)
    except ValueError:
        return None
