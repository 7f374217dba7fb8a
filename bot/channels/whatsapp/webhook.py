"""`/webhooks/whatsapp`: Meta's verification handshake (GET) and signed event batches (POST).

A POST is answered 200 only once every message in it is stored (deduplicated) in Redis and
every status applied; if Redis fails we answer 503 and Meta retries (for up to 7 days, which is
why inbound dedupe keys live that long). A malformed message or status in a batch is left out
and counted (`sauti_whatsapp_malformed`): it costs neither its neighbours nor a 200, since a
retry of the same bytes would never read better. A bad or missing signature gets 403 before
the body is even parsed, and nothing is stored. Nothing personal is logged: no numbers, no
text, no wamids.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable

from aiohttp import web

from bot.channels.json_body import UnreadableBodyError, load_json
from bot.channels.whatsapp.inbound import event_for
from bot.channels.whatsapp.metrics import WhatsAppMetrics
from bot.channels.whatsapp.payload import parse
from bot.channels.whatsapp.signature import HEADER, is_signed
from bot.channels.whatsapp.statuses import StatusStore
from bot.privacy import ParticipantCrypto
from bot.runtime.ingest import Ingestor
from bot.settings.model import WhatsAppSettings
from bot.storage.errors import STORAGE_FAILURE

log = logging.getLogger(__name__)

PATH = "/webhooks/whatsapp"


class WhatsAppWebhook:
    def __init__(
        self,
        settings: WhatsAppSettings,
        *,
        ingestor: Ingestor,
        statuses: StatusStore,
        metrics: WhatsAppMetrics,
        crypto: ParticipantCrypto,
        clock: Callable[[], float] = time.time,
    ) -> None:
        assert settings.app_secret is not None
        assert settings.verify_token is not None
        self._app_secret = settings.app_secret
        self._verify_token = settings.verify_token
        self._phone_number_id = settings.phone_number_id
        self._max_body = settings.limits.max_webhook_body_bytes
        self._ingestor = ingestor
        self._statuses = statuses
        self._metrics = metrics
        self._crypto = crypto
        self._clock = clock

    def routes(self) -> list[web.RouteDef]:
        return [web.get(PATH, self.verify), web.post(PATH, self.receive)]

    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription check: echo the challenge only to the holder of our token."""
        query = request.query
        token = query.get("hub.verify_token", "")
        expected = self._verify_token.reveal()
        if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            token.encode(), expected.encode()
        ):
            raise web.HTTPForbidden(text="verification failed")
        return web.Response(text=query.get("hub.challenge", ""))

    async def receive(self, request: web.Request) -> web.Response:
        body = await self._read(request)
        if not is_signed(body, request.headers.get(HEADER), self._app_secret.reveal()):
            self._metrics.webhooks.labels("bad_signature").inc()
            log.warning("WhatsApp webhook refused: missing or wrong %s", HEADER)
            raise web.HTTPForbidden(text="bad signature")
        try:
            data = load_json(body)
        except UnreadableBodyError as error:
            # Signed but not JSON: nothing in it can be kept, and no retry will change that.
            self._metrics.webhooks.labels("malformed").inc()
            log.warning("WhatsApp webhook with a valid signature but no JSON body (%s)", error)
            raise web.HTTPBadRequest(text="not JSON") from None
        if not isinstance(data, dict):
            self._metrics.webhooks.labels("malformed").inc()
            log.warning("WhatsApp webhook with a valid signature but no JSON object")
            raise web.HTTPBadRequest(text="not a JSON object")
        batch = parse(data, self._phone_number_id)
        for malformed in batch.malformed:  # left out; counted, never logged (numbers, texts)
            self._metrics.malformed.labels(malformed.item, malformed.field).inc()
        now_ms = int(self._clock() * 1000)
        try:
            for message in batch.messages:  # in order: one person's messages stay in order
                event = event_for(message, crypto=self._crypto, now_ms=now_ms)
                await self._ingestor.ingest(event)
            for status in batch.statuses:
                await self._statuses.apply(status)
        except STORAGE_FAILURE:
            self._metrics.webhooks.labels("unavailable").inc()
            log.exception("WhatsApp webhook not stored: Redis unavailable; Meta will retry")
            raise web.HTTPServiceUnavailable(text="try again") from None
        self._metrics.webhooks.labels("stored").inc()
        return web.Response(text="OK")

    async def _read(self, request: web.Request) -> bytes:
        """The raw body, up to WhatsApp's 3 MB (the app's own limit is far smaller)."""
        if (request.content_length or 0) > self._max_body:
            raise web.HTTPRequestEntityTooLarge(
                max_size=self._max_body, actual_size=request.content_length or 0
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self._max_body:
                raise web.HTTPRequestEntityTooLarge(max_size=self._max_body, actual_size=size)
            chunks.append(chunk)
        return b"".join(chunks)
