"""The world the API tests call (a test module may build its own, with settings of its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.api import World, api_world


@pytest.fixture
async def world(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    async with api_world(redis_url, tmp_path, monkeypatch) as value:
        yield value
