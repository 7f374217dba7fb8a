"""People on the fake Telegram: what they type and tap becomes updates, as the real app would
send them; what Sauti sends them is their chat transcript."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.telegram_api import Button, ChatMessage, FakeTelegram

WAIT_SECONDS = 15.0


class FakeUser:
    def __init__(self, fake: FakeTelegram, user_id: int, language: str | None, name: str) -> None:
        self.fake = fake
        self.id = user_id
        self.language = language
        self.name = name

    # -- as the phone sends it -------------------------------------------------------------------

    def sender(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.name}
        if self.language:
            user["language_code"] = self.language
        return user

    def chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.name}

    def message(self, **content: Any) -> dict[str, Any]:
        self.fake.open_chat(self.id)
        message_id = self.fake.new_message_id(self.id)
        self.fake.record_user_message(self.id, message_id, str(content.get("text", "")))
        return {
            "message_id": message_id,
            "from": self.sender(),
            "chat": self.chat(),
            "date": int(time.time()),
            **content,
        }

    async def say(self, text: str, copies: int = 1) -> list[int]:
        """Type and send `text`; returns the webhook statuses (empty when polling)."""
        update = {"update_id": self.fake.new_update_id(), "message": self.message(text=text)}
        return await self.fake.push(update, copies)

    async def send_photo(self) -> list[int]:
        photo = [{"file_id": "AgAD1", "file_unique_id": "u1", "width": 90, "height": 90}]
        update = {"update_id": self.fake.new_update_id(), "message": self.message(photo=photo)}
        return await self.fake.push(update)

    async def send_voice(self) -> list[int]:
        voice = {"file_id": "AwAD1", "file_unique_id": "v1", "duration": 3}
        update = {"update_id": self.fake.new_update_id(), "message": self.message(voice=voice)}
        return await self.fake.push(update)

    async def edit(self, message_id: int, text: str) -> list[int]:
        """Edit an earlier message of theirs."""
        edited = {
            "message_id": message_id,
            "from": self.sender(),
            "chat": self.chat(),
            "date": int(time.time()) - 5,
            "edit_date": int(time.time()),
            "text": text,
        }
        update = {"update_id": self.fake.new_update_id(), "edited_message": edited}
        return await self.fake.push(update)

    async def tap(self, message: ChatMessage, label: str, *, stale: bool = False) -> list[int]:
        """Tap the button whose label contains `label` (the whole label wins over a part).
        `stale`: tap it as a phone still showing the message's first keyboard would."""
        keyboard = message.first_keyboard if stale else message.keyboard
        button = _find(keyboard, label)
        return await self.tap_data(message, button.data)

    async def tap_data(self, message: ChatMessage, data: str, copies: int = 1) -> list[int]:
        query_id = self.fake.new_callback_id()
        query = {
            "id": query_id,
            "from": self.sender(),
            "message": self.fake.message_json(message),
            "chat_instance": f"ci{self.id}",
            "data": data,
        }
        update = {"update_id": self.fake.new_update_id(), "callback_query": query}
        return await self.fake.push(update, copies)

    async def block(self) -> list[int]:
        self.fake.block(self.id)
        return await self._membership("member", "kicked")

    async def unblock(self) -> list[int]:
        self.fake.unblock(self.id)
        return await self._membership("kicked", "member")

    async def _membership(self, old: str, new: str) -> list[int]:
        bot = self.fake.bot_user()
        change = {
            "chat": self.chat(),
            "from": self.sender(),
            "date": int(time.time()),
            "old_chat_member": _member(bot, old),
            "new_chat_member": _member(bot, new),
        }
        update = {"update_id": self.fake.new_update_id(), "my_chat_member": change}
        return await self.fake.push(update)

    # -- what the phone shows --------------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        return self.fake.bot_messages(self.id)

    def last(self) -> ChatMessage:
        return self.messages[-1]

    async def wait_for(
        self, condition: Callable[[list[ChatMessage]], bool], seconds: float = WAIT_SECONDS
    ) -> list[ChatMessage]:
        deadline = time.monotonic() + seconds
        while not condition(self.messages):
            if time.monotonic() > deadline:
                shown = [(m.text[:60], m.callback_data()) for m in self.messages[-4:]]
                raise AssertionError(f"user {self.id} waited in vain; last messages: {shown}")
            await asyncio.sleep(0.01)
        return self.messages

    async def wait_for_text(self, snippet: str, seconds: float = WAIT_SECONDS) -> ChatMessage:
        """The latest bot message containing `snippet` (waits until there is one)."""
        await self.wait_for(lambda ms: any(snippet in m.text for m in ms), seconds)
        return next(m for m in reversed(self.messages) if snippet in m.text)


def _member(user: dict[str, Any], status: str) -> dict[str, Any]:
    member: dict[str, Any] = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _find(keyboard: tuple[tuple[Button, ...], ...], label: str) -> Button:
    buttons = [button for row in keyboard for button in row]
    exact = [b for b in buttons if b.text == label]
    partial = [b for b in buttons if label in b.text]
    found = exact or partial
    if not found:
        raise AssertionError(f"no button {label!r} among {[b.text for b in buttons]}")
    return found[0]
