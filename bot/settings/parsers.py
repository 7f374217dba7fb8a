"""Parsers from raw setting values to typed ones.

A raw value is a string from the environment or whatever TOML holds (str, int, float, bool,
list). Each parser accepts both spellings where they make sense (`"8080"` and `8080`) and
raises `InvalidValueError` with a message of the form "expected …, got …". Parsers of secrets
describe what was wrong (length, alphabet) without ever quoting the value.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from bot.secret import Secret
from bot.settings.fields import InvalidValueError, Parser

KEY_BYTES = 32
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_BOT_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_GRAPH_VERSION = re.compile(r"v[0-9]+\.[0-9]+")
_REDIS_SCHEMES = ("redis", "rediss", "unix", "redis+cluster", "rediss+cluster")


def _got(raw: object) -> str:
    return f"got {raw!r}"


def _text(raw: object, expected: str) -> str:
    if not isinstance(raw, str):
        raise InvalidValueError(f"expected {expected}, {_got(raw)}")
    return raw


def page_title(raw: object) -> str:
    """A browser tab's title: one line of plain text, 1-60 characters."""
    text = _text(raw, "a title").strip()
    if not 1 <= len(text) <= 60 or any(c in text for c in "\r\n<>"):
        raise InvalidValueError(
            f"expected one line of 1-60 characters, without < or >, {_got(raw)}"
        )
    return text


def integer(low: int, high: int | None = None) -> Parser[int]:
    expected = (
        f"an integer from {low} to {high}" if high is not None else f"an integer of at least {low}"
    )

    def parse(raw: object) -> int:
        value: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str) and re.fullmatch(r"[+-]?[0-9]+", raw):
            value = int(raw)
        if value is None or value < low or (high is not None and value > high):
            raise InvalidValueError(f"expected {expected}, {_got(raw)}")
        return value

    return parse


def positive_number(raw: object) -> float:
    """A rate or interval: a finite number above zero."""
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw)
        except ValueError:
            value = None
    if value is None or not 0 < value < float("inf"):
        raise InvalidValueError(f"expected a number greater than 0, {_got(raw)}")
    return value


def confidence(raw: object) -> float:
    """A model's confidence threshold: a number above 0 and at most 1."""
    value = positive_number(raw) if raw not in ("", None) else 0.0
    if not 0 < value <= 1:
        raise InvalidValueError(f"expected a number above 0 and at most 1, {_got(raw)}")
    return value


def boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in _TRUE | _FALSE:
        return raw.lower() in _TRUE
    raise InvalidValueError(f"expected true or false, {_got(raw)}")


def port_list(raw: object) -> tuple[int, ...]:
    """Ports as a TOML array or a comma-separated string (`443,80,88,8443`)."""
    items: Iterable[object]
    if isinstance(raw, str):
        items = [item.strip() for item in raw.split(",")]
    elif isinstance(raw, list):
        items = raw
    else:
        raise InvalidValueError(f"expected a list of ports, {_got(raw)}")
    port = integer(1, 65535)
    try:
        ports = tuple(port(item) for item in items)
    except InvalidValueError:
        raise InvalidValueError(f"expected a list of ports from 1 to 65535, {_got(raw)}") from None
    if not ports:
        raise InvalidValueError(f"expected at least one port, {_got(raw)}")
    return ports


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(raw: object) -> tuple[Network, ...]:
    """Addresses or networks as a TOML array or a comma-separated string
    (`10.0.0.5, 192.168.0.0/24, ::1`); empty means none."""
    items: Iterable[object]
    if isinstance(raw, str):
        items = [item.strip() for item in raw.split(",") if item.strip()]
    elif isinstance(raw, list):
        items = raw
    else:
        raise InvalidValueError(f"expected a list of IP addresses or networks, {_got(raw)}")
    try:
        return tuple(ipaddress.ip_network(str(item), strict=False) for item in items)
    except ValueError:
        expected = "a list of IP addresses or networks (10.0.0.5, 10.0.0.0/8, ::1)"
        raise InvalidValueError(f"expected {expected}, {_got(raw)}") from None


def key_prefix(raw: object) -> str:
    text = _text(raw, "a key prefix")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", text):
        raise InvalidValueError(f"expected 1-32 letters, digits, _ or -, {_got(raw)}")
    return text


def log_level(raw: object) -> str:
    expected = "one of " + ", ".join(LOG_LEVELS)
    level = _text(raw, expected).upper()
    if level not in LOG_LEVELS:
        raise InvalidValueError(f"expected {expected}, {_got(raw)}")
    return level


def path(raw: object) -> Path:
    return Path(_text(raw, "a path"))


def host(raw: object) -> str:
    text = _text(raw, "a host name or IP address")
    if re.search(r"\s|/", text):
        raise InvalidValueError(f"expected a host name or IP address, {_got(raw)}")
    return text


