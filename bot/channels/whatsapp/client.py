"""The sender's WhatsApp client: renders an outbox message, picks free-form or template by the
24-hour window, POSTs it to the Graph API and maps the answer to the DeliveryError family.

Why aiohttp's client (not pywa, not httpx): aiohttp already serves Sauti's web server, so no
second HTTP stack; sending is one JSON POST per message, and what matters is ours to control —
the distinction between a request that never left (retry) and one whose answer was lost (never
retry), Meta's error codes, and the base URL (a loopback fake in tests). pywa would add its own
models, webhook framework and a hard-coded Graph URL on top of httpx, for none of that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.channels.whatsapp.errors import GraphError, WindowClosedError, delivery_error
from bot.channels.whatsapp.metrics import WhatsAppMetrics
from bot.channels.whatsapp.render import Content, render
from bot.channels.whatsapp.statuses import StatusStore
from bot.channels.whatsapp.templates import CONTINUE, NOTICE, PURPOSES, TemplateBook
from bot.conversation.inbound import Channel
from bot.conversation.outgoing import Outgoing, Sender
from bot.runtime.delivery import (
    Recipient,
    SendLimits,
    TemporaryDeliveryError,
    UncertainDeliveryError,
    UndeliverableError,
)
from bot.settings.model import WhatsAppSettings

log = logging.getLogger(__name__)

_CLOSED_MEMORY = 10_000  # recipients WhatsApp told us have no open window (per process)


class _WirePacer:
    """Spaces this process's requests by the number's interval as they go on the wire.

    The sender's shared limiter grants slots at the right rate, but between a grant and the
    POST each message takes its own time (a Redis claim, a new connection, a busy moment of
    the event loop), so granted messages can reach WhatsApp in a bunch that its throughput
    check (error 130429) counts as a burst. Slots are reserved back to back, so a pacer fed at
    the rate never loses capacity; several sender processes stay within the shared limit."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1 / rate
        self._clock = clock
        self._next = 0.0

    async def wait(self) -> None:
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


