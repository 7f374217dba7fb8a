"""The sender's WhatsApp client against the fake Graph API: every kind of answer WhatsApp
gives becomes the failure the sender knows how to handle, and nothing free-form ever goes out
to someone whose window is closed."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from bot.channels.whatsapp.client import WhatsAppClient
from bot.channels.whatsapp.metrics import WhatsAppMetrics
from bot.channels.whatsapp.templates import TemplateBook
from bot.runtime.delivery import (
    DeliveryError,
    RateLimitedError,
    Recipient,
    RecipientRefusedError,
    TemporaryDeliveryError,
    UncertainDeliveryError,
    UndeliverableError,
)
from bot.runtime.message_codec import message_from_plain
from bot.secret import Secret
from bot.settings.model import WhatsAppSettings
from tests.fakes.whatsapp_api import FakeGraphAPI
from tests.kit.whatsapp import APP_SECRET, approved_templates, graph_api

NOW_MS = int(time.time() * 1000)
INSIDE = Recipient("p1", "254700000301", "en", NOW_MS - 60_000)
OUTSIDE = Recipient("p2", "254700000302", "sw", NOW_MS - 25 * 3600 * 1000)
HELLO = {"text": "Hello", "from": "sauti"}


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with graph_api(approved_templates()) as api:
        yield api


def _client(
    fake: FakeGraphAPI, templates: TemplateBook | None = None, **changes: Any
) -> WhatsAppClient:
    settings = WhatsAppSettings(
        verify_token=Secret("verify"),
        app_secret=Secret(APP_SECRET),
        access_token=Secret(changes.pop("token", fake.access_token)),
        phone_number_id=fake.phone_number_id,
        api_base=changes.pop("api_base", fake.url),
        send_timeout_seconds=changes.pop("timeout", 5.0),
        **changes,
    )
    return WhatsAppClient(
        settings,
        templates=templates if templates is not None else approved_templates(),
        statuses=None,
        metrics=WhatsAppMetrics(CollectorRegistry()),
    )


async def _deliver(client: WhatsAppClient, recipient: Recipient = INSIDE) -> str | None:
    try:
        return await client.deliver(recipient, message_from_plain(HELLO), "k1")
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("answer", "expected", "retry_after", "per_recipient"),
    [
        (("error", 130429), RateLimitedError, 1.0, False),  # the number's throughput
        (("error", 131056), RateLimitedError, 6.0, True),  # this recipient's pair rate
        (("error", 131048), RateLimitedError, 60.0, False),  # spam rate limit
        (("error", 131026), RecipientRefusedError, None, None),  # not on WhatsApp
        (("http", 503), TemporaryDeliveryError, None, None),
        (("error", 131000), TemporaryDeliveryError, None, None),
        (("error", 132001), UndeliverableError, None, None),  # template does not exist
    ],
)
async def test_whatsapp_errors_become_what_the_sender_handles(
    fake: FakeGraphAPI,
    answer: tuple[str, int],
    expected: type[DeliveryError],
    retry_after: float | None,
    per_recipient: bool | None,
) -> None:
    fake.script.append(answer)
    with pytest.raises(expected) as raised:
        await _deliver(_client(fake))
    if isinstance(raised.value, RateLimitedError):
        assert (raised.value.retry_after, raised.value.per_recipient) == (
            retry_after,
            per_recipient,
        )
    assert fake.sent == []


async def test_an_answer_that_never_comes_is_uncertain_and_the_message_did_go_out(
    fake: FakeGraphAPI,
) -> None:
    fake.script.append(("hang", 1.0))
    with pytest.raises(UncertainDeliveryError):
        await _deliver(_client(fake, timeout=0.3))
    await fake.settle()
    assert len(fake.sent) == 1  # which is why the sender never sends it again


async def test_messages_go_to_the_graph_version_configured(fake: FakeGraphAPI) -> None:
    assert await _deliver(_client(fake))
    assert await _deliver(_client(fake, graph_version="v27.0"))
    assert fake.versions == ["v26.0", "v27.0"]  # the default, then the one set


async def test_no_server_at_all_is_temporary(fake: FakeGraphAPI) -> None:
    with pytest.raises(TemporaryDeliveryError):
        await _deliver(_client(fake, api_base="http://127.0.0.1:9"))


async def test_a_rejected_access_token_is_for_an_operator_to_fix(fake: FakeGraphAPI) -> None:
    with pytest.raises(UndeliverableError):
        await _deliver(_client(fake, token="expired-token"))


async def test_outside_the_window_without_a_template_nothing_is_even_attempted(
    fake: FakeGraphAPI,
) -> None:
    with pytest.raises(UndeliverableError):
        await _deliver(_client(fake, templates=TemplateBook()), OUTSIDE)
    assert fake.sent == []
    assert fake.refused == []


async def test_someone_who_never_wrote_only_gets_templates(fake: FakeGraphAPI) -> None:
    never = Recipient("p3", "254700000303", "fr", None)
    assert await _deliver(_client(fake), never)
    assert [s.type for s in fake.sent] == ["template"]
    assert fake.sent[0].request["template"]["language"]["code"] == "fr"


async def test_a_language_without_its_own_template_falls_back_as_configured(
    fake: FakeGraphAPI,
) -> None:
    portuguese = Recipient("p4", "258840000304", "pt", None)
    assert await _deliver(_client(fake), portuguese)
    assert fake.sent[0].request["template"]["language"]["code"] == "en"


async def test_echoes_and_edits_are_not_sent_on_whatsapp(fake: FakeGraphAPI) -> None:
    client = _client(fake)
    echo = message_from_plain({"text": "Yes", "from": "me", "q": "unsafe"})
    assert await client.deliver(INSIDE, echo, "k") is None
    assert await client.deliver(INSIDE, message_from_plain({**HELLO, "edit": True}), "k2") is None
    await client.close()
    assert fake.sent == []


async def test_the_message_id_is_the_wamid_whatsapp_returned(fake: FakeGraphAPI) -> None:
    wamid = await _deliver(_client(fake))
    assert wamid == fake.sent[0].wamid
    assert wamid is not None
    assert wamid.startswith("wamid.")
