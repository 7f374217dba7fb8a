"""The settings object: frozen, typed, grouped the way the composition root hands them out.

Every field names its environment variable; its TOML key is its place in this tree
(`telegram.limits.global_rate` lives in table `[telegram.limits]`). Defaults make
`Settings()` a working single-machine setup, which is also what tests start from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.secret import Secret
from bot.settings import parsers as p
from bot.settings.erasure import ErasureSettings
from bot.settings.fields import section, setting
from bot.settings.limits import TelegramLimits, WebChatLimits, WhatsAppLimits
from bot.settings.loop import LoopSettings
from bot.settings.panels import PanelSettings
from bot.settings.privacy import PrivacySettings
from nlu.intent import DEFAULT_THRESHOLD

AnySecret = Secret[str] | Secret[bytes]


@dataclass(frozen=True)
class HttpSettings:
    host: str = setting("SAUTI_HTTP_HOST", "127.0.0.1", p.host)
    port: int = setting("SAUTI_HTTP_PORT", 8080, p.integer(1, 65535))
    public_url: str | None = setting("SAUTI_PUBLIC_URL", None, p.http_url)
    """Where participants reach this server; web chat links are built from it."""
    trusted_proxies: tuple[p.Network, ...] = setting("SAUTI_TRUSTED_PROXIES", (), p.networks)
    """Reverse proxies whose X-Forwarded-For is believed; from anyone else it is ignored."""

    @property
    def base_url(self) -> str:
        """The public URL, or this server's own address when none is set (local use)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


@dataclass(frozen=True)
class TelegramSettings:
    bot_token: Secret[str] | None = setting(
        "TELEGRAM_BOT_TOKEN", None, p.telegram_bot_token, secret=True
    )
    webhook_url: str | None = setting("TELEGRAM_WEBHOOK_URL", None, p.http_url)
    """Set: receive updates by webhook. Unset: long polling."""
    webhook_secret: Secret[str] | None = setting(
        "TELEGRAM_WEBHOOK_SECRET", None, p.telegram_webhook_secret, secret=True
    )
    api_base: str = setting("TELEGRAM_API_BASE", "https://api.telegram.org", p.http_url)
    request_timeout_seconds: float = setting(
        "SAUTI_TELEGRAM_REQUEST_TIMEOUT_SECONDS", 10.0, p.positive_number
    )
    """How long one Bot API call may take (long polling adds its own wait to this)."""
    question_memory_seconds: int = setting(
        "SAUTI_TELEGRAM_QUESTION_MEMORY_SECONDS", 14 * 86400, p.integer(60)
    )
    """How long Sauti remembers which chat message shows a question, to edit it after the
    answer; after that an old question keeps its buttons (a press on them is answered as stale)."""
    history_messages: int = setting("SAUTI_TELEGRAM_HISTORY_MESSAGES", 300, p.integer(1))
    """How many recent message ids of a chat Sauti keeps (both sides), so that a quick exit can
    delete them; older ones than Telegram lets a bot delete are dropped anyway."""
    limits: TelegramLimits = section(TelegramLimits)

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None


