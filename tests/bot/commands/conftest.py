"""The deployment the command-line tests run `sauti` against (a test module may define its own,
with settings of its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.commands import Deployment, deployed


@pytest.fixture
async def deployment(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Deployment]:
    async with deployed(redis_url, tmp_path, monkeypatch) as value:
        yield value
