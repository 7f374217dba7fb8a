"""Where an `Intent` comes from: the embedded model in-process, or a Rasa server's
`/model/parse` (HTTP: this is why the adapter lives in the shell and not in `nlu/`)."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from prometheus_client import CollectorRegistry, Counter

from bot.conversation.campaign import Campaign
from bot.conversation.inbound import InboundEvent
from bot.conversation.participants import ParticipantRecord
from bot.conversation.understood import Understood, apply_intent, typed_text
from dialogues import Session
from nlu import NONE, Intent
from nlu.intent import INTENT_NAMES

if TYPE_CHECKING:  # scikit-learn loads in seconds: only where the model is trained
    from nlu.embedded import EmbeddedClassifier

log = logging.getLogger(__name__)


class MessageReader(Protocol):
    """What the worker asks about one typed message."""

    async def read(self, text: str, language: str) -> Intent: ...

    async def close(self) -> None: ...


class _SharedModel:
    """The embedded model, trained once per process however many apps and workers ask."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.trained: EmbeddedClassifier | None = None

    def get(self) -> EmbeddedClassifier:
        with self._lock:  # a second caller waits for the first training, not a second one
            if self.trained is None:
                from nlu.embedded import train_embedded

                self.trained = train_embedded()
            return self.trained


_SHARED = _SharedModel()


def shared_model() -> EmbeddedClassifier:
    """The embedded model (trained on first use: about a second on an idle core)."""
    return _SHARED.get()


# How long a message waits for a model still training (at start-up) before it goes on unread,
# as it would have before Sauti read messages: keywords still work, and no turn is held up.
READY_WAIT_SECONDS = 1.0  # the web chat waits 3 s for a commit: this leaves it room


class EmbeddedReader:
    """The default: the embedded model, in-process (a tenth of a millisecond a message). It
    trains in a thread from `start_training` (at start-up), so the event loop, and the web
    server sharing it, never stop for it; a message read before it is ready waits for it, up
    to READY_WAIT_SECONDS."""

    def __init__(self, model: EmbeddedClassifier | None = None) -> None:
        self._model = model

    def start_training(self) -> None:
        if self._model is None and _SHARED.trained is None:
            threading.Thread(target=_SHARED.get, name="nlu-training", daemon=True).start()

    async def read(self, text: str, language: str) -> Intent:
        model = self._model or _SHARED.trained
        if model is None:
            training = asyncio.shield(asyncio.to_thread(_SHARED.get))
            try:
                model = await asyncio.wait_for(training, READY_WAIT_SECONDS)
            except TimeoutError:
                log.info("the model is still training: a typed message goes on unread")
                return Intent(NONE, 0.0)
        return model.classify(text, language)

    async def close(self) -> None:
        return None


class RasaReader:
    """A Rasa server (`rasa run --enable-api`, trained on `sauti nlu export`): its answer
    within `timeout_seconds`, else the embedded model's. A participant's turn never waits
    longer than that, and never fails because the server is down or says nonsense."""

    def __init__(
        self,
        url: str,
        *,
        timeout_seconds: float,
        fallback: EmbeddedReader,
        registry: CollectorRegistry,
    ) -> None:
        self._endpoint = url.rstrip("/") + "/model/parse"
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._fallback = fallback
        self._session: aiohttp.ClientSession | None = None
        self.fallbacks = Counter(
            "sauti_nlu_fallbacks",
            "Messages the Rasa server did not read in time (or at all): read by the embedded model",
            registry=registry,
        )

    async def read(self, text: str, language: str) -> Intent:
        try:
            return await self._parse(text)
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
            # The message itself is never logged: it is a participant's words.
            log.warning(
                "Rasa server unavailable (%s): the embedded model reads", type(error).__name__
            )
            self.fallbacks.inc()
            return await self._fallback.read(text, language)

    async def _parse(self, text: str) -> Intent:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        async with self._session.post(self._endpoint, json={"text": text}) as response:
            response.raise_for_status()
            body: Any = await response.json(content_type=None)
        intent = body["intent"]
        name, confidence = str(intent["name"]), float(intent["confidence"])
        if not 0.0 <= confidence <= 1.0:
            raise ValueError("confidence out of range")
        # An intent Sauti does not know (Rasa's "nlu_fallback", a team's own) is no command.
        return Intent(name if name in INTENT_NAMES else NONE, confidence)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def read_within(reader: MessageReader, text: str, language: str) -> Intent:
    """`reader.read`, for callers that must not be stopped by a reader's bug: an unexpected
    error reads as "not understood" (the message goes on as it is)."""
    try:
        return await reader.read(text, language)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("reading a message failed: taken as it is")
        return Intent(NONE, 0.0)


async def understand(
    reader: MessageReader | None,
    event: InboundEvent,
    *,
    participant: ParticipantRecord | None,
    campaign: Campaign | None,
    session: Session | None,
    threshold: float,
) -> Understood:
    """The event as its turn should take it, once `reader` has read its typed text (only a
    typed message no keyword matched is read; None: nothing is read)."""
    text = typed_text(event)
    if reader is None or text is None:
        return Understood(event)
    language = participant.language if participant is not None else (event.locale or "")
    intent = await read_within(reader, text, language)
    return apply_intent(
        event,
        intent,
        participant=participant,
        campaign=campaign,
        session=session,
        threshold=threshold,
    )
