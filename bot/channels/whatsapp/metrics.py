"""The WhatsApp channel's own Prometheus metrics, on the app's registry (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class WhatsAppMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.webhooks = Counter(
            "sauti_whatsapp_webhooks",
            "Webhook calls by outcome (stored, bad_signature, malformed: not a JSON object, "
            "unavailable)",
            ["outcome"],
            registry=registry,
        )
        self.malformed = Counter(
            "sauti_whatsapp_malformed",
            "Messages and statuses in signed webhooks with a field Sauti cannot read, by item "
            "and field; left out (their neighbours are stored), except an unreadable timestamp "
            "(the time it arrived is used) or error code (read as none)",
            ["item", "field"],
            registry=registry,
        )
        self.statuses = Counter(
            "sauti_whatsapp_statuses",
            "Status webhooks by status and outcome (applied; stale: older than one already "
            "seen; unmatched: a message not (or no longer) known)",
            ["status", "outcome"],
            registry=registry,
        )
        self.failed = Counter(
            "sauti_whatsapp_failed_statuses",
            "Messages WhatsApp accepted and then failed to deliver, by error code",
            ["code"],
            registry=registry,
        )
        self.resent = Counter(
            "sauti_whatsapp_resent", "Failed messages queued again", ["reason"], registry=registry
        )
        self.templates = Counter(
            "sauti_whatsapp_template_sends",
            "Messages sent as a template because the 24-hour window was closed",
            ["template", "language"],
            registry=registry,
        )
        self.missing_templates = Counter(
            "sauti_whatsapp_templates_missing",
            "Messages not sent: the window was closed and no approved template fits the language",
            ["template", "language"],
            registry=registry,
        )
        self.window_closed = Counter(
            "sauti_whatsapp_window_closed",
            "Sends WhatsApp refused with 131047 (window closed), answered with a template",
            registry=registry,
        )