def digits(raw: object) -> str:
    """An id that platforms print as a number but that we never do arithmetic on."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return str(raw)
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        return raw
    raise InvalidValueError(f"expected digits only, {_got(raw)}")


def http_url(raw: object) -> str:
    """An absolute http(s) URL, without a trailing slash so paths can be appended."""
    expected = "an http:// or https:// URL with a host"
    text = _text(raw, expected)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", text):
        raise InvalidValueError(f"expected {expected}, {_got(raw)}")
    try:
        parts.port  # noqa: B018 - validates the port number
    except ValueError:
        raise InvalidValueError(f"expected {expected} and a valid port, {_got(raw)}") from None
    return text.rstrip("/")


def graph_api_base(raw: object) -> str:
    """The Graph API's address without a version: the version is a setting of its own."""
    url = http_url(raw)
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    if _GRAPH_VERSION.fullmatch(last):
        raise InvalidValueError(
            f"expected the address without a version (it is WHATSAPP_GRAPH_VERSION), {_got(raw)}"
        )
    return url


def graph_version(raw: object) -> str:
    expected = "a Graph API version such as v23.0"
    if not _GRAPH_VERSION.fullmatch(_text(raw, expected)):
        raise InvalidValueError(f"expected {expected}, {_got(raw)}")
    return str(raw)


# --- secrets: messages describe the problem, never the value ---------------------------------


def _secret_text(raw: object, expected: str) -> str:
    if not isinstance(raw, str):
        raise InvalidValueError(f"expected {expected}, got a {type(raw).__name__}")
    return raw


def redis_url(raw: object) -> Secret[str]:
    """The URL may carry a password, so it is kept as a secret; only its scheme is quoted."""
    expected = "a redis://, rediss:// or unix:// URL (redis+cluster:// for a Redis Cluster)"
    text = _secret_text(raw, expected)
    parts = urlsplit(text)
    if parts.scheme not in _REDIS_SCHEMES:
        raise InvalidValueError(f"expected {expected}, got a URL with scheme {parts.scheme!r}")
    if parts.scheme != "unix" and not parts.hostname:
        raise InvalidValueError(f"expected {expected}, got a URL without a host")
    if parts.scheme.endswith("+cluster") and parts.path.strip("/") not in ("", "0"):
        raise InvalidValueError("a Redis Cluster has only database 0: drop the path of the URL")
    return Secret(text)


def key32(raw: object) -> Secret[bytes]:
    """32 random bytes in standard base64, as printed by `openssl rand -base64 32`."""
    expected = f"base64 of exactly {KEY_BYTES} random bytes (make one: openssl rand -base64 32)"
    text = _secret_text(raw, expected)
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidValueError(f"expected {expected}, got text that is not base64") from None
    if len(key) != KEY_BYTES:
        raise InvalidValueError(f"expected {expected}, got {len(key)} bytes")
    return Secret(key)


def token(raw: object) -> Secret[str]:
    """An opaque credential issued by a platform: one word, no spaces or control characters."""
    expected = "a token without spaces"
    text = _secret_text(raw, expected)
    if not text.isprintable() or re.search(r"\s", text):
        raise InvalidValueError(f"expected {expected}, got one with spaces or control characters")
    return Secret(text)


def telegram_bot_token(raw: object) -> Secret[str]:
    expected = "a bot token of the form <digits>:<letters, digits, _ or -> from @BotFather"
    if not _BOT_TOKEN.fullmatch(_secret_text(raw, expected)):
        raise InvalidValueError(f"expected {expected}, got something else")
    return Secret(str(raw))


def telegram_webhook_secret(raw: object) -> Secret[str]:
    """Telegram accepts 1-256 characters of A-Z a-z 0-9 _ - as `secret_token`."""
    expected = "1 to 256 characters of A-Z a-z 0-9 _ -"
    text = _secret_text(raw, expected)
    if len(text) > 256:
        raise InvalidValueError(f"expected {expected}, got {len(text)} characters")
    if not _WEBHOOK_SECRET.fullmatch(text):
        raise InvalidValueError(f"expected {expected}, got a character outside that set")
    return Secret(text)


def master_keys(raw: object) -> Secret[str]:
    """Older master keys, still needed to open what they wrapped: `<id>:<base64 key>` pairs
    separated by commas (`0:AbC...=,1:dEf...=`), ids 0 to 255, each once."""
    expected = "comma-separated <id>:<base64 of 32 bytes> pairs, ids 0 to 255, each once"
    text = _secret_text(raw, expected)
    split_master_keys(text, expected)
    return Secret(text.strip())


def split_master_keys(text: str, expected: str = "<id>:<key> pairs") -> list[tuple[int, bytes]]:
    """`master_keys`' text as (id, key) pairs; InvalidValueError naming what is wrong."""
    pairs: list[tuple[int, bytes]] = []
    for number, part in enumerate(filter(None, (p.strip() for p in text.split(","))), 1):
        key_id, colon, encoded = part.partition(":")
        if not colon or not re.fullmatch(r"[0-9]{1,3}", key_id) or int(key_id) > 255:
            raise InvalidValueError(f"expected {expected}, got no valid id in pair {number}")
        if int(key_id) in dict(pairs):
            raise InvalidValueError(f"expected {expected}, got id {int(key_id)} twice")
        pairs.append((int(key_id), key32(encoded).reveal()))
    return pairs
