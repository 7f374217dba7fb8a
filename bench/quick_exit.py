"""Benchmark the quick exit on Telegram: time from the exit word to the chat cleared.

    .venv/bin/python bench/quick_exit.py                 # 200 participants, 5 exits/s
    .venv/bin/python bench/quick_exit.py --quick         # 40 participants

An embedded Redis in a temporary directory; the fake Bot API (tests/fakes) with Telegram's
limits (30 messages/s overall, about 1/s per chat); Sauti as `sauti run` runs it (web with the
webhook, worker, sender, telegram roles) in this process, with its default Telegram settings.
Each participant joins the example campaign (deep link, language, "tell me") and reaches the
first question, so the chat holds the bot's messages and their own. Then they write "exit", a
few per second, as people would. For each: from the moment the update is pushed to Sauti's
webhook to the last deleteMessages call that empties their chat (`cleared`), and to the
neutral line arriving (`neutral line`). Target: cleared under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake lives with the tests

from bot.storage.embedded_redis import EmbeddedRedis  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.fakes.telegram_limits import FakeLimits  # noqa: E402
from tests.fakes.telegram_users import FakeUser  # noqa: E402
from tests.kit.example import CAMPAIGN  # noqa: E402
from tests.kit.running import built, sauti_run  # noqa: E402
from tests.kit.settings import deployment_settings  # noqa: E402
from tests.kit.telegram import TOKEN, question, webhook_environment  # noqa: E402
from tests.kit.waiting import free_port, until  # noqa: E402

FIRST_USER = 30_000_000


async def join(user: FakeUser) -> None:
    """The deep link, the language button, "yes, I agree", "yes, tell me": then the first
    question."""
    await user.say(f"/start {CAMPAIGN}")
    await user.tap_data(await _menu(user, "m|language|en"), "m|language|en")
    await user.tap_data(await _menu(user, "m|consent|take:yes"), "m|consent|take:yes")
    await user.tap_data(await _menu(user, "m|updates|yes"), "m|updates|yes")
    await question(user, "uses")


async def _menu(user: FakeUser, data: str) -> object:
    await user.wait_for(lambda messages: any(data in m.callback_data() for m in messages), 120)
    return next(m for m in reversed(user.messages) if data in m.callback_data())


async def leave(fake: FakeTelegram, user: FakeUser) -> tuple[float, float]:
    """Say "exit"; returns (cleared, neutral line) in seconds after the word was sent."""
    began = time.monotonic()
    await user.say("exit")
    await user.wait_for(lambda messages: any(m.text == "OK." for m in messages), 30)
    await until(lambda: [m.text for m in fake.chats[user.id]] == ["OK."], 30)
    deletes = [
        call.at
        for call in fake.calls_to("deleteMessages", ok=True)
        if call.params.get("chat_id") == user.id
    ]
    neutral = [
        call.at
        for call in fake.calls_to("sendMessage", ok=True)
        if call.params.get("chat_id") == user.id and call.params.get("text") == "OK."
    ]
    return max(deletes) - began, min(neutral) - began


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def bench(participants: int, exits_per_second: float) -> dict[str, float | int | str]:
    fake = FakeTelegram(TOKEN, FakeLimits())  # Telegram's own limits
    await fake.start()
    port = free_port()
    webhook = f"http://127.0.0.1:{port}/webhooks/telegram"
    with (
        tempfile.TemporaryDirectory(prefix="sauti-bench-") as directory,
        EmbeddedRedis(Path(directory) / "redis") as redis,
    ):
        settings = deployment_settings(
            redis.url,
            Path(directory),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE=fake.base_url,
            SAUTI_HTTP_PORT=str(port),
            SAUTI_LOG_LEVEL="WARNING",
            **webhook_environment(webhook),
        )
        try:
            async with built(settings), sauti_run(settings):
                await until(lambda: fake.webhook is not None)
                users = [fake.user(FIRST_USER + n, "en") for n in range(participants)]
                gate = asyncio.Semaphore(20)

                async def joined(user: FakeUser) -> None:
                    async with gate:
                        await join(user)

                await asyncio.gather(*(joined(user) for user in users))
                limited_joining = fake.rate_limited_by_sauti
                refused = Counter(c.method for c in fake.calls if c.status == 429)
                pending = []
                for user in users:
                    pending.append(asyncio.create_task(leave(fake, user)))
                    await asyncio.sleep(1 / exits_per_second)
                timings = await asyncio.gather(*pending)
        finally:
            await fake.close()
    cleared = [c for c, _ in timings]
    neutral = [n for _, n in timings]
    return {
        "participants": participants,
        "cleared_p50_ms": percentile(cleared, 0.5) * 1000,
        "cleared_p95_ms": percentile(cleared, 0.95) * 1000,
        "cleared_max_ms": max(cleared) * 1000,
        "neutral_p50_ms": percentile(neutral, 0.5) * 1000,
        "neutral_p95_ms": percentile(neutral, 0.95) * 1000,
        "under_1s": sum(c < 1.0 for c in cleared),
        "429s_while_joining": limited_joining,
        "429s_while_exiting": fake.rate_limited_by_sauti - limited_joining,
        "429s_while_joining_by_call": ", ".join(f"{m} {n}" for m, n in refused.items()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5.0, help="exits per second")
    parser.add_argument("--quick", action="store_true", help="40 participants")
    options = parser.parse_args()
    participants = 40 if options.quick else options.participants
    result = asyncio.run(bench(participants, options.rate))
    for name, value in result.items():
        print(f"{name:>24}: {value:,.1f}" if isinstance(value, float) else f"{name:>24}: {value}")


if __name__ == "__main__":
    main()
