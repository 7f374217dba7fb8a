"""The log filter: phone numbers, platform ids, names and secrets never reach the output."""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.privacy import Redactor
from bot.secret import Secret
from bot.settings import read_settings

TOKEN = "123456:test-bot-token_for-tests-only"
KEY = bytes(range(32))


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose only handler writes to a buffer through the redactor."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(Redactor([Secret(TOKEN), Secret(KEY)]))
    logger = logging.getLogger("sauti.test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, output
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    "phone", ["+254712345678", "+254 712 345 678", "+1 (555) 123-4567", "+44-20-7946-0958"]
)
def test_phone_numbers_are_masked(phone: str) -> None:
    assert Redactor().redact(f"sending to {phone}, then done") == "sending to [phone], then done"


@pytest.mark.parametrize(
    "text",
    [
        "update_id=123456789 handled in 12 ms",
        "python 3.11.7, +12 more",
        "a+b=c2hvcnQ+12345678",  # base64, not a phone number
        "participant ycpmrp24iog2iosainsupzqqjwfy5at3 answered q3",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Redactor().redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chat_id=123456789 blocked the bot", "chat_id=[id] blocked the bot"),
        ('{"chat_id": -1001234567890}', '{"chat_id": [id]}'),
        ('{"from": "254712345678", "type": "text"}', '{"from": "[id]", "type": "text"}'),
        ("wa_id='254712345678'", "wa_id='[id]'"),
        ('"chat": {"id": 987654321, "type": "private"}', '"chat": {"id": [id], "type": "private"}'),
        ("from_user=User(id=987654321, is_bot=False)", "from_user=User(id=[id], is_bot=False)"),
        ("Chat(id=-100987654321, type='group')", "Chat(id=[id], type='group')"),
    ],
)
def test_platform_ids_in_known_fields_are_masked(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"first_name": "Amina", "username": "amina_k"',
            '"first_name": "[name]", "username": "[name]"',
        ),
        ("last_name='O\\'Neil' ok", "last_name='[name]' ok"),
        ('"profile": {"name": "Juma Otieno"}', '"profile": {"name": "[name]"}'),
    ],
)
def test_names_in_known_fields_are_masked(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


def test_configured_secrets_are_masked_in_every_spelling() -> None:
    redactor = Redactor([Secret(TOKEN), Secret(KEY)])
    for spelling in (
        TOKEN,
        base64.b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode().rstrip("="),
        KEY.hex(),
    ):
        assert redactor.redact(f"got {spelling}!") == "got [secret]!"


def test_very_short_secrets_are_not_masked_everywhere() -> None:
    assert Redactor([Secret("abc")]).redact("abcdef") == "abcdef"


def test_a_logged_message_is_masked_after_formatting(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, output = log
    logger.info("send to %s failed with token %s", "+254712345678", TOKEN)
    assert output.getvalue() == "send to [phone] failed with token [secret]\n"


def test_exception_text_is_masked(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, output = log
    try:
        raise RuntimeError(f"Bad Request: chat_id=123456789 with {TOKEN}")
    except RuntimeError:
        logger.exception("sending failed")
    assert "RuntimeError: Bad Request: chat_id=[id] with [secret]" in output.getvalue()
    assert "123456789" not in output.getvalue()
    assert TOKEN not in output.getvalue()


def test_extra_fields_are_masked(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, output = log
    logger.handlers[0].setFormatter(logging.Formatter("%(message)s to=%(recipient)s"))
    logger.info("sent", extra={"recipient": "+254712345678"})
    assert output.getvalue() == "sent to=[phone]\n"


def test_a_bad_format_string_does_not_crash_the_caller(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, output = log
    logger.info("two %s %s but one argument +254712345678", "x")  # noqa: PLE1206
    assert "[phone]" in output.getvalue()
    assert "could not be formatted" in output.getvalue()


def test_settings_secrets_feed_the_redactor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # away from any local config/sauti.toml
    settings = read_settings(
        {
            "REDIS_URL": "redis://:redis-pa55word@redis.internal:6379/0",
            "SAUTI_MASTER_KEY": base64.b64encode(KEY).decode(),
            "SAUTI_ID_SECRET": base64.b64encode(b"i" * 32).decode(),
            "TELEGRAM_BOT_TOKEN": TOKEN,
        },
        config_path=None,
    )
    redactor = Redactor(settings.secrets())
    assert redactor.redact(f"AUTH redis-pa55word failed for {TOKEN}") == (
        "AUTH [secret] failed for [secret]"
    )
