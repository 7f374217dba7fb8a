"""Fixtures of the fuzz suite, and its figures: status codes per route, printed at the end."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.fuzz.stack import OUTCOMES, Sauti, running


@pytest.fixture
async def sauti(
    redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Sauti]:
    caplog.set_level(logging.INFO)
    async with running(redis_url, tmp_path) as started:
        yield started


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not OUTCOMES:
        return
    terminalreporter.section("fuzz requests per route, by status")
    for route, statuses in sorted(OUTCOMES.items()):
        counts = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        terminalreporter.write_line(f"{route:<28} {sum(statuses.values()):>5}  ({counts})")
