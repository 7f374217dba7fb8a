"""Fixtures of the WhatsApp tests: a running Sauti wired to the fake Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.channels.whatsapp.world import World, running_world


@pytest.fixture
async def world(redis_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(redis_url, tmp_path) as running:
        yield running
