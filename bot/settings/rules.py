"""Rules that span several settings, checked after each value parsed on its own.

Each rule names the variable the operator has to set or change, and says why: a bare
"required" invites a workaround, a reason invites the right fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from bot.settings.model import Settings, TelegramSettings, WhatsAppSettings

OFFICIAL_TELEGRAM_API = "https://api.telegram.org"


def consistency_problems(settings: Settings) -> Iterator[tuple[str, str]]:
    """(variable, message) for every cross-setting rule the settings break."""
    yield from _shared_keys(settings)
    yield from _telegram(settings.telegram)
    yield from _whatsapp(settings.whatsapp)
    yield from _dedupe(settings)
    yield from _replicas(settings)


def _shared_keys(settings: Settings) -> Iterator[tuple[str, str]]:
    if settings.embedded_redis:
        return  # a key file under the data dir will do: only one process uses it
    why = (
        "required when REDIS_URL is set: every process sharing that Redis must use the same "
        "key, so it cannot be generated per machine (make one: openssl rand -base64 32)"
    )
    if settings.master_key is None:
        yield "SAUTI_MASTER_KEY", why
    if settings.id_secret is None:
        yield "SAUTI_ID_SECRET", why


def _telegram(telegram: TelegramSettings) -> Iterator[tuple[str, str]]:
    if telegram.webhook_url is None:
        return
    if telegram.bot_token is None:
        yield "TELEGRAM_BOT_TOKEN", "required when TELEGRAM_WEBHOOK_URL is set"
    if telegram.webhook_secret is None:
        yield (
            "TELEGRAM_WEBHOOK_SECRET",
            "required when TELEGRAM_WEBHOOK_URL is set: without it anyone who finds the URL "
            "can post forged updates",
        )
    if telegram.api_base != OFFICIAL_TELEGRAM_API:
        return  # a self-hosted Bot API server delivers to any scheme and port
    parts = urlsplit(telegram.webhook_url)
    allowed = telegram.limits.webhook_ports
    if parts.scheme != "https":
        yield (
            "TELEGRAM_WEBHOOK_URL",
            "expected an https:// URL: Telegram delivers webhooks over HTTPS only",
        )
    elif (parts.port or 443) not in allowed:
        ports = ", ".join(str(port) for port in allowed)
        yield (
            "TELEGRAM_WEBHOOK_URL",
            f"expected one of the ports {ports}: Telegram delivers webhooks to no other",
        )


def _whatsapp(whatsapp: WhatsAppSettings) -> Iterator[tuple[str, str]]:
    needed = {
        "WHATSAPP_VERIFY_TOKEN": whatsapp.verify_token,
        "WHATSAPP_APP_SECRET": whatsapp.app_secret,
        "WHATSAPP_ACCESS_TOKEN": whatsapp.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": whatsapp.phone_number_id,
    }
    given = [name for name, value in needed.items() if value is not None]
    if not given:
        return
    for name, value in needed.items():
        if value is None:
            yield (
                name,
                f"required when {', '.join(given)} is set: WhatsApp needs all four "
                "(the app secret is what proves a webhook came from Meta)",
            )


def _dedupe(settings: Settings) -> Iterator[tuple[str, str]]:
    floors = []
    if settings.telegram.enabled:
        floors.append((settings.telegram.limits.update_retention_seconds, "Telegram"))
    if settings.whatsapp.enabled:
        floors.append((settings.whatsapp.limits.webhook_retry_seconds, "WhatsApp"))
    for floor, platform in floors:
        if settings.dedupe_ttl_seconds < floor:
            yield (
                "SAUTI_DEDUPE_TTL_SECONDS",
                f"expected at least {floor} while {platform} is enabled: it may deliver the "
                f"same message again that long after the first time, "
                f"got {settings.dedupe_ttl_seconds}",
            )


def _replicas(settings: Settings) -> Iterator[tuple[str, str]]:
    if not settings.runtime.ack_replicas:
        return
    if settings.embedded_redis:
        yield (
            "SAUTI_ACK_REPLICAS",
            "expected 0 with the embedded Redis: it has no replicas (set REDIS_URL to a Redis "
            "with replicas)",
        )
    elif urlsplit(settings.redis_url.reveal() if settings.redis_url else "").scheme.endswith(
        "+cluster"
    ):
        yield (
            "SAUTI_ACK_REPLICAS",
            "expected 0 with Redis Cluster: its client cannot wait on the connection that "
            "wrote the event; use a single primary with replicas, or rely on AOF",
        )
