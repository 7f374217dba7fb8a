"""A sender (`sauti run --role sender`, as built by the composition root) in a process of its
own, for a test to SIGKILL while one of its Bot API calls is under way.

    python -m tests.bot.channels.telegram.sender_process CONFIG_PATH   # settings: environment

It prints `ready` once built, then sends until it is killed.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from pathlib import Path

from bot.app import build_app
from bot.settings import read_settings
from tests.bot.channels.telegram.harness import QUICK, TOKEN

MODULE = "tests.bot.channels.telegram.sender_process"
REPO = Path(__file__).resolve().parents[4]


def shared_environment(api_base: str) -> dict[str, str]:
    """The settings a test's own app and its sender processes share: the same keys, the same
    fake Bot API. Give them to `app_fixtures.test_settings` too."""
    return {
        **QUICK,
        "SAUTI_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SAUTI_ID_SECRET": base64.b64encode(os.urandom(32)).decode(),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api_base,
    }


async def start_sender(
    environment: dict[str, str], redis_url: str, tmp_path: Path
) -> asyncio.subprocess.Process:
    """A sender process of the test's deployment, once it says it is ready."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", MODULE, str(tmp_path / "sauti.toml"),
        cwd=REPO, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, **environment, "REDIS_URL": redis_url,
             "SAUTI_DATA_DIR": str(tmp_path / "var"), "SAUTI_SHARDS": "4"},
    )  # fmt: skip
    assert process.stdout is not None
    assert await asyncio.wait_for(process.stdout.readline(), timeout=60) == b"ready\n"
    return process


async def send(config: Path) -> None:
    app = await build_app(read_settings(config_path=config))
    print("ready", flush=True)
    await app.sender(app.push_clients(), consumer="doomed-sender").run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(send(Path(sys.argv[1])))