@dataclass(frozen=True)
class WhatsAppSettings:
    verify_token: Secret[str] | None = setting("WHATSAPP_VERIFY_TOKEN", None, p.token, secret=True)
    app_secret: Secret[str] | None = setting("WHATSAPP_APP_SECRET", None, p.token, secret=True)
    access_token: Secret[str] | None = setting("WHATSAPP_ACCESS_TOKEN", None, p.token, secret=True)
    phone_number_id: str | None = setting("WHATSAPP_PHONE_NUMBER_ID", None, p.digits)
    api_base: str = setting("WHATSAPP_API_BASE", "https://graph.facebook.com", p.graph_api_base)
    graph_version: str = setting("WHATSAPP_GRAPH_VERSION", "v26.0", p.graph_version)
    """Meta retires each Graph API version about two years after the next one comes out: move
    this before then (Meta's changelog lists the dates)."""
    display_number: str | None = setting("WHATSAPP_DISPLAY_NUMBER", None, p.digits)
    """The business number as people dial it, country code first, digits only: wa.me links."""
    templates_file: Path = setting(
        "WHATSAPP_TEMPLATES_FILE", Path("config/whatsapp_templates.toml"), p.path
    )
    """Approved message templates per language: the only messages allowed outside the window."""
    send_timeout_seconds: float = setting(
        "SAUTI_WHATSAPP_SEND_TIMEOUT_SECONDS", 10.0, p.positive_number
    )
    """How long to wait for the Graph API's answer; after that a message may or may not be out."""
    status_ttl_seconds: int = setting("SAUTI_WHATSAPP_STATUS_TTL_SECONDS", 3 * 86400, p.integer(1))
    """How long a sent message's id is kept to match its sent/delivered/read/failed webhooks."""
    resend_window_seconds: int = setting("SAUTI_WHATSAPP_RESEND_WINDOW_SECONDS", 300, p.integer(0))
    """How long a sent message's body is kept (sealed) to send it again if a `failed` status
    says a retry can help; 0 keeps none. Failures mostly arrive within seconds."""
    limits: WhatsAppLimits = section(WhatsAppLimits)

    @property
    def enabled(self) -> bool:
        return self.access_token is not None


@dataclass(frozen=True)
class WebChatSettings:
    join_limit: int = setting("SAUTI_WEBCHAT_JOIN_LIMIT", 30, p.integer(1))
    """Joins (new participants) one client address may make per window. Generous: on mobile
    networks many people share one address (carrier-grade NAT)."""
    join_window_seconds: int = setting("SAUTI_WEBCHAT_JOIN_WINDOW_SECONDS", 600, p.integer(1))
    recovery_days: int = setting("SAUTI_WEBCHAT_RECOVERY_DAYS", 180, p.integer(1))
    """How long a recovery code (for a lost private link) stays usable."""
    exit_url: str | None = setting("SAUTI_WEBCHAT_EXIT_URL", None, p.http_url)
    """Where a quick exit sends the browser. Unset: a plain page Sauti serves itself (`/away`)
    that shows nothing of Sauti or any survey."""
    page_title: str = setting("SAUTI_WEBCHAT_PAGE_TITLE", "Chat", p.page_title)
    """The title every participant page gives the browser (its tab, and its history): a plain
    word that names no survey and no organisation."""
    limits: WebChatLimits = section(WebChatLimits)


@dataclass(frozen=True)
class ApiSettings:
    """The JSON API (`/api/v1`) and its tokens."""

    rate: float = setting("SAUTI_API_RATE", 10.0, p.positive_number)
    """Requests per second one API token may make, on average."""
    burst: int = setting("SAUTI_API_BURST", 20, p.integer(1, 10_000))
    """Requests a token may make at once, above the rate, before it is answered 429."""
    token_days: int = setting("SAUTI_API_TOKEN_DAYS", 90, p.integer(1, 365))
    """How long a new token lasts when `sauti token create` is given no --expires."""
    events_seconds: int = setting("SAUTI_API_EVENTS_SECONDS", 300, p.integer(1, 3600))
    """How long one live stream (server-sent events) stays open; a browser then opens it again
    by itself, and the caller's permission is checked again."""
    events_per_caller: int = setting("SAUTI_API_EVENTS_PER_CALLER", 4, p.integer(1, 100))
    """Live streams one caller (a token, a signed-in person) may hold open at once, per web
    process; one more is answered 429."""


