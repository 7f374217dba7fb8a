"""Settings from the environment: defaults, overrides, every problem at once, masked secrets."""

from __future__ import annotations

import base64
import dataclasses
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from bot.secret import Secret
from bot.settings import Settings, SettingsError, read_settings
from bot.settings.fields import leaves

MASTER_KEY = base64.b64encode(b"M" * 32).decode()
ID_SECRET = base64.b64encode(b"I" * 32).decode()
BOT_TOKEN = "123456:test-bot-token_for-tests-only"
WEBHOOK_SECRET = "webhook-secret_for-tests"
WHATSAPP = {
    "WHATSAPP_VERIFY_TOKEN": "verify-token-for-tests",
    "WHATSAPP_APP_SECRET": "app-secret-for-tests",
    "WHATSAPP_ACCESS_TOKEN": "access-token-for-tests",
    "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
}


@pytest.fixture(autouse=True)
def _away_from_any_local_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own config/sauti.toml must not leak into these tests.
    monkeypatch.chdir(tmp_path)


def problems(environ: Mapping[str, str], config_path: Path | None = None) -> tuple[str, ...]:
    with pytest.raises(SettingsError) as caught:
        read_settings(environ, config_path=config_path)
    return caught.value.problems


def test_defaults_give_a_working_single_machine_setup() -> None:
    settings = read_settings({})
    assert settings == Settings()
    assert settings.embedded_redis
    assert settings.data_dir == Path("var")
    assert (settings.http.host, settings.http.port) == ("127.0.0.1", 8080)
    assert settings.http.public_url is None
    assert settings.http.base_url == "http://127.0.0.1:8080"  # the server's own address
    assert settings.log_level == "INFO"
    assert settings.telegram.api_base == "https://api.telegram.org"
    assert settings.whatsapp.api_base == "https://graph.facebook.com"
    assert settings.whatsapp.graph_version == "v26.0"  # v21.0 is retired on 2027-01-21
    assert not settings.telegram.enabled
    assert not settings.whatsapp.enabled


def test_platform_limits_default_to_the_published_figures() -> None:
    settings = Settings()
    telegram, whatsapp = settings.telegram.limits, settings.whatsapp.limits
    assert (telegram.global_rate, telegram.per_chat_rate, telegram.group_per_minute) == (30, 1, 20)
    assert telegram.paid_broadcast is False
    assert (telegram.max_text_chars, telegram.max_callback_data_bytes) == (4096, 64)
    assert (whatsapp.global_rate, whatsapp.pair_interval_seconds, whatsapp.pair_burst) == (
        80,
        6,
        45,
    )
    assert (whatsapp.max_reply_buttons, whatsapp.max_list_rows, whatsapp.max_body_chars) == (
        3,
        10,
        1024,
    )
    assert settings.dedupe_ttl_seconds == 7 * 24 * 3600
    assert settings.webchat.limits.global_rate >= 100


def test_environment_overrides_defaults() -> None:
    settings = read_settings(
        {
            "SAUTI_HTTP_PORT": "9000",
            "SAUTI_LOG_LEVEL": "debug",
            "SAUTI_DATA_DIR": "/srv/sauti",
            "SAUTI_PUBLIC_URL": "https://survey.example.org/",
            "SAUTI_TELEGRAM_GLOBAL_RATE": "25.5",
            "SAUTI_TELEGRAM_PAID_BROADCAST": "true",
            "SAUTI_TELEGRAM_WEBHOOK_PORTS": "443, 8443",
            "SAUTI_WHATSAPP_PAIR_BURST": "10",
            "SAUTI_WEBCHAT_GLOBAL_RATE": "50",
            "SAUTI_DEDUPE_TTL_SECONDS": "900000",
        }
    )
    assert settings.http.port == 9000
    assert settings.log_level == "DEBUG"
    assert settings.data_dir == Path("/srv/sauti")
    assert settings.http.public_url == "https://survey.example.org"  # ready to append paths
    assert settings.telegram.limits.global_rate == 25.5
    assert settings.telegram.limits.paid_broadcast is True
    assert settings.telegram.limits.webhook_ports == (443, 8443)
    assert settings.whatsapp.limits.pair_burst == 10
    assert settings.webchat.limits.global_rate == 50
    assert settings.dedupe_ttl_seconds == 900000


def test_empty_and_blank_variables_count_as_unset() -> None:
    settings = read_settings({"SAUTI_HTTP_PORT": "", "TELEGRAM_BOT_TOKEN": "  "})
    assert settings.http.port == 8080
    assert settings.telegram.bot_token is None


