"""The two bots `bench/versus_aiogram.py` compares, each a process of its own on the bench's
Redis (through the round-trip proxy) and the fake Bot API: start it, find its CPU time, stop
it, and read back what it stored for a participant.

- `AiogramBot`: `bench/aiogram_survey_bot.py`, the hand-rolled aiogram 3 bot.
- `SautiBot`: `sauti run` (all roles in one process, as it runs by default) with the webhook
  set, its data under the bench's temporary directory. Its Telegram rate limits are lifted far
  above what the load reaches (the fake enforces none to speak of either): what is measured is
  the work per update, not the 30 messages/s Telegram allows.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

from redis.asyncio import Redis

from bot.app import build_app
from bot.conversation.inbound import Channel
from tests.fakes.telegram_api import FakeTelegram
from tests.kit.example import CAMPAIGN, open_example
from tests.kit.settings import deployment_environment, process_environment, settings_from
from tests.kit.stored import answers as stored_answers
from tests.kit.waiting import free_port

REPO = Path(__file__).resolve().parents[1]
TOKEN = "123456789:bench-TOKEN_for-versus"
SECRET = "bench-webhook-secret"
UNLIMITED = {
    "SAUTI_TELEGRAM_GLOBAL_RATE": "100000",
    "SAUTI_TELEGRAM_GLOBAL_BURST": "1000",
    "SAUTI_TELEGRAM_PER_CHAT_RATE": "1000",
    "SAUTI_TELEGRAM_PER_CHAT_BURST": "100",
}
Expected = dict[str, str | int | tuple[str, ...]]


class BotUnderTest(Protocol):
    name: str
    process: subprocess.Popen[bytes] | None

    async def start(self, api_base: str, redis_via_proxy: str) -> None: ...

    async def stop(self) -> None: ...

    def profiling(self, on: bool) -> None:
        """Start (or stop and write) the profile of the bot's process, if it is profiled."""

    async def answers_stored(self, redis: Redis, expected: dict[int, Expected]) -> int:
        """How many of these Telegram users have exactly their expected answers stored."""
        ...


def _spawn(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The bot's process, its output (warnings and errors only) appended to `log`."""
    with open(log, "ab") as output:
        return subprocess.Popen(command, env=environment, stdout=output, stderr=output, cwd=REPO)


async def registered(fake: FakeTelegram, seconds: float = 30.0) -> None:
    """Once the bot has set its webhook at the fake (it does on start)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while fake.webhook is None:
        assert asyncio.get_running_loop().time() < deadline, "the bot set no webhook"
        await asyncio.sleep(0.05)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


async def _listening(
    process: subprocess.Popen[bytes], port: int, log: Path, seconds: float = 60.0
) -> None:
    """Once the bot's web server takes connections; its log's end if it stopped instead."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the bot exited with {process.returncode}:\n{_tail(log)}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return


async def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    for _ in range(200):
        if process.poll() is not None:
            return
        await asyncio.sleep(0.05)
    process.kill()
    process.wait()


class AiogramBot:
    name = "aiogram"

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self, api_base: str, redis_via_proxy: str) -> None:
        port = free_port()
        environment = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": SECRET}
        command = [
            sys.executable, str(REPO / "bench" / "aiogram_survey_bot.py"),
            "--api-base", api_base, "--redis-url", redis_via_proxy,
            "--port", str(port), "--webhook-url", f"http://127.0.0.1:{port}/webhook",
        ]  # fmt: skip
        log = self.scratch / "aiogram.log"
        self.process = _spawn(command, environment, log)
        await _listening(self.process, port, log)

    async def stop(self) -> None:
        await _stop(self.process)

    def profiling(self, on: bool) -> None:
        """Nothing: only Sauti is profiled."""

    async def answers_stored(self, redis: Redis, expected: dict[int, Expected]) -> int:
        matching = 0
        for user_id, answers in expected.items():
            raw: Any = await redis.hgetall(f"survey:{CAMPAIGN}:answers:{user_id}")
            stored = {key.decode(): value.decode() for key, value in raw.items()}
            shown = {q: ",".join(v) if isinstance(v, tuple) else str(v) for q, v in answers.items()}
            matching += stored == shown
        return matching


class SautiBot:
    name = "sauti"

    def __init__(self, scratch: Path, redis_direct: str, *, profile: Path | None = None) -> None:
        self.scratch = scratch
        self.redis_direct = redis_direct
        self.profile = profile
        self.process: subprocess.Popen[bytes] | None = None
        self.environment: dict[str, str] = {}

    async def start(self, api_base: str, redis_via_proxy: str) -> None:
        port = free_port()
        self.environment = deployment_environment(
            redis_via_proxy,
            self.scratch,
            SAUTI_SHARDS="16",  # the default; the tests' settings use 4
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE=api_base,
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/webhooks/telegram",
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            SAUTI_HTTP_PORT=str(port),
            SAUTI_LOG_LEVEL="WARNING",
            **UNLIMITED,
        )
        app = await build_app(settings_from({**self.environment, "REDIS_URL": self.redis_direct}))
        try:
            await open_example(app.campaigns)  # as an operator does before inviting anyone
        finally:
            await app.close()
        command = [sys.executable, "-m", "bot.cli", "run"]
        if self.profile is not None:
            command = [
                sys.executable,
                str(REPO / "bench" / "profiled_sauti.py"),
                str(self.profile),
                "run",
            ]
        log = self.scratch / "sauti.log"
        self.process = _spawn(command, process_environment(self.environment), log)
        await _listening(self.process, port, log)

    async def stop(self) -> None:
        await _stop(self.process)

    def profiling(self, on: bool) -> None:
        if self.profile is not None and self.process is not None:
            self.process.send_signal(signal.SIGUSR1 if on else signal.SIGUSR2)

    async def answers_stored(self, redis: Redis, expected: dict[int, Expected]) -> int:
        app = await build_app(settings_from({**self.environment, "REDIS_URL": self.redis_direct}))
        matching = 0
        try:
            for user_id, answers in expected.items():
                pid = app.crypto.participant_id(Channel.TELEGRAM.value, str(user_id))
                stored = await stored_answers(redis, app.schema, pid)
                matching += _as_expected(stored, answers)
        finally:
            await app.close()
        return matching


def _as_expected(stored: dict[str, dict[str, Any]], expected: Expected) -> bool:
    """Sauti's answers as the tests read them ({"o": outcome, "v": value}, free text sealed as
    "x") against what the participant answered."""
    if stored.keys() != expected.keys():
        return False
    for question, answer in expected.items():
        record = stored[question]
        if record.get("o") != "answered":
            return False
        if isinstance(answer, str) and "x" in record:  # free text, sealed
            continue
        if record.get("v") != (list(answer) if isinstance(answer, tuple) else answer):
            return False
    return True