@dataclass(frozen=True)
class MetricsSettings:
    token: Secret[str] | None = setting("SAUTI_METRICS_TOKEN", None, p.token, secret=True)
    """Set: /metrics answers only `Authorization: Bearer <token>`. Unset: anyone who can reach
    the port can read it."""
    host: str = setting("SAUTI_METRICS_HOST", "127.0.0.1", p.host)
    """Where processes without the web role serve /metrics."""
    worker_port: int = setting("SAUTI_METRICS_WORKER_PORT", 9471, p.integer(0, 65535))
    sender_port: int = setting("SAUTI_METRICS_SENDER_PORT", 9472, p.integer(0, 65535))
    publisher_port: int = setting("SAUTI_METRICS_PUBLISHER_PORT", 9473, p.integer(0, 65535))
    telegram_port: int = setting("SAUTI_METRICS_TELEGRAM_PORT", 9474, p.integer(0, 65535))

    def port_for(self, roles: Collection[str]) -> tuple[str, int] | None:
        """The role whose port a process without the web role serves /metrics on (the first
        of `roles`, in this order, with a port), and that port; None: no metrics server."""
        ports = {
            "worker": self.worker_port,
            "sender": self.sender_port,
            "publisher": self.publisher_port,
            "telegram": self.telegram_port,
        }
        for role, port in ports.items():
            if role in roles and port:
                return role, port
        return None


@dataclass(frozen=True)
class RuntimeSettings:
    key_prefix: str = setting("SAUTI_KEY_PREFIX", "sauti", p.key_prefix)
    """Starts every Redis key, so several deployments can share one Redis."""
    shards: int = setting("SAUTI_SHARDS", 16, p.integer(1, 1024))
    """Participants are spread over this many shards; fixed once data exists (it places keys)."""
    worker_batch: int = setting("SAUTI_WORKER_BATCH", 200, p.integer(1, 10_000))
    """Inbound events a worker reads and commits per round trip."""
    max_attempts: int = setting("SAUTI_MAX_ATTEMPTS", 5, p.integer(1, 100))
    """Failures before an event is moved to the dead-letter stream."""
    ack_replicas: int = setting("SAUTI_ACK_REPLICAS", 0, p.integer(0, 16))
    """Replicas that must hold an inbound event before the platform is told it arrived
    (Redis WAIT). 0: acknowledged once the primary holds it (docs/redis.md)."""
    ack_replica_timeout_ms: int = setting("SAUTI_ACK_REPLICA_TIMEOUT_MS", 1000, p.integer(1))
    """How long to wait for them; fewer in time: the platform is answered 503 and retries."""


@dataclass(frozen=True)
class NluSettings:
    """Reading free text (docs/nlu.md)."""

    threshold: float = setting("SAUTI_NLU_THRESHOLD", DEFAULT_THRESHOLD, p.confidence)
    """Below this confidence a typed message is not taken for a command: it goes on as it is,
    and the person is shown the choices again. A safety concern counts from a lower one."""
    rasa_url: str | None = setting("SAUTI_RASA_URL", None, p.http_url)
    """A Rasa server trained on `sauti nlu export` (`rasa run --enable-api`). Unset: the
    embedded model reads every message."""
    rasa_timeout_seconds: float = setting("SAUTI_RASA_TIMEOUT_SECONDS", 0.5, p.positive_number)
    """How long a turn waits for the Rasa server before the embedded model reads instead."""


