"""Waiting for what a running Sauti does in the background: a condition polled until it holds,
and a free port for a server of its own.

Helpers here take a budget in `seconds` and fail the test with an AssertionError when it runs
out, saying what was awaited; the test reads better than one wrapped in `asyncio.timeout`.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable


async def until(
    condition: Callable[[], object],
    seconds: float = 15.0,
    *,
    interval: float = 0.01,
    waiting_for: str = "the condition",
) -> None:
    """Return once `condition()` (awaited if it is a coroutine) is true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, (
            f"timed out after {seconds:g} s waiting for {waiting_for}"
        )
        await asyncio.sleep(interval)


def free_port() -> int:
    """A TCP port nobody listens on now (on a shared machine a fixed one may be taken)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
