"""A sender (`sauti run --role sender`, as built by the composition root) in a process of its
own, for a test to SIGKILL while one of its platform calls is under way.

    python -m tests.kit.sender_process CONFIG_PATH   # settings: environment

It prints `ready` once built, then sends until it is killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.app import build_app
from bot.settings import read_settings
from tests.kit.settings import process_environment

MODULE = "tests.kit.sender_process"
REPO = Path(__file__).resolve().parents[2]


async def start_sender(environment: dict[str, str]) -> asyncio.subprocess.Process:
    """A sender process of the test's deployment (`deployment_environment`), once it says it
    is ready."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", MODULE, environment["SAUTI_CONFIG"],
        cwd=REPO, stdout=asyncio.subprocess.PIPE, env=process_environment(environment),
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
