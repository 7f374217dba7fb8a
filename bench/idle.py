"""What an idle `sauti run` costs Redis: commands per second while nobody writes.

    .venv/bin/python bench/idle.py                  # as `make demo` runs it (web chat only)
    .venv/bin/python bench/idle.py --telegram       # with a Telegram bot, so the sender runs too
    .venv/bin/python bench/idle.py --seconds 20 --shards 16

The default window (65 s) is longer than the longest wait Sauti makes idle (a worker's read:
30 s; the publisher's: up to 60 s), so what those waits cost when they end is counted; a
20 s window shows the steady part alone (leases, and whatever polls).

The example campaign is loaded and opened, then `sauti run` starts in a process of its own
(all roles, its embedded Redis in a temporary directory); with `--telegram` it talks to the
fake Bot API of the tests (long polling, which costs Redis nothing). After a warm-up (leases
taken, scripts loaded), Redis's MONITOR counts every command the process sends for
`--seconds`: the total per second, per command, and per caller (the command with the kind of
key it names, the shard tag and ids taken out; a Lua script by what it writes), so the share of
each part of Sauti shows. Commands a script runs inside Redis are not counted: one EVALSHA is
one round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake Bot API lives with the tests

from redis.asyncio import Redis  # noqa: E402
from redis.exceptions import ConnectionError as RedisConnectionError  # noqa: E402

from bot.storage.embedded_redis import SOCKET_NAME  # noqa: E402
from bot.storage.scripts import ALL  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.kit.telegram import QUICK_FAKE, TOKEN  # noqa: E402
from tests.kit.waiting import free_port  # noqa: E402

SAUTI = str(Path(sys.executable).with_name("sauti"))
SURVEY = REPO / "dialogues" / "examples" / "safe_connect.yaml"
# The shard tag and what names one thing (ids, hashes, references) out of a key: callers remain.
_TAG = re.compile(r"\{[^}]*\}")
_ID = re.compile(r":(?![a-z]+$)[^:]*[0-9A-Z][^:]*")


def deployment(scratch: str, shards: int) -> dict[str, str]:
    """The environment of a `sauti run` on a fresh data directory, the example campaign open."""
    environment = {
        **os.environ,
        "SAUTI_DATA_DIR": scratch,
        "SAUTI_SHARDS": str(shards),
        "SAUTI_HTTP_PORT": str(free_port()),
        "SAUTI_METRICS_TELEGRAM_PORT": "0",
        "SAUTI_LOG_LEVEL": "WARNING",
    }
    environment.pop("REDIS_URL", None)
    subprocess.run(
        [SAUTI, "campaign", "load", str(SURVEY), "--open", "--accept-machine-drafted"],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return environment


async def measure(
    environment: dict[str, str], seconds: float, warmup: float, telegram: bool
) -> tuple[Counter[str], Counter[str]]:
    async with _bot_api(telegram) as api_base:
        if api_base is not None:
            environment |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": api_base}
        with _sauti_run(environment):
            socket = Path(environment["SAUTI_DATA_DIR"]) / "redis" / SOCKET_NAME
            redis = Redis(unix_socket_path=str(socket))
            try:
                await _until_answering(redis)
                await asyncio.sleep(warmup)
                return await _monitor(redis, seconds)
            finally:
                await redis.aclose()


@contextlib.asynccontextmanager
async def _bot_api(telegram: bool) -> AsyncIterator[str | None]:
    if not telegram:
        yield None
        return
    fake = FakeTelegram(TOKEN, QUICK_FAKE)
    await fake.start()
    try:
        yield fake.base_url
    finally:
        await fake.close()


@contextlib.contextmanager
def _sauti_run(environment: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen([SAUTI, "run"], env=environment, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _until_answering(redis: Redis) -> None:
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError, RedisConnectionError):
            if await redis.ping():
                return
        if time.monotonic() > deadline:
            raise SystemExit("sauti run did not start its Redis within 30 s")
        await asyncio.sleep(0.1)


async def _monitor(redis: Redis, seconds: float) -> tuple[Counter[str], Counter[str]]:
    scripts = {script.sha: script.name for script in ALL}
    commands: Counter[str] = Counter()
    callers: Counter[str] = Counter()
    async with redis.monitor() as monitor:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                seen = await asyncio.wait_for(monitor.next_command(), left)
            except TimeoutError:
                break
            if seen.get("client_type") == "lua" or seen["command"].upper() == "MONITOR":
                continue
            words = seen["command"].split()
            name = words[0].upper()
            commands[name] += 1
            callers[_caller(name, words[1:], scripts)] += 1
    return commands, callers


def _caller(name: str, arguments: list[str], scripts: dict[str, str]) -> str:
    """The command and the kind of key it names: `XREADGROUP in`, `EVALSHA take_leases`."""
    if name == "EVALSHA" and arguments:
        return f"EVALSHA {scripts.get(arguments[0], arguments[0][:8])}"
    keys = [argument for argument in arguments if argument.startswith("sauti:")]
    kinds = sorted({_ID.sub(":…", _TAG.sub("", key)).replace("sauti:", "") for key in keys})
    return " ".join([name, *kinds])


def _report(commands: Counter[str], callers: Counter[str], seconds: float) -> None:
    total = sum(commands.values())
    print(f"idle Redis commands: {total / seconds:.1f}/s ({total} in {seconds:g} s)")
    print("by command:")
    for name, count in commands.most_common():
        print(f"  {count / seconds:8.2f}/s  {name}")
    print("by caller:")
    for caller, count in callers.most_common():
        print(f"  {count / seconds:8.2f}/s  {caller}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=65.0, help="how long to count")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before counting")
    parser.add_argument("--shards", type=int, default=16, help="SAUTI_SHARDS")
    parser.add_argument("--telegram", action="store_true", help="run the sender (fake Bot API)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sauti-idle-") as scratch:
        environment = deployment(scratch, args.shards)
        counted = asyncio.run(measure(environment, args.seconds, args.warmup, args.telegram))
    _report(*counted, args.seconds)


if __name__ == "__main__":
    main()
