"""The Telegram webhook under hostile bodies sent with the right secret (whoever learnt it, or
Telegram on a bad day): never a 5xx, never a traceback; an unreadable update is answered 200
(a retry would bring the same bytes) and the next readable one goes through."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bot.channels.telegram.inbound import UpdateParser
from bot.channels.telegram.webhook import PATH, SECRET_HEADER
from bot.conversation.inbound import Channel
from bot.runtime.markers import marker_member
from bot.web import MAX_REQUEST_BYTES
from tests.bot.fuzz import hostile
from tests.bot.fuzz.stack import Sauti, tracebacks
from tests.kit.example import CAMPAIGN
from tests.kit.telegram import SECRET

ROUTE = "POST /webhooks/telegram"
USER = {"id": 5_000_001, "is_bot": False, "first_name": "Amani", "language_code": "sw"}
CHAT = {"id": 5_000_001, "type": "private", "first_name": "Amani"}


def _message(text: str, message_id: int = 1) -> dict[str, Any]:
    return {
        "update_id": 1,
        "message": {
            "message_id": message_id,
            "from": USER,
            "chat": CHAT,
            "date": int(time.time()),
            "text": text,
        },
    }


TEMPLATES: dict[str, dict[str, Any]] = {
    "message": _message(f"/start {CAMPAIGN}"),
    "callback_query": {
        "update_id": 2,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": USER,
            "chat_instance": "ci1",
            "data": "m|language|sw",
            "message": {
                "message_id": 7,
                "date": int(time.time()),
                "chat": CHAT,
                "text": "Choose your language",
                "reply_markup": {
                    "inline_keyboard": [[{"text": "Kiswahili", "callback_data": "m|language|sw"}]]
                },
            },
        },
    },
    "my_chat_member": {
        "update_id": 3,
        "my_chat_member": {
            "chat": CHAT,
            "from": USER,
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": USER},
            "new_chat_member": {"status": "kicked", "user": USER, "until_date": 0},
        },
    },
    "group": {
        "update_id": 4,
        "message": {
            "message_id": 9,
            "from": USER,
            "chat": {"id": -100_200, "type": "supergroup", "title": "Village"},
            "date": int(time.time()),
            "text": "hello",
        },
    },
}


async def _post(sauti: Sauti, body: bytes, case: str, **headers: str) -> int:
    sent = {SECRET_HEADER: SECRET, "Content-Type": "application/json", **headers}
    return await sauti.send(ROUTE, "POST", PATH, case, body=body, headers=sent)


async def _stored(sauti: Sauti, message_id: int) -> bool:
    app = sauti.app
    pid = app.crypto.participant_id(Channel.TELEGRAM.value, str(USER["id"]))
    event_id = UpdateParser(app.crypto, lambda _: pid).event_id(
        f"message:{CHAT['id']}:{message_id}"
    )
    return (
        await app.redis.zscore(app.schema.event_markers(pid), marker_member(event_id)) is not None
    )


async def test_a_hostile_value_anywhere_in_an_update_is_never_a_server_error(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    for kind, template in TEMPLATES.items():
        names = hostile.FRAGMENTS if kind == "message" else hostile.SAMPLE
        for path in hostile.places(template):
            for name in names:
                update = hostile.swapped(template, path, hostile.Raw(hostile.FRAGMENTS[name]))
                status = await _post(sauti, hostile.render(update).encode(), f"{path} = {name}")
                assert status == 200, (kind, path, name)  # read, or unreadable and dropped
        for example in hostile.drawn(hostile.swaps(template), 40):
            assert await _post(sauti, hostile.render(example).encode(), repr(example)[:300]) == 200
    # Sauti still reads the next update as it should.
    assert await _post(sauti, json.dumps(_message("hello", 999)).encode(), "well-formed") == 200
    assert await _stored(sauti, 999)
    assert sauti.server_errors() == []
    await sauti.settled()
    assert tracebacks(caplog) == []


async def test_bodies_that_are_not_an_update_content_types_and_oversized_ones(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    for name, body in {**hostile.BROKEN_BODIES, **hostile.NOT_OBJECTS}.items():
        assert await _post(sauti, body, name) == 200, name  # unreadable: dropped, counted
    good = json.dumps(_message("hello", 1000)).encode()
    for content_type in hostile.CONTENT_TYPES:
        assert await _post(sauti, good, content_type, **{"Content-Type": content_type}) == 200
    assert await _post(sauti, b"[" * (MAX_REQUEST_BYTES + 1), "oversized") == 413
    for secret in ("", "wrong", SECRET[:-1], SECRET + "\u00e9"):
        assert await _post(sauti, good, "secret", **{SECRET_HEADER: secret}) == 401
    unreadable = sauti.app.metrics.registry.get_sample_value(
        "sauti_telegram_webhook_refused_total", {"reason": "unreadable"}
    )
    assert unreadable == len(hostile.BROKEN_BODIES) + len(hostile.NOT_OBJECTS)
    assert sauti.server_errors() == []
    assert tracebacks(caplog) == []


async def test_deeply_nested_json_with_the_right_secret_is_no_server_error(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: json.loads raised RecursionError (not a ValueError) and the webhook
    answered 500 with a traceback; Telegram then resent it."""
    deep = b"[" * hostile.DEEP + b"]" * hostile.DEEP
    assert await _post(sauti, deep, "deep") == 200
    nested_in_a_message = _message("hello", 1001)
    nested_in_a_message["message"]["entities"] = hostile.Raw(deep.decode())
    assert await _post(sauti, hostile.render(nested_in_a_message).encode(), "deep field") == 200
    assert tracebacks(caplog) == []
