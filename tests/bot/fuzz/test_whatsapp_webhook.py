"""The WhatsApp webhook under hostile, validly signed bodies (whoever holds the app secret, or
Meta on a bad day): never a 5xx, never a traceback, and a well-formed message beside a bad one
is stored all the same."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.channels.whatsapp.inbound import message_digest
from bot.channels.whatsapp.signature import HEADER, sign
from bot.conversation.inbound import Channel
from bot.runtime.markers import marker_member
from tests.bot.fuzz import hostile
from tests.bot.fuzz.stack import Sauti, tracebacks
from tests.fakes import whatsapp_api as wa
from tests.kit.whatsapp import APP_SECRET, VERIFY_TOKEN

PATH = "/webhooks/whatsapp"
ROUTE = "POST /webhooks/whatsapp"
# A message of each shape Sauti reads, by the field holding what is particular to it, as
# templates to swap hostile values into.
TEMPLATES = {
    "text": wa.text("254700000000", "hello"),
    "interactive": wa.button_reply("254700000000", "a:unsafe:yes", "Yes"),
    "button": wa.template_button("254700000000", "resume", "Continue"),
}


class Batches:
    """Signed batches of [well-formed, hostile, well-formed]."""

    def __init__(self, sauti: Sauti) -> None:
        self.sauti = sauti
        self.neighbours: list[tuple[str, str]] = []  # (wa_id, wamid) of every good message
        self._sent = 0

    def good(self) -> dict[str, Any]:
        # Two people write every well-formed message: the worker then has no one to enrol
        # but them, and the run stays quick.
        self._sent += 1
        message = wa.text(f"25470000000{self._sent % 2}", "hello")
        self.neighbours.append((message["from"], message["id"]))
        return message

    def body(self, hostile_message: Any) -> bytes:
        envelope = wa.envelope(self.sauti.graph, messages=[wa.text("1", "")])
        value = envelope["entry"][0]["changes"][0]["value"]
        value["messages"] = [self.good(), hostile_message, self.good()]
        return hostile.render(envelope).encode()

    async def post(self, hostile_message: Any, case: str) -> int:
        return await post_signed(self.sauti, self.body(hostile_message), case)

    async def unstored(self) -> list[tuple[str, str]]:
        """The well-formed messages that were not stored."""
        app = self.sauti.app
        missing = []
        for wa_id, wamid in self.neighbours:
            pid = app.crypto.participant_id(Channel.WHATSAPP.value, wa_id)
            event_id = f"{Channel.WHATSAPP.value}:{message_digest(app.crypto, wamid)}"
            markers = app.schema.event_markers(pid)
            if await app.redis.zscore(markers, marker_member(event_id)) is None:
                missing.append((wa_id, wamid))
        return missing


async def post_signed(
    sauti: Sauti, body: bytes, case: str, content_type: str = "application/json"
) -> int:
    headers = {HEADER: sign(body, APP_SECRET), "Content-Type": content_type}
    return await sauti.send(ROUTE, "POST", PATH, case, body=body, headers=headers)


async def test_a_hostile_value_anywhere_in_a_message_never_costs_its_neighbours(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    batches = Batches(sauti)
    statuses = []
    for kind, template in TEMPLATES.items():
        paths = list(hostile.places(template))
        if kind != "text":  # the fields all messages have were covered by the text one
            paths = [path for path in paths if path and path[0] == kind]
        for path in paths:
            for name, fragment in hostile.FRAGMENTS.items():
                swapped = hostile.swapped(template, path, hostile.Raw(fragment))
                statuses.append(await batches.post(swapped, f"{kind} {path} = {name}"))
    assert sauti.server_errors() == []
    assert set(statuses) == {200}  # every well-formed message stored: Meta stops retrying
    assert await batches.unstored() == []
    await sauti.settled()
    assert tracebacks(caplog) == []


async def test_messages_of_any_shape_never_cost_their_neighbours(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    batches = Batches(sauti)
    for template in TEMPLATES.values():
        for example in hostile.drawn(hostile.swaps(template), 30):
            assert await batches.post(example, repr(example)[:300]) == 200
    assert sauti.server_errors() == []
    assert await batches.unstored() == []
    await sauti.settled()
    assert tracebacks(caplog) == []


async def test_a_hostile_envelope_or_status_is_never_a_server_error(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    person = "254700009999"
    envelope = wa.envelope(sauti.graph, messages=[wa.text(person, "hi")])
    status = {
        "id": "wamid.HBgLMjU0NzAwMDA5OTk5",
        "recipient_id": person,
        "status": "failed",
        "timestamp": "1767225600",
        "errors": [{"code": 131047, "title": "Re-engagement message"}],
    }
    with_status = wa.envelope(sauti.graph, statuses=[status])
    for template in (envelope, with_status):
        for path in hostile.places(template):
            for name in hostile.SAMPLE:
                body = hostile.swapped(template, path, hostile.Raw(hostile.FRAGMENTS[name]))
                await post_signed(sauti, hostile.render(body).encode(), f"{path} = {name}")
        for example in hostile.drawn(hostile.swaps(template), 40):
            await post_signed(sauti, hostile.render(example).encode(), repr(example)[:300])
    assert sauti.server_errors() == []
    await sauti.settled()
    assert tracebacks(caplog) == []


async def test_signed_bodies_that_are_no_json_object_get_a_400(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    for name, body in {**hostile.BROKEN_BODIES, **hostile.NOT_OBJECTS}.items():
        assert await post_signed(sauti, body, name) == 400, name
    assert tracebacks(caplog) == []


async def test_content_types_unsigned_bodies_and_oversized_ones(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(wa.envelope(sauti.graph, messages=[wa.text("254700008888", "hi")]))
    for content_type in hostile.CONTENT_TYPES:  # the signature counts, not the label
        assert await post_signed(sauti, body.encode(), content_type, content_type) == 200
    for name, fragment in hostile.FRAGMENTS.items():  # refused before anything is read
        unsigned = await sauti.send(ROUTE, "POST", PATH, name, body=fragment.encode())
        assert unsigned == 403, name
    too_big = b" " * (sauti.app.settings.whatsapp.limits.max_webhook_body_bytes + 1)
    assert await post_signed(sauti, too_big, "oversized") == 413
    assert sauti.server_errors() == []
    assert tracebacks(caplog) == []


async def test_the_verification_handshake_under_hostile_query_strings(
    sauti: Sauti, caplog: pytest.LogCaptureFixture
) -> None:
    route = "GET /webhooks/whatsapp"
    values = [*hostile.QUERY_VALUES.values(), *hostile.drawn(hostile.percent_encoded(), 40)]
    for value in values:
        for query in (
            f"hub.mode=subscribe&hub.verify_token={value}&hub.challenge=1",
            f"hub.mode={value}&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1",
            f"hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge={value}",
            f"{value}={value}&hub.mode=subscribe&hub.mode=subscribe",
        ):
            await sauti.send(route, "GET", f"{PATH}?{query}", query[:200])
    assert sauti.server_errors() == []
    ours = f"hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=%C2%B2"
    assert await sauti.send(route, "GET", f"{PATH}?{ours}", "ours") == 200
    assert tracebacks(caplog) == []
