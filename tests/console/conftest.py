"""The deployment the console tests open, and the browser they drive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.api import World, api_world
from tests.console.browser import Browser, chromium_or_skip, launched


@pytest.fixture
async def world(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    async with api_world(redis_url, tmp_path, monkeypatch) as value:
        yield value


@pytest.fixture
async def browser(world: World) -> AsyncIterator[Browser]:
    executable = chromium_or_skip()
    async with launched(executable, str(world.client.make_url("/"))) as opened:
        yield opened


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly, at the end of the run, that the browser tests did not run and why."""
    from tests.console.browser import MISSING

    if MISSING:
        terminalreporter.write_line(f"NOTE: {len(MISSING)} console test(s) skipped: {MISSING[0]}")