def test_values_are_stripped_of_surrounding_whitespace() -> None:
    settings = read_settings({"SAUTI_HTTP_PORT": " 9000\n", "TELEGRAM_BOT_TOKEN": BOT_TOKEN})
    assert settings.http.port == 9000
    assert settings.telegram.bot_token == Secret(BOT_TOKEN)


def test_the_process_environment_is_read_when_none_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(os.environ):
        if name.startswith(("SAUTI_", "TELEGRAM_", "WHATSAPP_")) or name == "REDIS_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("SAUTI_HTTP_PORT", "9001")
    assert read_settings().http.port == 9001


def test_a_malformed_port_names_the_variable_and_the_value() -> None:
    assert problems({"SAUTI_HTTP_PORT": "abc"}) == (
        "SAUTI_HTTP_PORT: expected an integer from 1 to 65535, got 'abc'",
    )


def test_every_problem_is_listed_at_once_each_with_its_variable() -> None:
    found = problems(
        {
            "SAUTI_HTTP_PORT": "70000",
            "SAUTI_LOG_LEVEL": "LOUD",
            "SAUTI_PUBLIC_URL": "ftp://example.org",
            "SAUTI_TELEGRAM_GLOBAL_RATE": "-1",
            "SAUTI_TELEGRAM_PAID_BROADCAST": "maybe",
            "SAUTI_WHATSAPP_PAIR_BURST": "many",
            "SAUTI_MASTER_KEY": "not base64!",
            "WHATSAPP_PHONE_NUMBER_ID": "+254-700",
        }
    )
    assert [problem.split(":")[0] for problem in found] == [
        "SAUTI_MASTER_KEY",
        "SAUTI_LOG_LEVEL",
        "SAUTI_HTTP_PORT",
        "SAUTI_PUBLIC_URL",
        "SAUTI_TELEGRAM_GLOBAL_RATE",
        "SAUTI_TELEGRAM_PAID_BROADCAST",
        "WHATSAPP_PHONE_NUMBER_ID",
        "SAUTI_WHATSAPP_PAIR_BURST",
    ]
    assert "SAUTI_HTTP_PORT: expected an integer from 1 to 65535, got '70000'" in found
    assert "SAUTI_LOG_LEVEL: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'" in (
        found
    )
    assert "SAUTI_TELEGRAM_PAID_BROADCAST: expected true or false, got 'maybe'" in found


def test_the_error_message_lists_every_problem() -> None:
    with pytest.raises(SettingsError) as caught:
        read_settings({"SAUTI_HTTP_PORT": "0", "SAUTI_LOG_LEVEL": "x"})
    message = str(caught.value)
    assert "2 problems" in message
    assert "SAUTI_HTTP_PORT" in message
    assert "SAUTI_LOG_LEVEL" in message


def test_an_unknown_sauti_variable_is_reported_with_a_suggestion() -> None:
    assert problems({"SAUTI_HTTP_PROT": "9000"}) == (
        "SAUTI_HTTP_PROT: unknown setting (did you mean SAUTI_HTTP_PORT?)",
    )


def test_redis_url_without_shared_keys_names_both_missing_variables() -> None:
    found = problems({"REDIS_URL": "redis://redis.internal:6379/0"})
    assert [problem.split(":")[0] for problem in found] == ["SAUTI_MASTER_KEY", "SAUTI_ID_SECRET"]
    assert all("required when REDIS_URL is set" in problem for problem in found)


def test_redis_url_with_shared_keys_is_accepted() -> None:
    settings = read_settings(
        {
            "REDIS_URL": "redis://:pa55word@redis.internal:6379/0",
            "SAUTI_MASTER_KEY": MASTER_KEY,
            "SAUTI_ID_SECRET": ID_SECRET,
        }
    )
    assert not settings.embedded_redis
    assert settings.master_key == Secret(b"M" * 32)
    assert settings.id_secret == Secret(b"I" * 32)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("c2hvcnQ=", "got 5 bytes"),
        (base64.b64encode(b"k" * 33).decode(), "got 33 bytes"),
        ("***not-base64***", "got text that is not base64"),
    ],
)
def test_a_master_key_must_be_base64_of_32_bytes(value: str, expected: str) -> None:
    (problem,) = problems({"SAUTI_MASTER_KEY": value})
    assert problem.startswith("SAUTI_MASTER_KEY: expected base64 of exactly 32 random bytes")
    assert problem.endswith(expected)


