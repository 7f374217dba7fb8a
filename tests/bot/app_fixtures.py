"""An App (the real composition root) on the test's Redis, and its web server with a worker."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, build_app
from bot.settings import Settings, read_settings
from bot.web import make_web_app, runner_options
from tests.bot.webchat_browser import SAME_ORIGIN

METRICS_PORTS = (
    "SAUTI_METRICS_WORKER_PORT",
    "SAUTI_METRICS_SENDER_PORT",
    "SAUTI_METRICS_PUBLISHER_PORT",
    "SAUTI_METRICS_TELEGRAM_PORT",
)
EXAMPLE = Path(__file__).resolve().parents[2] / "dialogues" / "examples" / "safe_connect.yaml"


def test_settings(redis_url: str, tmp_path: Path, **extra: str) -> Settings:
    environ = {
        "REDIS_URL": redis_url,
        "SAUTI_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SAUTI_ID_SECRET": base64.b64encode(os.urandom(32)).decode(),
        "SAUTI_DATA_DIR": str(tmp_path / "var"),
        "SAUTI_SHARDS": "4",
        # No metrics server of its own for a process without the web role, unless a test asks
        # for one (on a free port: a fixed one may be taken on a shared machine).
        **dict.fromkeys(METRICS_PORTS, "0"),
        **extra,
    }
    config = tmp_path / "sauti.toml"
    config.touch()  # an empty file: settings come from `environ` alone
    return read_settings(environ, config_path=config)


@pytest.fixture
async def app(redis_url: str, tmp_path: Path) -> AsyncIterator[App]:
    built = await build_app(test_settings(redis_url, tmp_path))
    await built.campaigns.load(EXAMPLE.read_text(encoding="utf-8"), open_now=True)
    yield built
    await built.close()


@pytest.fixture
async def web_client(app: App) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The web server, plus a worker processing events as `sauti run` does."""
    stop = asyncio.Event()
    worker = asyncio.create_task(app.worker("test-worker").run(stop))
    server = TestServer(make_web_app(app))
    await server.start_server(**runner_options())  # the production runner settings
    async with TestClient(server, headers=SAME_ORIGIN) as client:
        yield client
    stop.set()
    with contextlib.suppress(asyncio.CancelledError):
        await worker
