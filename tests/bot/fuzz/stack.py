"""Sauti with every door open (web chat, the Telegram webhook, the WhatsApp webhook) and a
worker, as `sauti run` serves them; a client that counts every answer by route; and the check
that nothing it was sent made a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, ClientTimeout
from aiohttp.test_utils import TestServer
from yarl import URL

from bot.app import App, build_app
from bot.web import make_web_app, runner_options
from tests.bot.app_fixtures import EXAMPLE, test_settings
from tests.bot.webchat_browser import SAME_ORIGIN
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.whatsapp_api import FakeGraphAPI

TELEGRAM_TOKEN = "123456789:sauti-FUZZ_token"
TELEGRAM_SECRET = "webhook-secret_for-fuzz"
APP_SECRET = "fuzz-app-secret-0123456789"
VERIFY_TOKEN = "fuzz-verify-token"
CAMPAIGN = "safe-connect-2026"
TEMPLATES = EXAMPLE.parents[2] / "config" / "whatsapp_templates.toml"

# Status codes of every fuzz request, by route, over the whole run (printed at its end).
OUTCOMES: dict[str, Counter[int]] = {}


@dataclass
class Sauti:
    app: App
    base_url: str
    http: ClientSession
    graph: FakeGraphAPI
    answers: list[tuple[str, int, str]] = field(default_factory=list)  # route, status, case

    async def send(
        self,
        route: str,
        method: str,
        path: str,
        case: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        """Send one request (`path` as it is, percent-encoding and all); returns its status,
        counted under `route`."""
        url = URL(self.base_url + path, encoded=True)
        async with self.http.request(
            method, url, data=body, headers=headers, allow_redirects=False
        ) as response:
            await response.read()
            status = response.status
        self.answers.append((route, status, case))
        OUTCOMES.setdefault(route, Counter())[status] += 1
        return status

    def server_errors(self) -> list[tuple[str, int, str]]:
        return [answer for answer in self.answers if answer[1] >= 500]

    async def settled(self, seconds: float = 20.0) -> None:
        """Wait until the worker has processed all that was stored (its logs are in then)."""
        deadline = time.monotonic() + seconds
        while not await self._all_processed():
            assert time.monotonic() < deadline, "the worker did not catch up"
            await asyncio.sleep(0.05)

    async def _all_processed(self) -> bool:
        """Every inbound entry delivered to the worker's group and acknowledged."""
        redis, schema = self.app.redis, self.app.schema
        for shard in range(schema.shards):
            stream = schema.inbound(shard)
            if not await redis.exists(stream):
                continue
            last: Any = (await redis.xinfo_stream(stream))["last-generated-id"]
            groups: Any = await redis.xinfo_groups(stream)
            if any(g["last-delivered-id"] != last or g["pending"] for g in groups):
                return False
        return True


@contextlib.asynccontextmanager
async def running(redis_url: str, tmp_path: Path) -> AsyncIterator[Sauti]:
    telegram = FakeTelegram(TELEGRAM_TOKEN)
    await telegram.start()
    graph = FakeGraphAPI(app_secret=APP_SECRET)
    environ = {
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_API_BASE": telegram.base_url,
        "TELEGRAM_WEBHOOK_URL": "https://sauti.example/webhooks/telegram",
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": graph.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": graph.phone_number_id,
        "WHATSAPP_API_BASE": await graph.start(),
        "WHATSAPP_DISPLAY_NUMBER": graph.display_number,
        "WHATSAPP_TEMPLATES_FILE": str(TEMPLATES),
        # Every request comes from one address: the per-client join limit is not fuzzed here.
        "SAUTI_WEBCHAT_JOIN_LIMIT": "1000000",
    }
    app = await build_app(test_settings(redis_url, tmp_path, **environ))
    await app.campaigns.load(EXAMPLE.read_text(encoding="utf-8"), open_now=True)
    server = TestServer(make_web_app(app), host="127.0.0.1")
    await server.start_server(**runner_options())
    stop = asyncio.Event()
    worker = asyncio.create_task(app.worker("fuzz-worker").run(stop))
    base_url = str(server.make_url("")).rstrip("/")
    try:
        # As a browser on our own pages posts (the cross-site check is not what is fuzzed here;
        # hostile Origins are sent per request and override it).
        async with ClientSession(timeout=ClientTimeout(total=30), headers=SAME_ORIGIN) as http:
            yield Sauti(app, base_url, http, graph)
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        await server.close()
        await app.close()
        await graph.close()
        await telegram.close()


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records a request should never cause: any with a traceback, any at ERROR."""
    return [
        f"{record.name} {record.levelname}: {record.getMessage()[:200]}"
        for record in caplog.records
        if record.exc_info or record.levelno >= logging.ERROR
    ]
