"""Benchmark Bot API calls through aiogram as it is, and through Sauti's Bot, which keeps the
types aiogram reads answers with (bot/channels/telegram/response_types.py).

    .venv/bin/python bench/aiogram_calls.py                      # 3 x 2,000 calls each way
    .venv/bin/python bench/aiogram_calls.py --collect-every 10   # a collection every 10 calls

sendMessage and editMessageText, alternately, to the loopback fake Bot API (tests/fakes, its
flood limits off); three runs of each bot, alternated, each in a process of its own. Reported
for each run: CPU per call (client and fake together, forced collections left out) and how many
times a `Response[...]` class had to be built (a call reading its answer with another class
than the previous call of its method). By default the garbage collector runs when it would;
`--collect-every` forces a collection every N calls, as a busier process meets them more often.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake lives with the tests

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402

from bot.channels.telegram.api import make_bot  # noqa: E402
from bot.secret import Secret  # noqa: E402
from bot.settings.model import TelegramSettings  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.fakes.telegram_limits import FakeLimits  # noqa: E402
from tests.kit.telegram import TOKEN  # noqa: E402

CHAT = 1
ROUNDS = 3
BOTS = {"aiogram": "aiogram as it is", "sauti": "Sauti's Bot"}
UNLIMITED = FakeLimits(1e9, 10**9, 1e9, 10**9)


def count_builds(bot: Bot) -> list[int]:
    """A one-item list counting the calls whose answer was read with a new class."""
    builds = [0]
    last: dict[str, Any] = {}
    check_response = bot.session.check_response

    def spy(bot: Bot, method: Any, status_code: int, content: str) -> Any:
        response = check_response(bot, method, status_code, content)
        previous = last.get(method.__api_method__)
        if previous is None or previous() is not type(response):
            builds[0] += 1
            last[method.__api_method__] = weakref.ref(type(response))
        return response

    bot.session.check_response = spy  # type: ignore[method-assign]
    return builds


async def run(bot: Bot, fake: FakeTelegram, calls: int, collect_every: int) -> tuple[float, int]:
    """CPU per call (the forced collections' own CPU left out) and the classes built."""
    fake.calls.clear()
    fake.chats.clear()
    fake.open_chat(CHAT)
    builds = count_builds(bot)
    sent = await bot.send_message(chat_id=CHAT, text="warm up")
    await bot.edit_message_text(chat_id=CHAT, message_id=sent.message_id, text="warm up!")
    builds[0] = 0
    collecting = 0.0
    cpu = time.process_time()
    for n in range(calls):
        if n % 2:
            await bot.edit_message_text(chat_id=CHAT, message_id=sent.message_id, text=f"{n}")
        else:
            sent = await bot.send_message(chat_id=CHAT, text=f"message {n}")
        if collect_every and n % collect_every == collect_every - 1:
            started = time.process_time()
            gc.collect()
            collecting += time.process_time() - started
    return (time.process_time() - cpu - collecting) / calls, builds[0]


async def bench(bot_name: str, calls: int, collect_every: int) -> None:
    fake = FakeTelegram(TOKEN, UNLIMITED)
    await fake.start()
    if bot_name == "aiogram":
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
    else:
        bot = make_bot(TelegramSettings(bot_token=Secret(TOKEN), api_base=fake.base_url))
    try:
        per_call, builds = await run(bot, fake, calls, collect_every)
    finally:
        await bot.session.close()
        await fake.close()
    name = BOTS[bot_name]
    print(f"{name:17} {per_call * 1e3:.3f} ms CPU per call, {builds} Response types built")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--collect-every", type=int, default=0, help="0: when Python would")
    parser.add_argument("--bot", choices=tuple(BOTS), help="one run of one bot (else all)")
    args = parser.parse_args()
    if args.bot:
        asyncio.run(bench(args.bot, args.calls, args.collect_every))
        return
    # Each run in a process of its own: a type Sauti kept would be kept for aiogram's run too.
    for _ in range(ROUNDS):
        for bot_name in BOTS:
            options = ["--calls", str(args.calls), "--collect-every", str(args.collect_every)]
            subprocess.run([sys.executable, __file__, "--bot", bot_name, *options], check=True)


if __name__ == "__main__":
    main()
