"""aiogram builds the type it reads each Bot API answer with (`Response[...]`) on every call, and
pydantic keeps it only weakly: Sauti keeps the ones it uses, so that a garbage collection
between two calls does not cost the next call a new class (bot/channels/telegram/response_types).
If aiogram changes how it reads answers, this fails instead of the workaround quietly doing
nothing."""

from __future__ import annotations

import gc
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram import Bot

from bot.channels.telegram.api import make_bot
from bot.secret import Secret
from bot.settings.model import TelegramSettings
from tests.fakes.telegram_api import FakeTelegram
from tests.kit.telegram import TOKEN, telegram_api

CHAT = 5101
ROUNDS = 3

TypeRef = Callable[[], type | None]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with telegram_api() as server:
        server.open_chat(CHAT)
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    made = make_bot(TelegramSettings(bot_token=Secret(TOKEN), api_base=fake.base_url))
    yield made
    await made.session.close()


async def _calls_sauti_makes(bot: Bot, fake: FakeTelegram) -> None:
    """One of each kind of answer Sauti reads: a message, a message or True, True, updates."""
    sent = await bot.send_message(chat_id=CHAT, text="Which of these do you use?")
    await bot.edit_message_text(chat_id=CHAT, message_id=sent.message_id, text="Answered")
    await bot.set_my_commands([])
    await bot.get_updates(timeout=0)
    await bot.get_me()


async def test_every_answer_is_read_with_the_type_built_the_first_time(
    bot: Bot, fake: FakeTelegram
) -> None:
    # Which class each method's answer was read with; weakly, so that this test holds nothing.
    read_with: dict[str, list[TypeRef]] = {}
    check_response = bot.session.check_response

    def spy(bot: Bot, method: Any, status_code: int, content: str) -> Any:
        response = check_response(bot, method, status_code, content)
        read_with.setdefault(method.__api_method__, []).append(weakref.ref(type(response)))
        return response

    bot.session.check_response = spy  # type: ignore[method-assign]
    for _ in range(ROUNDS):
        await _calls_sauti_makes(bot, fake)
        gc.collect()  # what a busy process does between two calls, now and then

    assert set(read_with) == {
        "sendMessage", "editMessageText", "setMyCommands", "getUpdates", "getMe"
    }  # fmt: skip
    for refs in read_with.values():
        first = refs[0]()
        assert first is not None, "built again after a garbage collection"
        assert first.__name__.startswith("Response[")
        assert all(ref() is first for ref in refs)