def test_an_invalid_redis_url_quotes_only_its_scheme() -> None:
    (problem,) = problems({"REDIS_URL": "http://user:hunter2@redis:6379"})
    assert problem.startswith("REDIS_URL: expected a redis://, rediss:// or unix:// URL")
    assert "'http'" in problem
    assert "hunter2" not in problem


@pytest.mark.parametrize(
    "secret",
    ["with space", "x" * 257, "ümlaut", "semi;colon", "slash/no", "dot.no"],
)
def test_an_invalid_webhook_secret_is_refused_without_being_quoted(secret: str) -> None:
    (problem,) = problems({"TELEGRAM_WEBHOOK_SECRET": secret})
    assert problem.startswith(
        "TELEGRAM_WEBHOOK_SECRET: expected 1 to 256 characters of A-Z a-z 0-9 _ -, got "
    )
    assert secret not in problem


@pytest.mark.parametrize("secret", ["a", "A-z_0-9", "x" * 256])
def test_a_valid_webhook_secret_is_kept(secret: str) -> None:
    settings = read_settings({"TELEGRAM_WEBHOOK_SECRET": secret})
    assert settings.telegram.webhook_secret == Secret(secret)


def test_a_malformed_bot_token_is_refused_without_being_quoted() -> None:
    (problem,) = problems({"TELEGRAM_BOT_TOKEN": "not-a-token-value"})
    assert problem.startswith("TELEGRAM_BOT_TOKEN: expected a bot token")
    assert "not-a-token-value" not in problem


def test_a_webhook_needs_a_token_and_a_secret() -> None:
    found = problems({"TELEGRAM_WEBHOOK_URL": "https://survey.example.org/tg"})
    assert [problem.split(":")[0] for problem in found] == [
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://survey.example.org/tg", "expected an https:// URL"),
        ("https://survey.example.org:8080/tg", "expected one of the ports 443, 80, 88, 8443"),
    ],
)
def test_the_official_bot_api_delivers_webhooks_only_over_https_to_few_ports(
    url: str, expected: str
) -> None:
    webhook = {
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_WEBHOOK_URL": url,
    }
    (problem,) = problems(webhook)
    assert problem.startswith(f"TELEGRAM_WEBHOOK_URL: {expected}")
    # A self-hosted Bot API server (or a test fake) delivers anywhere.
    local = read_settings({**webhook, "TELEGRAM_API_BASE": "http://127.0.0.1:8081"})
    assert local.telegram.webhook_url == url


def test_partial_whatsapp_configuration_names_every_missing_value() -> None:
    found = problems({"WHATSAPP_ACCESS_TOKEN": "access-token-for-tests"})
    assert [problem.split(":")[0] for problem in found] == [
        "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_PHONE_NUMBER_ID",
    ]
    assert read_settings(WHATSAPP).whatsapp.enabled


def test_the_graph_api_version_is_a_setting_of_its_own() -> None:
    chosen = read_settings({"WHATSAPP_GRAPH_VERSION": "v27.0"}).whatsapp
    assert chosen.graph_version == "v27.0"
    assert problems({"WHATSAPP_GRAPH_VERSION": "27"}) == (
        "WHATSAPP_GRAPH_VERSION: expected a Graph API version such as v23.0, got '27'",
    )
    # An address with the version in it, as it once was, would double the version in every URL.
    assert problems({"WHATSAPP_API_BASE": "https://graph.facebook.com/v21.0/"}) == (
        "WHATSAPP_API_BASE: expected the address without a version (it is "
        "WHATSAPP_GRAPH_VERSION), got 'https://graph.facebook.com/v21.0/'",
    )


def test_dedupe_keys_must_outlast_whatsapp_retries_while_whatsapp_is_on() -> None:
    short = {"SAUTI_DEDUPE_TTL_SECONDS": str(2 * 86400)}
    assert read_settings(short).dedupe_ttl_seconds == 2 * 86400
    (problem,) = problems({**short, **WHATSAPP})
    assert problem.startswith("SAUTI_DEDUPE_TTL_SECONDS: expected at least 604800 while WhatsApp")


def test_a_rejected_value_is_not_reported_twice() -> None:
    # The malformed secret would also be "missing" for the webhook rule: one complaint is enough.
    found = problems(
        {
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_WEBHOOK_URL": "https://survey.example.org/tg",
            "TELEGRAM_WEBHOOK_SECRET": "bad secret",
        }
    )
    assert len(found) == 1


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.log_level = "DEBUG"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.http.port = 1  # type: ignore[misc]


