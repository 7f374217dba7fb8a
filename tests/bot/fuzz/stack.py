"""Sauti with every door open (web chat, the Telegram webhook, the WhatsApp webhook) and a
worker, as `sauti run` serves them; a client that counts every answer by route; and the check
that nothing it was sent made a traceback."""

from __future__ import annotations

import contextlib
import io
import logging
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import ClientSession, ClientTimeout
from yarl import URL

from bot.app import App
from tests.fakes.telegram_limits import FakeLimits
from tests.fakes.whatsapp_api import FakeGraphAPI
from tests.kit.running import all_processed, background, base_url, built, web_server
from tests.kit.settings import deployment_settings
from tests.kit.telegram import telegram_api, telegram_environment, webhook_environment
from tests.kit.waiting import until
from tests.kit.webchat import SAME_ORIGIN
from tests.kit.whatsapp import graph_api, whatsapp_environment

_LARGE_BODY = 2**20

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
        # aiohttp warns about a raw body over 1 MiB (it would be copied on the event loop); as
        # a stream the same bytes go out, with the same Content-Length.
        data = io.BytesIO(body) if body is not None and len(body) > _LARGE_BODY else body
        async with self.http.request(
            method, url, data=data, headers=headers, allow_redirects=False
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
        await until(
            lambda: all_processed(self.app), seconds, interval=0.05, waiting_for="the worker"
        )


@contextlib.asynccontextmanager
async def running(redis_url: str, tmp_path: Path) -> AsyncIterator[Sauti]:
    async with telegram_api(FakeLimits()) as telegram, graph_api() as graph:
        environ = {
            **telegram_environment(telegram.base_url),
            **webhook_environment("https://sauti.example/webhooks/telegram"),
            **whatsapp_environment(graph),
            # Every request comes from one address: the per-client join limit is not fuzzed.
            "SAUTI_WEBCHAT_JOIN_LIMIT": "1000000",
        }
        async with (
            built(deployment_settings(redis_url, tmp_path, **environ)) as app,
            web_server(app) as server,
            background(app.worker("fuzz-worker")),
            # As a browser on our own pages posts (the cross-site check is not what is fuzzed
            # here; hostile Origins are sent per request and override it).
            ClientSession(timeout=ClientTimeout(total=30), headers=SAME_ORIGIN) as http,
        ):
            yield Sauti(app, base_url(server), http, graph)


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records a request should never cause: any with a traceback, any at ERROR."""
    return [
        f"{record.name} {record.levelname}: {record.getMessage()[:200]}"
        for record in caplog.records
        if record.exc_info or record.levelno >= logging.ERROR
    ]
