"""The Rasa adapter against a loopback fake of Rasa's HTTP API: the server's conclusion when it
answers in time, the embedded model's otherwise, never an error for the participant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from bot.app import App
from bot.conversation.inbound import Channel
from bot.understanding import EmbeddedReader, RasaReader, shared_model
from dialogues.localization import builtin_catalog
from nlu import NONE, Intent
from tests.fakes.rasa_api import FakeRasa, serving
from tests.kit import webchat as browser
from tests.kit.running import background, built, web_server
from tests.kit.settings import deployment_settings
from tests.kit.webchat import SAME_ORIGIN

EMBEDDED_STOP = "stop sending me this"  # what the embedded model reads as stop


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeRasa, str]]:
    rasa = FakeRasa()
    async with serving(rasa) as url:
        yield rasa, url


def _reader(url: str, timeout: float = 2.0) -> tuple[RasaReader, CollectorRegistry]:
    registry = CollectorRegistry()
    reader = RasaReader(
        url, timeout_seconds=timeout, fallback=EmbeddedReader(shared_model()), registry=registry
    )
    return reader, registry


def _fallbacks(registry: CollectorRegistry) -> float | None:
    return registry.get_sample_value("sauti_nlu_fallbacks_total")


async def test_the_servers_conclusion_is_taken(fake: tuple[FakeRasa, str]) -> None:
    rasa, url = fake
    rasa.answers[EMBEDDED_STOP] = ("my_data", 0.87)
    reader, registry = _reader(url)
    try:
        assert await reader.read(EMBEDDED_STOP, "en") == Intent("my_data", 0.87)
    finally:
        await reader.close()
    assert rasa.requests == [{"text": EMBEDDED_STOP}]
    assert _fallbacks(registry) == 0.0


async def test_an_intent_sauti_does_not_know_is_no_command(fake: tuple[FakeRasa, str]) -> None:
    _, url = fake
    reader, _ = _reader(url)
    try:
        assert (await reader.read("something else", "en")).name == NONE  # nlu_fallback
    finally:
        await reader.close()


@pytest.mark.parametrize(
    "failure",
    [
        {"delay_seconds": 1.0},  # slower than the timeout
        {"status": 500},
        {"garbage": True},
    ],
)
async def test_a_failing_server_leaves_the_reading_to_the_embedded_model(
    fake: tuple[FakeRasa, str], failure: dict[str, object]
) -> None:
    rasa, url = fake
    for name, value in failure.items():
        setattr(rasa, name, value)
    rasa.answers[EMBEDDED_STOP] = ("my_data", 0.99)
    reader, registry = _reader(url, timeout=0.3)
    try:
        assert (await reader.read(EMBEDDED_STOP, "en")).name == "stop"
    finally:
        await reader.close()
    assert _fallbacks(registry) == 1.0


async def test_a_confidence_out_of_range_is_not_believed(fake: tuple[FakeRasa, str]) -> None:
    rasa, url = fake
    rasa.answers[EMBEDDED_STOP] = ("my_data", 7.0)
    reader, registry = _reader(url)
    try:
        assert (await reader.read(EMBEDDED_STOP, "en")).name == "stop"
    finally:
        await reader.close()
    assert _fallbacks(registry) == 1.0


async def test_no_server_at_the_address_is_a_fallback_too() -> None:
    stopped = TestServer(web.Application(), host="127.0.0.1")
    await stopped.start_server()
    url = str(stopped.make_url("")).rstrip("/")
    await stopped.close()  # nothing listens there any more
    reader, registry = _reader(url)
    try:
        assert (await reader.read(EMBEDDED_STOP, "en")).name == "stop"
    finally:
        await reader.close()
    assert _fallbacks(registry) == 1.0


async def test_with_a_rasa_url_a_participants_message_is_read_by_the_server(
    fake: tuple[FakeRasa, str], redis_url: str, tmp_path: Path
) -> None:
    rasa, url = fake
    rasa.answers["kiwi banana"] = ("my_data", 0.95)
    settings = deployment_settings(redis_url, tmp_path, SAUTI_RASA_URL=url)
    assert settings.nlu.rasa_url == url
    async with (
        built(settings) as app,
        background(app.worker("test-worker")),
        web_server(app) as server,
        TestClient(server, headers=SAME_ORIGIN) as client,
    ):
        token = await browser.join(client, "en")
        page = await browser.answer(client, token, text="kiwi banana")
        header = builtin_catalog().messages["mydata.header"]["en"].split("\n")[0]
        assert any(line.startswith(header) for line in browser.lines(page))
        assert await _participant_exists(app, token)
    assert {"text": "kiwi banana"} in rasa.requests


async def _participant_exists(app: App, token: str) -> bool:
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    return bool(await app.redis.exists(app.schema.participant(pid)))
