"""Telegram updates as channel-neutral InboundEvents. Pure translation: no I/O, no survey rules.

- A typed message in a private chat → Answer(TextReply): all of it, "/start code" and "/help"
  included (the worker recognises commands, keywords and join codes on every channel).
- A tap on one of Sauti's buttons → the survey action or menu command its payload stands for.
- A photo, voice note, sticker... → Unsupported(kind), answered with "please use text or the
  buttons".
- The participant blocking / unblocking the bot (`my_chat_member`) → Reachability.
- Edited messages: nothing (an edit never changes a recorded answer).
- Times increase per chat in update order (bot.channels.telegram.chat_clock).
- Anything from a group: nothing, but the group is owed a one-line explanation.

Event ids are HMACs of what identifies the update on Telegram (message ids are unique only
within their chat), so a redelivered update is recognised without storing Telegram's ids.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update, User

from bot.channels.telegram import payloads
from bot.channels.telegram.chat_clock import ChatClock
from bot.channels.telegram.history import SentMessage
from bot.channels.telegram.render import TICK
from bot.conversation.inbound import (
    Action,
    Answer,
    Channel,
    Command,
    InboundEvent,
    Reachability,
    Unsupported,
)
from bot.privacy import ParticipantCrypto
from dialogues.inbound import TextReply

PRIVATE = "private"
# What people send that Sauti cannot take as an answer (service messages are not in the list:
# nobody is waiting for a reply to those).
UNSUPPORTED = frozenset(
    {
        "animation", "audio", "contact", "dice", "document", "game", "location", "photo", "poll",
        "sticker", "story", "venue", "video", "video_note", "voice", "paid_media",
    }
)  # fmt: skip
MAX_TEXT = 4096
EVENT_ID_BYTES = 16

ParticipantIds = Callable[[str], str]  # Telegram user id → participant id


@dataclass(frozen=True, slots=True)
class MenuTap:
    """A tapped menu button: its message is edited to show the choice, without buttons."""

    chat_id: int
    message_id: int
    text: str
    label: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one update asks of Sauti."""

    events: tuple[InboundEvent, ...] = ()
    callback_query_id: str | None = None  # answer it once the events are stored
    group_chat_id: int | None = None  # explain (once) that Sauti works in private chats only
    group_language: str | None = None
    menu_tap: MenuTap | None = None
    own: SentMessage | None = None  # the participant's message, for the chat's history


