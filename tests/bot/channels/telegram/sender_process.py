"""A sender (`sauti run --role sender`, as built by the composition root) in a process of its
own, for a test to SIGKILL while one of its Bot API calls is under way.

    python -m tests.bot.channels.telegram.sender_process CONFIG_PATH   # settings: environment

It prints `ready` once built, then sends until it is killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.app import build_app
from bot.settings import Settings

MODULE = "tests.bot.channels.telegram.sender_process"


async def send(config: Path) -> None:
    app = await build_app(Settings.from_env(config_path=config))
    print("ready", flush=True)
    await app.sender(app.push_clients(), consumer="doomed-sender").run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(send(Path(sys.argv[1])))
