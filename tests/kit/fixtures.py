"""Fixtures of a running Sauti, registered for the whole suite in tests/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import App
from tests.kit.running import background, built, web_server
from tests.kit.settings import deployment_settings
from tests.kit.webchat import SAME_ORIGIN
from tests.kit.whatsapp import World, running_world


@pytest.fixture
async def app(redis_url: str, tmp_path: Path) -> AsyncIterator[App]:
    """The App of a test deployment on the test's Redis, the example campaign open."""
    async with built(deployment_settings(redis_url, tmp_path)) as started:
        yield started


@pytest.fixture
async def web_client(app: App) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The web server, plus a worker processing events as `sauti run` does; the client posts
    as a browser on our own pages does."""
    async with (
        background(app.worker("test-worker")),
        web_server(app) as server,
        TestClient(server, headers=SAME_ORIGIN) as client,
    ):
        yield client


@pytest.fixture
async def world(redis_url: str, tmp_path: Path) -> AsyncIterator[World]:
    """Sauti with WhatsApp pointed at the fake Graph API (see tests.kit.whatsapp)."""
    async with running_world(redis_url, tmp_path) as running:
        yield running
