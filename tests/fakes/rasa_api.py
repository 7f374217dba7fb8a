"""A loopback fake of a Rasa server's HTTP API (`rasa run --enable-api`), which Sauti's real
adapter (`bot.understanding.RasaReader`) talks to over HTTP.

`POST /model/parse` with `{"text": ...}` answers as Rasa 3.6 does: the text, the top `intent`
(`name`, `confidence`), `entities` and an `intent_ranking`. What it concludes is scripted per
text (`answers`); any other text gets Rasa's `nlu_fallback`. Scripted failures: a delay before
answering, an HTTP status, a body that is not JSON. `GET /` answers like Rasa's banner. Every
parse request is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

RASA_VERSION = "3.6.20"


@dataclass
class FakeRasa:
    answers: dict[str, tuple[str, float]] = field(default_factory=dict)
    delay_seconds: float = 0.0
    status: int = 200
    garbage: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self._banner)
        app.router.add_post("/model/parse", self._parse)
        return app

    async def _banner(self, _: web.Request) -> web.Response:
        return web.Response(text=f"Hello from Rasa: {RASA_VERSION}")

    async def _parse(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.status != 200:
            return web.json_response({"status": "failure", "code": self.status}, status=self.status)
        if self.garbage:
            return web.Response(text="<html>proxy error</html>", content_type="text/html")
        text = str(body["text"])
        name, confidence = self.answers.get(text, ("nlu_fallback", 0.3))
        intent = {"name": name, "confidence": confidence}
        return web.json_response(
            {
                "text": text,
                "intent": intent,
                "entities": [],
                "text_tokens": [],
                "intent_ranking": [intent],
                "response_selector": {},
            }
        )


@contextlib.asynccontextmanager
async def serving(fake: FakeRasa) -> AsyncIterator[str]:
    """The fake on a free loopback port; yields its base URL."""
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