class WhatsAppClient:
    """A ChannelClient for one business phone number."""

    def __init__(
        self,
        settings: WhatsAppSettings,
        *,
        templates: TemplateBook,
        statuses: StatusStore | None,
        metrics: WhatsAppMetrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        assert settings.access_token is not None
        assert settings.phone_number_id is not None
        self._settings = settings
        self._limits = settings.limits
        version, number = settings.graph_version, settings.phone_number_id
        self._url = f"{settings.api_base}/{version}/{number}/messages"
        self._token = settings.access_token
        self._templates = templates
        self._statuses = statuses
        self._metrics = metrics
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None  # made on first use, in the loop
        self._pacer = _WirePacer(settings.limits.global_rate)
        # participant → the last_inbound_ms WhatsApp said 131047 for: until they write again,
        # go straight to a template instead of spending a refused call per message.
        self._closed: OrderedDict[str, int | None] = OrderedDict()

    @property
    def channel(self) -> Channel:
        return Channel.WHATSAPP

    @property
    def limits(self) -> SendLimits:
        return SendLimits(
            global_rate=self._limits.global_rate,
            global_burst=self._limits.global_burst,
            per_chat_interval=self._limits.pair_interval_seconds,
            per_chat_burst=self._limits.pair_burst,
        )

    async def deliver(self, recipient: Recipient, message: Outgoing, key: str) -> str | None:
        if message.edit or message.sender is Sender.PARTICIPANT:
            return None  # WhatsApp shows people their own messages and cannot edit ours
        language = recipient.language or "en"
        if self._window_open(recipient) and not message.template_only:
            try:
                wamid = await self._post(recipient.address, render(message, self._limits, language))
            except WindowClosedError:
                self._metrics.window_closed.inc()
                self._remember_closed(recipient)
                wamid = await self._post(recipient.address, self._template(recipient, message))
        else:
            wamid = await self._post(recipient.address, self._template(recipient, message))
        if self._statuses is not None:
            await self._statuses.remember(recipient.participant_id, wamid, key, message)
        return wamid

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- the 24-hour window ----------------------------------------------------------------

    def _window_open(self, recipient: Recipient) -> bool:
        last = recipient.last_inbound_ms
        if last is None:
            return False
        if recipient.participant_id in self._closed:
            if self._closed[recipient.participant_id] == last:
                return False
            del self._closed[recipient.participant_id]  # they wrote since: try free-form
        window_ms = self._limits.service_window_seconds * 1000
        return self._clock() * 1000 < last + window_ms

    def _remember_closed(self, recipient: Recipient) -> None:
        self._closed[recipient.participant_id] = recipient.last_inbound_ms
        self._closed.move_to_end(recipient.participant_id)
        while len(self._closed) > _CLOSED_MEMORY:
            self._closed.popitem(last=False)

    def _template(self, recipient: Recipient, message: Outgoing) -> Content:
        """The approved template standing in for `message`, or UndeliverableError: outside
        the window nothing else may go out."""
        purposes = _purposes(message)
        menu = message.menu
        language = recipient.language or "en"
        resolved = self._templates.choose(purposes, language, menu)
        if resolved is None:
            # Counted under the last purpose asked for: the least template that would have done.
            self._metrics.missing_templates.labels(purposes[-1], language).inc()
            wanted = "' or '".join(purposes)
            log.warning(
                "WhatsApp window closed and no approved '%s' template for language '%s' "
                "(templates: %s): message not sent, dead-lettered; see `sauti whatsapp templates`",
                wanted,
                language,
                self._templates.source,
            )
            raise UndeliverableError(f"no approved '{wanted}' template for '{language}'")
        self._metrics.templates.labels(resolved.template.name, resolved.code).inc()
        return self._templates.content(resolved, message.text, menu)

    # -- HTTP ------------------------------------------------------------------------------

    async def _post(self, to: str, content: Content) -> str:
        request = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        request.update(content)
        session = self._open_session()
        await self._pacer.wait()
        try:
            async with session.post(self._url, json=request) as response:
                status = response.status
                answer = await _json(response)
        except aiohttp.ConnectionTimeoutError as error:
            raise TemporaryDeliveryError("WhatsApp: connection timed out") from error
        except aiohttp.ClientConnectorError as error:
            raise TemporaryDeliveryError("WhatsApp: cannot connect to the Graph API") from error
        except (TimeoutError, aiohttp.ClientError) as error:
            # The request may have reached WhatsApp: sending again could deliver it twice.
            raise UncertainDeliveryError(f"WhatsApp: no answer ({type(error).__name__})") from error
        if status == 200:
            messages = answer.get("messages") if isinstance(answer, dict) else None
            if isinstance(messages, list) and messages and "id" in messages[0]:
                return str(messages[0]["id"])
            raise UncertainDeliveryError("WhatsApp: accepted without a message id")
        refusal = _graph_error(status, answer)
        log.warning("WhatsApp refused a message: error %s (HTTP %d)", refusal.code, status)
        raise delivery_error(refusal, self._limits)

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(
                total=None,
                sock_connect=min(5.0, self._settings.send_timeout_seconds),
                sock_read=self._settings.send_timeout_seconds,
            )
            self._session = aiohttp.ClientSession(
                timeout=timeout,
                headers={"Authorization": f"Bearer {self._token.reveal()}"},
                connector=aiohttp.TCPConnector(limit=64, keepalive_timeout=30),
            )
        return self._session


async def _json(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except ValueError:
        return None


def _graph_error(status: int, answer: Any) -> GraphError:
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict):
        return GraphError(status, None, "")
    code = error.get("code")
    title = error.get("error_user_title") or error.get("type") or ""
    return GraphError(status, code if isinstance(code, int) else None, str(title)[:120])


def _purposes(message: Outgoing) -> tuple[str, ...]:
    """The template purposes that may stand in for `message`, best first. A message may name
    them (a decision notice has buttons, but no question waits: it asks for `decision`, else
    `notice`, never `continue`; bot.loop); otherwise a question or menu asks to continue and
    anything else is a notice."""
    hint = message.template
    if hint is not None:
        named = [hint.purpose, hint.fallback]
        hinted = tuple(dict.fromkeys(p for p in named if p is not None and p in PURPOSES))
        if hinted:
            return hinted
    conversational = message.prompt is not None or bool(message.menu)
    return (CONTINUE,) if conversational else (NOTICE,)
