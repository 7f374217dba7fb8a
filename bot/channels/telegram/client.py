"""The sender's ChannelClient for Telegram: outbox messages in, Bot API calls out.

- A new message: sent (split if longer than Telegram allows, the keyboard on the last part);
  a question's message id is remembered, so it can be edited later.
- An echo of the participant's answer (sent by the participant): the question's message is edited to
  show the question with the answer, and its buttons go, so they cannot be pressed twice.
- A re-rendered question (an edit): the keyboard of its message is edited (ticks).

Edits are best effort: if the question's message is unknown (forgotten, deleted) nothing is
sent, since the participant already sees their own answer in the chat.

Every message sent is recorded in the chat's history (bot.channels.telegram.history), those to
someone without a record yet too (the campaign menu before joining); only the goodbye after an
erasure is not (`Outgoing.unrecorded`). A quick exit's "clear the chat" deletes what the history
holds: the participant's messages and earlier exits' lines from before the exit, the bot's
other messages whenever sent (bot.channels.telegram.history), 100 ids per deleteMessages call.
A batch Telegram refuses as a whole (one id in it no longer deletable) is tried again in
halves, down to single ids, before any id is forgotten.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiogram import Bot
from aiogram.exceptions import AiogramError

from bot.channels.telegram.bot_api import BotApi
from bot.channels.telegram.bot_api import Keyboard as Buttons
from bot.channels.telegram.errors import (
    delivery_error,
    is_message_gone,
    is_not_deletable,
    is_not_modified,
)
from bot.channels.telegram.history import ChatHistory, SentMessage
from bot.channels.telegram.question_messages import QuestionMessage, QuestionMessages
from bot.channels.telegram.render import Keyboard, Limits, Rendered, answered_text, render
from bot.channels.telegram.render import question_keyboard as keyboard_of
from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing, Sender
from bot.runtime.delivery import Recipient, SendLimits
from bot.settings.limits import TelegramLimits
from dialogues.localization import builtin_catalog

log = logging.getLogger(__name__)


def send_limits(limits: TelegramLimits) -> SendLimits:
    # With paid broadcast the bot may go above the free rate; Telegram bills what is over it.
    rate = limits.paid_broadcast_rate if limits.paid_broadcast else limits.global_rate
    return SendLimits(
        global_rate=rate,
        global_burst=limits.global_burst,
        per_chat_interval=1.0 / limits.per_chat_rate,
        per_chat_burst=limits.per_chat_burst,
    )


class TelegramClient:
    def __init__(
        self, bot: Bot, questions: QuestionMessages, history: ChatHistory, limits: TelegramLimits
    ) -> None:
        self.bot = bot  # whose HTTP session it sends through; its owner closes it
        self._api = BotApi(bot)
        self._questions = questions
        self._history = history
        self._delete_batch = limits.delete_batch
        self._limits = send_limits(limits)
        self._render_limits = Limits(limits.max_text_chars, limits.max_callback_data_bytes)
        self._part_gap = 1.0 / limits.per_chat_rate
        self._paid = limits.paid_broadcast
        self._catalog = builtin_catalog()

    @property
    def channel(self) -> Channel:
        return Channel.TELEGRAM

    @property
    def limits(self) -> SendLimits:
        return self._limits

    async def deliver(self, recipient: Recipient, message: Outgoing, key: str) -> str | None:
        chat = int(recipient.address)
        if message.clear_chat:
            await self._clear(recipient.participant_id, chat, message.clear_until_ms)
            return None
        if message.sender is Sender.PARTICIPANT:
            return await self._show_answer(recipient, chat, message)
        if message.edit:
            return await self._show_ticks(recipient, chat, message)
        shown = render(message, self._catalog, self._render_limits)
        return await self._send(
            recipient,
            chat,
            shown,
            key,
            remember=not message.unrecorded,
            neutral=message.quick_exit,
        )

    # -- new messages --------------------------------------------------------------------------

    async def _send(
        self,
        recipient: Recipient,
        chat: int,
        shown: Rendered,
        key: str,
        *,
        remember: bool,
        neutral: bool = False,
    ) -> str | None:
        """`neutral`: a quick exit's own line (or one sent while hidden), which a clearing
        deletes only if sent before its exit (bot.channels.telegram.history)."""
        pid = recipient.participant_id
        split = len(shown.parts) > 1
        done = await self._questions.parts_sent(pid, key) if split else 0
        message_id: int | None = None
        for index, text in enumerate(shown.parts):
            if index < done:
                continue  # went out before a retry
            if index > done:
                await asyncio.sleep(self._part_gap)  # parts of one message: paced as messages
            last = index == len(shown.parts) - 1
            buttons = _buttons(shown.keyboard) if last else None
            try:
                sent = await self._api.send_message(chat, text, buttons, paid=self._paid)
            except (TimeoutError, AiogramError, OSError) as error:
                raise delivery_error(error) from error
            message_id = sent.message_id
            if remember:
                # Telegram's own date: the 48 hours it allows a deletion count from it. A
                # neutral line is compared with the exit's time (Sauti's clock), and Telegram's
                # whole second could make it look older than the exit: never before now.
                sent_ms = sent.date_s * 1000 if sent.date_s is not None else _now_ms()
                if neutral:
                    sent_ms = max(sent_ms, _now_ms())
                line = SentMessage(pid, message_id, sent_ms, bot_reply=not neutral)
                await self._history.remember([line])
            if split:
                await self._questions.part_sent(pid, key, index + 1)
        if message_id is not None and shown.question_id is not None:
            remembered = QuestionMessage(message_id, shown.question_text)
            await self._questions.remember(pid, shown.question_id, remembered)
        return str(message_id) if message_id is not None else None

    # -- a quick exit --------------------------------------------------------------------------

    async def _clear(self, participant_id: str, chat: int, until_ms: int) -> None:
        """Delete the chat's recent messages, both sides: the participant's and the neutral
        lines from before the exit (`until_ms`; 0: all), the bot's others whenever sent (one
        may have gone out between the exit's arrival and its commit), a batch per call. Each
        batch is forgotten once deleted, so a retry after a failure goes on with the rest;
        deleting an id twice does nothing (Telegram skips ids it cannot find)."""
        found = await self._history.deletable(participant_id, _now_ms(), until_ms or None)
        for start in range(0, len(found), self._delete_batch):
            await self._delete(participant_id, chat, found[start : start + self._delete_batch])

    async def _delete(self, participant_id: str, chat: int, batch: list[int]) -> None:
        """One deleteMessages call. Refused as not deletable, a batch may hold one id Telegram
        no longer lets the bot delete while the others still are: it is tried again in halves,
        and only an id refused alone is forgotten undeleted."""
        try:
            await self._api.delete_messages(chat, batch)
        except (TimeoutError, AiogramError, OSError) as error:
            if not is_not_deletable(error):
                raise delivery_error(error, idempotent=True) from error
            if len(batch) > 1:
                half = len(batch) // 2
                await self._delete(participant_id, chat, batch[:half])
                await self._delete(participant_id, chat, batch[half:])
                return
        await self._history.forget(participant_id, batch)

    # -- edits ---------------------------------------------------------------------------------

    async def _show_answer(self, recipient: Recipient, chat: int, message: Outgoing) -> str | None:
        question = message.question_id
        shown = await self._questions.find(recipient.participant_id, question) if question else None
        if question is None or shown is None:
            return None
        text = answered_text(
            shown.text, message.text, recipient.language, self._catalog, self._render_limits
        )
        await self._edit(self._api.edit_message_text(chat, shown.message_id, text))
        await self._questions.forget(recipient.participant_id, question)
        return str(shown.message_id)

    async def _show_ticks(self, recipient: Recipient, chat: int, message: Outgoing) -> str | None:
        prompt = message.prompt
        if prompt is None:
            return None
        shown = await self._questions.find(recipient.participant_id, prompt.question_id)
        if shown is None:
            return None
        keyboard = keyboard_of(prompt, self._render_limits)
        await self._edit(
            self._api.edit_message_reply_markup(chat, shown.message_id, _buttons(keyboard))
        )
        return str(shown.message_id)

    async def _edit(self, call: Any) -> None:
        try:
            await call
        except (TimeoutError, AiogramError, OSError) as error:
            if is_not_modified(error):
                return  # already shows exactly this: done
            if is_message_gone(error):
                log.info("question message gone; nothing to edit")
                return
            # An edit is idempotent: repeating it after a timeout does no harm.
            raise delivery_error(error, idempotent=True) from error


def _now_ms() -> int:
    return int(time.time() * 1000)


def _buttons(keyboard: Keyboard) -> Buttons | None:
    if not keyboard:
        return None
    return [[{"text": b.text, "callback_data": b.data} for b in row] for row in keyboard]