def _fully_configured() -> Settings:
    return read_settings(
        {
            "REDIS_URL": "rediss://:redis-pa55word@redis.internal:6380/0",
            "SAUTI_MASTER_KEY": MASTER_KEY,
            "SAUTI_ID_SECRET": ID_SECRET,
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_WEBHOOK_URL": "https://survey.example.org/tg",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            **WHATSAPP,
        }
    )


SECRET_VALUES = [
    "redis-pa55word",
    MASTER_KEY,
    ID_SECRET,
    BOT_TOKEN,
    WEBHOOK_SECRET,
    WHATSAPP["WHATSAPP_VERIFY_TOKEN"],
    WHATSAPP["WHATSAPP_APP_SECRET"],
    WHATSAPP["WHATSAPP_ACCESS_TOKEN"],
]


def test_repr_and_str_mask_every_secret() -> None:
    settings = _fully_configured()
    for shown in (repr(settings), str(settings), repr(settings.telegram), f"{settings}"):
        assert "Secret('**********')" in shown
        for value in SECRET_VALUES:
            assert value not in shown
        assert repr(b"M" * 32) not in shown


def test_logging_settings_masks_every_secret(caplog: pytest.LogCaptureFixture) -> None:
    settings = _fully_configured()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("sauti.test").info("starting with %s and %r", settings, settings)
    for value in SECRET_VALUES:
        assert value not in caplog.text
    assert "survey.example.org/tg" in caplog.text  # non-secret values stay readable


def test_secrets_lists_every_configured_secret_and_the_redis_password() -> None:
    revealed = {secret.reveal() for secret in _fully_configured().secrets()}
    assert "redis-pa55word" in revealed
    assert b"M" * 32 in revealed
    assert BOT_TOKEN in revealed
    assert WHATSAPP["WHATSAPP_ACCESS_TOKEN"] in revealed
    assert "1234567890" not in revealed  # the phone number id is an id, not a secret


def test_every_setting_has_a_distinct_variable() -> None:
    names = [leaf.spec.env for leaf in leaves(Settings)]
    assert len(names) == len(set(names))


def test_only_the_settings_package_reads_the_environment() -> None:
    root = Path(__file__).resolve().parents[2]
    reads_environment = re.compile(
        r"\bos\.(environ|getenv)\b|\bfrom os import .*\b(environ|getenv)\b"
    )
    readers = [
        str(path.relative_to(root))
        for package in ("bot", "dialogues", "nlu")
        for path in sorted((root / package).rglob("*.py"))
        if path.relative_to(root).parts[:2] != ("bot", "settings")
        and reads_environment.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []


def test_a_redis_cluster_url_is_accepted_without_a_database() -> None:
    shared = {
        "SAUTI_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SAUTI_ID_SECRET": base64.b64encode(os.urandom(32)).decode(),
    }
    settings = read_settings({"REDIS_URL": "redis+cluster://redis-1.internal:6379", **shared})
    assert not settings.embedded_redis
    (problem,) = problems({"REDIS_URL": "redis+cluster://redis-1.internal:6379/3", **shared})
    assert problem.startswith("REDIS_URL: a Redis Cluster has only database 0")


def test_quiet_hours_are_turned_off_with_none_as_an_empty_value_keeps_the_default() -> None:
    assert read_settings({"SAUTI_LOOP_QUIET_HOURS": "none"}).loop.quiet_hours == ""
    assert read_settings({"SAUTI_LOOP_QUIET_HOURS": ""}).loop.quiet_hours == "21:00-08:00"
    assert read_settings({"SAUTI_LOOP_QUIET_HOURS": "22:00 - 07:00"}).loop.quiet_hours == (
        "22:00-07:00"
    )


def test_the_default_time_zone_may_be_a_fixed_offset_as_a_campaigns_may() -> None:
    assert read_settings({"SAUTI_LOOP_TIMEZONE": "UTC+03:00"}).loop.timezone == "UTC+03:00"
    with pytest.raises(SettingsError, match="SAUTI_LOOP_TIMEZONE"):
        read_settings({"SAUTI_LOOP_TIMEZONE": "Mars/Olympus"})


def test_the_minimum_cell_size_defaults_to_5_and_refuses_one_that_protects_nobody() -> None:
    assert read_settings({}).privacy.min_cell == 5
    assert read_settings({"SAUTI_PRIVACY_MIN_CELL": "10"}).privacy.min_cell == 10
    [problem] = problems({"SAUTI_PRIVACY_MIN_CELL": "1"})
    assert "SAUTI_PRIVACY_MIN_CELL" in problem
    assert "from 2 to 1000" in problem