class UpdateParser:
    def __init__(
        self, crypto: ParticipantCrypto, participant_ids: ParticipantIds | None = None
    ) -> None:
        """`participant_ids`: how a Telegram user id becomes a participant id; by default the
        HMAC every channel uses (tests of translation alone pass their own)."""
        # A key of its own for event ids, derived from the id secret: the same secret keys the
        # participant ids, and the two must never be comparable.
        self._key = crypto.keyed_digest(b"sauti/telegram-event-ids/v1")
        self._clock = ChatClock()  # a chat's events keep the order of its updates
        self._participant_ids = participant_ids or (
            lambda user: crypto.participant_id(Channel.TELEGRAM.value, user)
        )

    def parse(self, update: Update, now_ms: int) -> Parsed:
        if update.message is not None:
            return self._message(update.message, now_ms)
        if update.callback_query is not None:
            return self._callback(update.callback_query, now_ms)
        if update.my_chat_member is not None:
            return self._membership(update.my_chat_member, now_ms)
        return Parsed()  # edited messages and kinds Sauti does not ask for

    def event_id(self, scope: str) -> str:
        digest = hmac.new(self._key, scope.encode(), hashlib.sha256).digest()[:EVENT_ID_BYTES]
        return f"{Channel.TELEGRAM.value}:{base64.b32encode(digest).decode().rstrip('=').lower()}"

    def _message(self, message: Message, now_ms: int) -> Parsed:
        user = message.from_user
        if message.chat.type != PRIVATE:
            language = user.language_code if user is not None else None
            return Parsed(group_chat_id=message.chat.id, group_language=language)
        if user is None or user.is_bot:
            return Parsed()
        action: Action
        if message.text is not None:
            action = Answer(TextReply(_without_bot_name(message.text)[:MAX_TEXT]))
        elif (kind := _kind(message)) in UNSUPPORTED:
            action = Unsupported(kind)
        else:
            return Parsed()
        scope = f"message:{message.chat.id}:{message.message_id}"
        # When they wrote, not when the update reached us (a webhook retried, a backlog after
        # downtime): their `/time` answer is read against it. A clock ahead of ours is not
        # trusted. Telegram gives whole seconds: an update that reaches us within that second
        # takes our clock's ms, which orders the messages of one second (an exit, then "start"
        # right after it: bot.conversation.quick_exit); a later one, the second's first ms.
        date_ms = int(message.date.timestamp() * 1000)
        sent_ms = now_ms if now_ms <= date_ms + 999 else date_ms
        sent_ms = self._clock.stamp(message.chat.id, sent_ms)
        event = self._event(scope, user, message.chat.id, action, sent_ms)
        own = SentMessage(event.participant_id, message.message_id, sent_ms)
        return Parsed((event,), own=own)

    def _callback(self, query: CallbackQuery, now_ms: int) -> Parsed:
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != PRIVATE:
            return Parsed(callback_query_id=query.id)
        action = payloads.decode(query.data or "")
        if action is None:  # not one of Sauti's buttons: nothing to do but stop the spinner
            return Parsed(callback_query_id=query.id)
        user = query.from_user
        # Callback query ids are unique per bot, so they identify a tap across redeliveries.
        tapped_ms = self._clock.stamp(user.id, now_ms)
        event = self._event(f"callback:{query.id}", user, user.id, action, tapped_ms)
        tap = _menu_tap(query) if isinstance(action, Command) else None
        return Parsed((event,), callback_query_id=query.id, menu_tap=tap)

    def _membership(self, change: ChatMemberUpdated, now_ms: int) -> Parsed:
        if change.chat.type != PRIVATE:
            added = change.new_chat_member.status in ("member", "administrator")
            if added:
                return Parsed(
                    group_chat_id=change.chat.id, group_language=change.from_user.language_code
                )
            return Parsed()
        status = change.new_chat_member.status
        if status not in ("kicked", "member"):
            return Parsed()
        user = change.from_user
        stamp = int(change.date.timestamp())
        scope = f"member:{change.chat.id}:{stamp}:{status}"
        action = Reachability(status == "member")
        return Parsed((self._event(scope, user, change.chat.id, action, now_ms),))

    def _event(
        self, scope: str, user: User, chat_id: int, action: Action, now_ms: int
    ) -> InboundEvent:
        return InboundEvent(
            event_id=self.event_id(scope),
            channel=Channel.TELEGRAM,
            participant_id=self._participant_ids(str(user.id)),
            received_at_ms=now_ms,
            action=action,
            address=str(chat_id),
            locale=user.language_code or None,
        )


def _kind(message: Message) -> str:
    kind = message.content_type  # aiogram's ContentType, a str enum
    return str(getattr(kind, "value", kind))


def _menu_tap(query: CallbackQuery) -> MenuTap | None:
    message = query.message
    if not isinstance(message, Message) or message.text is None or message.reply_markup is None:
        return None
    labels = [
        button.text
        for row in message.reply_markup.inline_keyboard
        for button in row
        if button.callback_data == query.data
    ]
    if not labels:
        return None
    label = labels[0].removeprefix(f"{TICK} ")
    return MenuTap(message.chat.id, message.message_id, message.text, label)


def _without_bot_name(text: str) -> str:
    """'/help@SautiBot' is how Telegram writes a command picked from a menu in some clients."""
    if text.startswith("/"):
        command, space, rest = text.partition(" ")
        return command.split("@", 1)[0] + space + rest
    return text
