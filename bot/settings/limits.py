"""Platform limits as settings, defaulting to the figures the platforms publish.

Platforms change these (WhatsApp raises throughput per number, Telegram sells paid
broadcasts), so none is a literal in code: senders and renderers read them from here, and an
operator can follow a platform change with one environment variable.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import setting
from bot.settings.parsers import boolean, integer, port_list, positive_number

DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class TelegramLimits:
    """Telegram Bot API limits (core.telegram.org/bots/faq and /bots/api)."""

    global_rate: float = setting("SAUTI_TELEGRAM_GLOBAL_RATE", 30.0, positive_number)
    """Messages per second over all chats on the free tier."""
    per_chat_rate: float = setting("SAUTI_TELEGRAM_PER_CHAT_RATE", 1.0, positive_number)
    """Messages per second to one private chat; short bursts pass, then HTTP 429."""
    global_burst: int = setting("SAUTI_TELEGRAM_GLOBAL_BURST", 3, integer(1))
    """Replies that may run ahead of the global rate at once ("short bursts"); bulk never does."""
    per_chat_burst: int = setting("SAUTI_TELEGRAM_PER_CHAT_BURST", 3, integer(1))
    """Messages one chat may get at once (a reply is often an echo plus the next question)."""
    group_per_minute: int = setting("SAUTI_TELEGRAM_GROUP_PER_MINUTE", 20, integer(1))
    paid_broadcast: bool = setting("SAUTI_TELEGRAM_PAID_BROADCAST", False, boolean)
    """Send bulk with `allow_paid_broadcast` (costs Stars above the free rate)."""
    paid_broadcast_rate: float = setting(
        "SAUTI_TELEGRAM_PAID_BROADCAST_RATE", 1000.0, positive_number
    )
    max_text_chars: int = setting("SAUTI_TELEGRAM_MAX_TEXT_CHARS", 4096, integer(1))
    max_callback_data_bytes: int = setting("SAUTI_TELEGRAM_MAX_CALLBACK_DATA_BYTES", 64, integer(1))
    webhook_max_connections: int = setting(
        "SAUTI_TELEGRAM_WEBHOOK_MAX_CONNECTIONS", 40, integer(1, 100)
    )
    webhook_ports: tuple[int, ...] = setting(
        "SAUTI_TELEGRAM_WEBHOOK_PORTS", (443, 80, 88, 8443), port_list
    )
    """Ports the official Bot API server will deliver webhooks to."""
    update_retention_seconds: int = setting(
        "SAUTI_TELEGRAM_UPDATE_RETENTION_SECONDS", DAY_SECONDS, integer(1)
    )
    """How long Telegram keeps an undelivered update: the floor for dedupe keys."""
    get_updates_limit: int = setting("SAUTI_TELEGRAM_GET_UPDATES_LIMIT", 100, integer(1, 100))
    long_poll_timeout_seconds: int = setting(
        "SAUTI_TELEGRAM_LONG_POLL_TIMEOUT_SECONDS", 30, integer(1, 600)
    )
    delete_window_seconds: int = setting(
        "SAUTI_TELEGRAM_DELETE_WINDOW_SECONDS", 2 * DAY_SECONDS, integer(60)
    )
    """How old a message a bot may still delete (deleteMessage: "less than 48 hours ago")."""
    delete_batch: int = setting("SAUTI_TELEGRAM_DELETE_BATCH", 100, integer(1, 100))
    """Message ids one deleteMessages call takes (1-100)."""


@dataclass(frozen=True)
class WhatsAppLimits:
    """WhatsApp Cloud API limits (developers.facebook.com/docs/whatsapp)."""

    global_rate: float = setting("SAUTI_WHATSAPP_GLOBAL_RATE", 80.0, positive_number)
    """Messages per second per business number, inbound and outbound together."""
    global_burst: int = setting("SAUTI_WHATSAPP_GLOBAL_BURST", 4, integer(1))
    """Messages the sender may run ahead of the steady rate (Meta publishes no burst: small)."""
    pair_interval_seconds: float = setting(
        "SAUTI_WHATSAPP_PAIR_INTERVAL_SECONDS", 6.0, positive_number
    )
    """Steady pace to one recipient: one message per this many seconds."""
    pair_burst: int = setting("SAUTI_WHATSAPP_PAIR_BURST", 45, integer(1))
    """Messages to one recipient that may borrow future quota at once."""
    throughput_backoff_seconds: float = setting(
        "SAUTI_WHATSAPP_THROUGHPUT_BACKOFF_SECONDS", 1.0, positive_number
    )
    """Pause of the whole number after error 130429 (throughput reached): Meta gives no figure."""
    spam_backoff_seconds: float = setting(
        "SAUTI_WHATSAPP_SPAM_BACKOFF_SECONDS", 60.0, positive_number
    )
    """Pause of the whole number after error 131048 (spam rate limit) or an app rate limit."""
    service_window_seconds: int = setting(
        "SAUTI_WHATSAPP_SERVICE_WINDOW_SECONDS", DAY_SECONDS, integer(1)
    )
    """After a user's message, free-form replies are allowed this long; then templates only."""
    messaging_limit_24h: int = setting("SAUTI_WHATSAPP_MESSAGING_LIMIT_24H", 250, integer(1))
    """Unique users reachable outside the window per moving 24 h: your portfolio's tier."""
    webhook_retry_seconds: int = setting(
        "SAUTI_WHATSAPP_WEBHOOK_RETRY_SECONDS", 7 * DAY_SECONDS, integer(1)
    )
    """How long Meta retries an unacknowledged webhook: the floor for dedupe keys."""
    max_webhook_body_bytes: int = setting(
        "SAUTI_WHATSAPP_MAX_WEBHOOK_BODY_BYTES", 3 * 1024 * 1024, integer(1)
    )
    max_reply_buttons: int = setting("SAUTI_WHATSAPP_MAX_REPLY_BUTTONS", 3, integer(1))
    max_button_title_chars: int = setting("SAUTI_WHATSAPP_MAX_BUTTON_TITLE_CHARS", 20, integer(1))
    max_button_id_chars: int = setting("SAUTI_WHATSAPP_MAX_BUTTON_ID_CHARS", 256, integer(1))
    max_row_id_chars: int = setting("SAUTI_WHATSAPP_MAX_ROW_ID_CHARS", 200, integer(1))
    max_list_rows: int = setting("SAUTI_WHATSAPP_MAX_LIST_ROWS", 10, integer(1))
    max_list_sections: int = setting("SAUTI_WHATSAPP_MAX_LIST_SECTIONS", 10, integer(1))
    max_row_title_chars: int = setting("SAUTI_WHATSAPP_MAX_ROW_TITLE_CHARS", 24, integer(1))
    max_row_description_chars: int = setting(
        "SAUTI_WHATSAPP_MAX_ROW_DESCRIPTION_CHARS", 72, integer(1)
    )
    max_list_button_chars: int = setting("SAUTI_WHATSAPP_MAX_LIST_BUTTON_CHARS", 20, integer(1))
    max_body_chars: int = setting("SAUTI_WHATSAPP_MAX_BODY_CHARS", 1024, integer(1))
    max_header_chars: int = setting("SAUTI_WHATSAPP_MAX_HEADER_CHARS", 60, integer(1))
    max_footer_chars: int = setting("SAUTI_WHATSAPP_MAX_FOOTER_CHARS", 60, integer(1))
    max_text_chars: int = setting("SAUTI_WHATSAPP_MAX_TEXT_CHARS", 4096, integer(1))
    """Characters in a plain text message."""


@dataclass(frozen=True)
class WebChatLimits:
    """Our own web chat has no platform quota; this only keeps a flood from starving the rest."""

    global_rate: float = setting("SAUTI_WEBCHAT_GLOBAL_RATE", 1000.0, positive_number)