# -- staff sign-in (issue 14) ---------------------------------------------------------------
@dataclass(frozen=True)
class StaffSettings:
    idle_timeout_seconds: int = setting("SAUTI_STAFF_IDLE_TIMEOUT_SECONDS", 1800, p.integer(1))
    """A staff member's browser session ends after this long without a request."""
    absolute_timeout_seconds: int = setting(
        "SAUTI_STAFF_ABSOLUTE_TIMEOUT_SECONDS", 12 * 3600, p.integer(1)
    )
    """...and this long after signing in, however busy (a working day)."""
    setup_link_seconds: int = setting("SAUTI_STAFF_SETUP_LINK_SECONDS", 72 * 3600, p.integer(60))
    """How long a setup link from `sauti staff add` or `sauti staff reset` works (once)."""
    account_failures: int = setting("SAUTI_STAFF_ACCOUNT_FAILURES", 5, p.integer(1))
    """Failed sign-ins for one e-mail address per window before it is locked until the window
    ends (even with the right password)."""
    address_failures: int = setting("SAUTI_STAFF_ADDRESS_FAILURES", 20, p.integer(1))
    """Failed sign-ins from one client address per window before it is refused."""
    failure_window_seconds: int = setting("SAUTI_STAFF_FAILURE_WINDOW_SECONDS", 900, p.integer(1))
    password_time_cost: int = setting("SAUTI_STAFF_PASSWORD_TIME_COST", 3, p.integer(1, 20))
    """Argon2id passes over memory (docs/benchmarks.md, "Sign-in cost"). Changing these
    rehashes each password at its owner's next sign-in."""
    password_memory_kib: int = setting(
        "SAUTI_STAFF_PASSWORD_MEMORY_KIB", 64 * 1024, p.integer(8, 4 * 1024 * 1024)
    )
    password_parallelism: int = setting("SAUTI_STAFF_PASSWORD_PARALLELISM", 1, p.integer(1, 16))


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read once at start-up by `read_settings`
    (bot.settings.loader, which builds it: the model never calls back into its loader)."""

    redis_url: Secret[str] | None = setting("REDIS_URL", None, p.redis_url, secret=True)
    """Unset: run the embedded Redis under `data_dir`. It may hold a password: a secret."""
    data_dir: Path = setting("SAUTI_DATA_DIR", Path("var"), p.path)
    keys_dir: Path | None = setting("SAUTI_KEYS_DIR", None, p.path)
    """Where generated key files live (embedded mode). Unset: `data_dir/keys`. Set it to a
    place the data's backups do not reach: a key beside the data it protects protects
    nothing once both are copied together."""
    master_key: Secret[bytes] | None = setting("SAUTI_MASTER_KEY", None, p.key32, secret=True)
    """Wraps every participant's data key. Unset with embedded Redis: a key file is made."""
    id_secret: Secret[bytes] | None = setting("SAUTI_ID_SECRET", None, p.key32, secret=True)
    """Keys the HMAC that turns platform user ids into participant ids."""
    log_level: str = setting("SAUTI_LOG_LEVEL", "INFO", p.log_level)
    dedupe_ttl_seconds: int = setting("SAUTI_DEDUPE_TTL_SECONDS", 7 * 86400, p.integer(1))
    """How long a platform message id is remembered; must outlast every platform's retries."""
    http: HttpSettings = section(HttpSettings)
    telegram: TelegramSettings = section(TelegramSettings)
    whatsapp: WhatsAppSettings = section(WhatsAppSettings)
    webchat: WebChatSettings = section(WebChatSettings)
    metrics: MetricsSettings = section(MetricsSettings)
    runtime: RuntimeSettings = section(RuntimeSettings)
    loop: LoopSettings = section(LoopSettings)
    panels: PanelSettings = section(PanelSettings)
    privacy: PrivacySettings = section(PrivacySettings)
    staff: StaffSettings = section(StaffSettings)
    api: ApiSettings = section(ApiSettings)
    erasure: ErasureSettings = section(ErasureSettings)
    nlu: NluSettings = section(NluSettings)

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def key_dir(self) -> Path:
        """Where generated key files live when no key is configured (embedded mode only)."""
        return self.keys_dir if self.keys_dir is not None else self.data_dir / "keys"

    @property
    def master_key_path(self) -> Path:
        return self.key_dir / "master.key"

    @property
    def id_secret_path(self) -> Path:
        return self.key_dir / "participant-id.key"

    def secrets(self) -> tuple[AnySecret, ...]:
        """Every configured secret (still wrapped), for log redaction.

        Includes the Redis password on its own, since a driver error may quote just that.
        """
        found = list(_secrets_in(self))
        if self.redis_url is not None:
            password = urlsplit(self.redis_url.reveal()).password
            if password:
                found.append(Secret(password))
        return tuple(found)


def _secrets_in(node: object) -> Iterator[AnySecret]:
    for item in fields(node):  # type: ignore[arg-type]
        value = getattr(node, item.name)
        if isinstance(value, Secret):
            yield value
        elif is_dataclass(value):
            yield from _secrets_in(value)
