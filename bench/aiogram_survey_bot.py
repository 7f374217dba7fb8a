"""The example survey as a developer would hand-roll it with aiogram 3: the yardstick of
`bench/versus_aiogram.py`.

    TELEGRAM_BOT_TOKEN=... WEBHOOK_SECRET=... .venv/bin/python bench/aiogram_survey_bot.py \
        --api-base http://127.0.0.1:8081 --redis-url redis://127.0.0.1:6379/0 \
        --port 8090 --webhook-url http://127.0.0.1:8090/webhook

What a competent developer writes for one survey on one channel, and nothing more: the FSM in
Redis (`RedisStorage`), one `HSET` per answer, an inline keyboard for choices (ticks edited in
for a multiple choice), `answerCallbackQuery` for every tap, `sendMessage` for the next
question, aiogram's own webhook handler (`SimpleRequestHandler`, which answers Telegram at once
and handles the update in the background, its default) on aiohttp, and the Bot API reached at
`--api-base` through `TelegramAPIServer`. The survey is the example campaign, read with Sauti's
own parser so questions and buttons are the same; the bot walks it as such a bot would: the
question index, the answers so far (for the `relevant` conditions) and the ticks in the FSM
data, the language from Telegram's `language_code`.

Not here, on purpose, since such a bot would not have them: deduplication of redelivered
updates, answers kept when a handler fails after the 200, rate limits, sealing of free text or
of the chat id, a language or consent menu, editing answered questions.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from redis.asyncio import BlockingConnectionPool, Redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dialogues import Question, QuestionKind, Survey, parse  # noqa: E402
from dialogues.expressions import AnswerValue, evaluate  # noqa: E402
from dialogues.localization import builtin_catalog  # noqa: E402

EXAMPLE = REPO / "dialogues" / "examples" / "safe_connect.yaml"
WEBHOOK_PATH = "/webhook"
TICK = "✓"

survey: Survey = parse(EXAMPLE.read_text(encoding="utf-8"))
catalog = builtin_catalog()
router = Router()


class Answering(StatesGroup):
    question = State()


class Choose(CallbackData, prefix="c"):
    q: str
    o: str


class Tick(CallbackData, prefix="t"):
    q: str
    o: str


class Finish(CallbackData, prefix="d"):
    q: str


class SkipIt(CallbackData, prefix="s"):
    q: str


def answers_key(user_id: int) -> str:
    return f"survey:{survey.id}:answers:{user_id}"


# -- asking ---------------------------------------------------------------------------------------


def options(question: Question, language: str) -> list[tuple[str, str]]:
    """(option id, label) of a choice question; yes/no from the built-in wording."""
    if question.kind is QuestionKind.YES_NO:
        return [(v, catalog.message(f"option.{v}", language)) for v in ("yes", "no")]
    return [(o.id, survey.text(o.text, language)) for o in question.options]


def keyboard(question: Question, language: str, ticked: list[str]) -> InlineKeyboardMarkup | None:
    builder = InlineKeyboardBuilder()
    kind = question.kind
    if kind is QuestionKind.SCALE:
        low, high = int(question.min_value or 0), int(question.max_value or 0)
        for value in range(low, high + 1):
            builder.button(text=str(value), callback_data=Choose(q=question.id, o=str(value)))
        builder.adjust(6)
    elif kind is QuestionKind.MULTIPLE_CHOICE:
        for option_id, label in options(question, language):
            shown = f"{TICK} {label}" if option_id in ticked else label
            builder.button(text=shown, callback_data=Tick(q=question.id, o=option_id))
        builder.button(
            text=catalog.message("button.done", language), callback_data=Finish(q=question.id)
        )
        builder.adjust(2)
    elif kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        for option_id, label in options(question, language):
            builder.button(text=label, callback_data=Choose(q=question.id, o=option_id))
        builder.adjust(2)
    if question.optional:
        builder.button(
            text=catalog.message("button.skip", language), callback_data=SkipIt(q=question.id)
        )
    return builder.as_markup() if builder.buttons else None


def is_relevant(question: Question, answers: dict[str, Any]) -> bool:
    if question.relevant is None:
        return True
    values: dict[str, AnswerValue] = {
        q: tuple(v) if isinstance(v, list) else v for q, v in answers.items()
    }
    return evaluate(question.relevant, values, answers.keys())


async def ask_next(bot: Bot, chat_id: int, state: FSMContext, data: dict[str, Any]) -> None:
    """Send what comes after question `data["i"]`: info texts, then the next relevant question
    with its keyboard; or the thanks, and forget the conversation."""
    language: str = data["lang"]
    index: int = data["i"] + 1
    while index < len(survey.questions):
        question = survey.questions[index]
        if not is_relevant(question, data["answers"]):
            index += 1
            continue
        text = survey.text(question.text, language)
        if question.kind is QuestionKind.INFO:
            await bot.send_message(chat_id, text)
            index += 1
            continue
        await state.set_data({**data, "i": index, "ticked": []})
        await bot.send_message(chat_id, text, reply_markup=keyboard(question, language, []))
        return
    await state.clear()
    if survey.thanks is not None:
        await bot.send_message(chat_id, survey.text(survey.thanks, language))


def current(data: dict[str, Any], question_id: str) -> Question | None:
    """The question being asked, if a tap belongs to it (an old button is ignored)."""
    question = survey.questions[data["i"]]
    return question if question.id == question_id else None


async def record(
    redis: Redis, user_id: int, question: Question, value: str | int | list[str], data: Any
) -> dict[str, Any]:
    shown = ",".join(value) if isinstance(value, list) else str(value)
    await redis.hset(answers_key(user_id), question.id, shown)
    return {**data, "answers": {**data["answers"], question.id: value}}


# -- handlers -------------------------------------------------------------------------------------


@router.message(CommandStart())
async def start(message: Message, state: FSMContext, bot: Bot) -> None:
    code = message.from_user.language_code if message.from_user else None
    language = code if code in survey.languages else survey.default_language
    data = {"lang": language, "i": -1, "answers": {}, "ticked": []}
    await state.set_state(Answering.question)
    if survey.intro is not None:
        await message.answer(survey.text(survey.intro, language))
    await ask_next(bot, message.chat.id, state, data)


@router.callback_query(Answering.question, Choose.filter())
async def choose(
    callback: CallbackQuery, callback_data: Choose, state: FSMContext, bot: Bot, redis: Redis
) -> None:
    data = await state.get_data()
    question = current(data, callback_data.q)
    await callback.answer()
    if question is None or callback.message is None:
        return
    value: str | int = callback_data.o
    if question.kind is QuestionKind.SCALE:
        value = int(callback_data.o)
    data = await record(redis, callback.from_user.id, question, value, data)
    await ask_next(bot, callback.message.chat.id, state, data)


@router.callback_query(Answering.question, Tick.filter())
async def tick(callback: CallbackQuery, callback_data: Tick, state: FSMContext) -> None:
    data = await state.get_data()
    question = current(data, callback_data.q)
    if question is None or not isinstance(callback.message, Message):
        await callback.answer()
        return
    ticked: list[str] = data["ticked"]
    if callback_data.o in ticked:
        ticked.remove(callback_data.o)
    elif len(ticked) < question.max_selections:
        ticked.append(callback_data.o)
    await state.set_data({**data, "ticked": ticked})
    await callback.message.edit_reply_markup(reply_markup=keyboard(question, data["lang"], ticked))
    await callback.answer()


@router.callback_query(Answering.question, Finish.filter())
async def finish(
    callback: CallbackQuery, callback_data: Finish, state: FSMContext, bot: Bot, redis: Redis
) -> None:
    data = await state.get_data()
    question = current(data, callback_data.q)
    ticked: list[str] = data["ticked"]
    if question is None or callback.message is None:
        await callback.answer()
        return
    if len(ticked) < question.min_selections:
        too_few = catalog.message("reject.too_few", data["lang"], min=question.min_selections)
        await callback.answer(too_few)
        return
    await callback.answer()
    chosen = [o for o, _ in options(question, data["lang"]) if o in ticked]
    data = await record(redis, callback.from_user.id, question, chosen, data)
    await ask_next(bot, callback.message.chat.id, state, data)


@router.callback_query(Answering.question, SkipIt.filter())
async def skip(
    callback: CallbackQuery, callback_data: SkipIt, state: FSMContext, bot: Bot, redis: Redis
) -> None:
    data = await state.get_data()
    question = current(data, callback_data.q)
    await callback.answer()
    if question is None or callback.message is None:
        return
    data = await record(redis, callback.from_user.id, question, "", data)
    await ask_next(bot, callback.message.chat.id, state, data)


@router.message(Answering.question, F.text)
async def typed(message: Message, state: FSMContext, bot: Bot, redis: Redis) -> None:
    data = await state.get_data()
    question = survey.questions[data["i"]]
    text = message.text or ""
    value: str | int
    if question.kind is QuestionKind.TEXT and len(text) <= question.max_length:
        value = text
    elif question.kind is QuestionKind.NUMBER and _in_range(question, text):
        value = int(text)
    else:
        await message.answer(_rejection(question, text, data["lang"]))
        return
    user_id = message.from_user.id if message.from_user else message.chat.id
    data = await record(redis, user_id, question, value, data)
    await ask_next(bot, message.chat.id, state, data)


def _rejection(question: Question, text: str, language: str) -> str:
    if question.kind is QuestionKind.NUMBER:
        low, high = int(question.min_value or 0), int(question.max_value or 0)
        return catalog.message("reject.out_of_range", language, min=low, max=high)
    if question.kind is QuestionKind.TEXT:
        limit = question.max_length
        return catalog.message("reject.too_long", language, length=len(text), max_length=limit)
    return "Please use the buttons."


def _in_range(question: Question, text: str) -> bool:
    if not text.strip().isdigit():
        return False
    low, high = question.min_value or 0, question.max_value or float("inf")
    return low <= int(text) <= high


# -- serving --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--api-base", required=True, help="the Bot API server")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--webhook-url", required=True, help="where Telegram posts updates")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)  # no line per update, as Sauti

    token, secret = os.environ["TELEGRAM_BOT_TOKEN"], os.environ["WEBHOOK_SECRET"]
    session = AiohttpSession(api=TelegramAPIServer.from_base(args.api_base))
    bot = Bot(token, session=session)
    # redis-py 8 (Sauti's) caps a default pool at 100 connections and fails the 101st at once;
    # aiogram's own `redis` extra pins redis<8, whose pool has no cap. A pool that waits for a
    # free connection keeps the bot working past 100 updates at once, as Sauti's does.
    pool = BlockingConnectionPool.from_url(args.redis_url, max_connections=100)
    storage = RedisStorage(Redis(connection_pool=pool))
    dispatcher = Dispatcher(storage=storage, redis=storage.redis)
    dispatcher.include_router(router)

    async def on_startup(bot: Bot) -> None:
        await bot.set_webhook(
            args.webhook_url,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )

    dispatcher.startup.register(on_startup)
    app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret).register(
        app, path=WEBHOOK_PATH
    )
    setup_application(app, dispatcher, bot=bot)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
