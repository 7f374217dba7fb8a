"""POST /webhooks/telegram: updates pushed by Telegram.

The secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token` is checked first, in constant
time; without the right one the answer is 401 and nothing is read or stored. A 200 goes back
only once the update's events are in Redis: if Redis is unreachable the answer is 503 and
Telegram delivers the update again later. An update that cannot be read (not JSON, not an
update) is answered 200 all the same and counted: a retry would only bring the same bytes.

A stored tap is answered in that same 200: its body names `answerCallbackQuery`, which Telegram
runs as if Sauti had called it, stopping the button's spinner without a request of Sauti's.
Telegram does not say whether such a call worked; nothing depends on it (a tap Telegram
delivers again is answered again, which does no harm).
"""

from __future__ import annotations

import hmac
import logging

from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.channels.json_body import UnreadableBodyError, load_json
from bot.channels.telegram.intake import Intake
from bot.storage.errors import STORAGE_FAILURE

log = logging.getLogger(__name__)

PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    def __init__(self, intake: Intake, secret: str) -> None:
        self._intake = intake
        self._secret = secret.encode()

    def routes(self) -> list[web.RouteDef]:
        return [web.post(PATH, self.receive)]

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self._intake.metrics.webhook_refused.labels("secret").inc()
            return web.Response(status=401, text="unauthorized")
        try:
            data = load_json(await request.read())
            update = Update.model_validate(data, context={"bot": self._intake.bot})
        except (UnreadableBodyError, ValidationError):
            # From Telegram (the secret matched) but unreadable: it will never become
            # readable, and a non-2xx would only have it retried. Counted, never logged whole.
            self._intake.metrics.webhook_refused.labels("unreadable").inc()
            log.warning("unreadable Telegram update dropped")
            return web.Response(status=200)
        try:
            tap = await self._intake.take_pushed(update)
        except STORAGE_FAILURE:
            log.warning("Redis unreachable: Telegram will deliver this update again")
            return web.Response(status=503, text="try again later")
        if tap is None:
            return web.Response(status=200)
        return web.json_response(answer_in_reply(tap))


def answer_in_reply(callback_query_id: str) -> dict[str, str]:
    """The body of a webhook reply that has Telegram answer a tap (no text: the spinner stops)."""
    return {"method": "answerCallbackQuery", "callback_query_id": callback_query_id}
