"""The WhatsApp channel's parts, assembled once by the composition root: its metrics, templates,
status store, and the factories of its webhook and sender client. Nothing here touches the
network."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from bot.channels.whatsapp.client import WhatsAppClient
from bot.channels.whatsapp.metrics import WhatsAppMetrics
from bot.channels.whatsapp.statuses import StatusStore
from bot.channels.whatsapp.template_file import load_templates
from bot.channels.whatsapp.templates import DECISION, PURPOSES, TemplateBook
from bot.channels.whatsapp.webhook import WhatsAppWebhook
from bot.privacy import ParticipantCrypto
from bot.runtime.ingest import Ingestor
from bot.settings.model import WhatsAppSettings
from bot.storage.keys import KeySchema

log = logging.getLogger(__name__)


@dataclass
class WhatsAppChannel:
    settings: WhatsAppSettings
    metrics: WhatsAppMetrics
    templates: TemplateBook
    statuses: StatusStore
    ingestor: Ingestor
    crypto: ParticipantCrypto
    clients: list[WhatsAppClient] = field(default_factory=list)

    def client(self) -> WhatsAppClient:
        made = WhatsAppClient(
            self.settings, templates=self.templates, statuses=self.statuses, metrics=self.metrics
        )
        self.clients.append(made)
        return made

    def webhook(self) -> WhatsAppWebhook:
        return WhatsAppWebhook(
            self.settings,
            ingestor=self.ingestor,
            statuses=self.statuses,
            metrics=self.metrics,
            crypto=self.crypto,
        )

    async def close(self) -> None:
        for made in self.clients:
            await made.close()


def build_whatsapp(
    settings: WhatsAppSettings,
    *,
    redis: Redis,
    schema: KeySchema,
    ingestor: Ingestor,
    crypto: ParticipantCrypto,
    registry: CollectorRegistry,
) -> WhatsAppChannel | None:
    """The channel when WhatsApp is configured, else None. Raises TemplateFileError when the
    templates file exists but cannot be used."""
    if not settings.enabled:
        return None
    templates = load_templates(settings.templates_file, settings.limits)
    _warn_of_gaps(templates)
    metrics = WhatsAppMetrics(registry)
    statuses = StatusStore(
        redis,
        schema,
        crypto=crypto,
        metrics=metrics,
        record_ttl_seconds=settings.status_ttl_seconds,
        body_ttl_seconds=settings.resend_window_seconds,
    )
    return WhatsAppChannel(settings, metrics, templates, statuses, ingestor, crypto)


def _warn_of_gaps(templates: TemplateBook) -> None:
    missing = [p for p in PURPOSES if p != DECISION and p not in templates.templates]
    if missing:
        log.warning(
            "no WhatsApp template for %s in %s: such messages will not be sent to anyone whose "
            "24-hour window is closed",
            ", ".join(missing),
            templates.source,
        )
    if DECISION not in templates.templates:
        log.warning(
            "no WhatsApp decision template in %s: decision notices to anyone whose 24-hour "
            "window is closed go as the notice template, without the buttons to react",
            templates.source,
        )
