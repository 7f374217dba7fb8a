"""The webhook's front door: Meta's handshake, signatures, what gets stored, and what never
does (phone numbers and raw message ids)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import ClientSession
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.channels.whatsapp.signature import sign
from bot.conversation.inbound import Answer, Command, InboundEvent, Unsupported
from bot.runtime.event_codec import decode
from dialogues.inbound import ChoiceReply, Resume, TextReply
from tests.fakes import whatsapp_api as wa
from tests.kit.whatsapp import APP_SECRET, VERIFY_TOKEN, World


async def _stored(world: World) -> list[InboundEvent]:
    app = world.app
    events = []
    for shard in range(app.schema.shards):
        entries: Any = await app.redis.xrange(app.schema.inbound(shard))
        events += [decode(fields, app.crypto) for _, fields in entries]
    return events


async def _data_keys(world: World) -> set[bytes]:
    """Every key but what running processes make for themselves (leases, membership, the
    consumer groups of empty streams, created as workers and senders start)."""
    keys: list[bytes] = [key async for key in world.app.redis.scan_iter(count=1000)]
    own = (b":lease:", b":members:", b":out:")
    return {k for k in keys if not any(o in k for o in own) and not k.endswith(b":in")}


async def _get(world: World, **query: str) -> tuple[int, str]:
    async with ClientSession() as http, http.get(world.webhook_url, params=query) as response:
        return response.status, await response.text()


async def test_the_verification_handshake_echoes_the_challenge_only_for_our_token(
    world: World,
) -> None:
    ok = await _get(
        world, **{"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
    )
    assert ok == (200, "42")
    wrong = await _get(
        world, **{"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "42"}
    )
    assert wrong[0] == 403
    assert (await _get(world, **{"hub.challenge": "42"}))[0] == 403


async def test_unsigned_forged_and_tampered_webhooks_are_refused_and_store_nothing(
    world: World,
) -> None:
    stop_everything = wa.envelope(world.fake, messages=[wa.text("254700000201", "delete")])
    raw = json.dumps(stop_everything).encode()
    before = await _data_keys(world)
    assert await world.fake.post_webhook(raw, signature=None) == 403
    assert await world.fake.post_webhook(raw, signature=sign(raw, "not-the-app-secret")) == 403
    assert await world.fake.post_webhook(raw, signature="sha256=" + "0" * 64) == 403
    assert await world.fake.post_webhook(raw, signature="sha1=abc") == 403
    other = json.dumps(wa.envelope(world.fake, messages=[wa.text("254700000201", "hi")])).encode()
    assert await world.fake.post_webhook(raw, signature=sign(other, APP_SECRET)) == 403
    assert await _stored(world) == []
    assert await _data_keys(world) == before
    refused = world.app.metrics.registry.get_sample_value(
        "sauti_whatsapp_webhooks_total", {"outcome": "bad_signature"}
    )
    assert refused == 5


async def test_signed_garbage_is_a_400_and_other_numbers_are_left_alone(world: World) -> None:
    assert await world.fake.post_webhook(b"{not json") == 400
    elsewhere = wa.envelope(
        world.fake, messages=[wa.text("254700000202", "hi")], phone_number_id="999"
    )
    assert await world.fake.post_webhook(elsewhere) == 200
    assert await _stored(world) == []


async def test_every_kind_of_message_in_one_batch_becomes_the_right_inbound_action(
    world: World,
) -> None:
    person = "254700000203"
    messages = [
        wa.text(person, "safe-connect-2026"),
        wa.button_reply(person, "a:unsafe:yes", "Yes"),
        wa.list_reply(person, "a:worry:scams", "2. Scams"),
        wa.list_reply(person, "c:language:sw", "Kiswahili"),
        wa.template_button(person, "resume", "Continue"),
        wa.button_reply(person, "from an older version", "Yes"),
        wa.media(person, "image"),
        {**wa.text(person, ""), "type": "system", "system": {"body": "changed number"}},
    ]
    second_change = wa.envelope(world.fake, messages=[wa.media(person, "location")])
    body = wa.envelope(world.fake, messages=messages[:4])
    body["entry"][0]["changes"].append(
        wa.envelope(world.fake, messages=messages[4:])["entry"][0]["changes"][0]
    )
    body = wa.merged(body, second_change)
    await world.roles.stop()  # keep the worker away: look at what was stored, in order
    assert await world.fake.post_webhook(body) == 200
    events = await _stored(world)
    assert [event.action for event in events] == [
        Answer(TextReply("safe-connect-2026")),  # the worker reads join codes itself
        Answer(ChoiceReply("unsafe", ("yes",))),
        Answer(ChoiceReply("worry", ("scams",))),
        Command("language", "sw"),
        Answer(Resume()),
        Answer(TextReply("Yes")),  # not one of our ids: the title, read like typed text
        Unsupported("image"),
        Unsupported("location"),
    ]
    assert {event.participant_id for event in events} == {world.pid(person)}
    assert {event.address for event in events} == {person}  # sealed inside the entry


async def test_no_phone_number_or_message_id_is_kept_in_clear(world: World) -> None:
    person = "254799999204"
    await world.join(person, "en")
    for sent in world.messages_to(person):
        await world.fake.emit_status(sent, "delivered")
    keys: list[bytes] = [key async for key in world.app.redis.scan_iter(count=1000)]
    assert keys
    for key in keys:
        assert person.encode() not in key
        kind: Any = await world.app.redis.type(key)
        if kind == b"string":
            value: Any = await world.app.redis.get(key)
            assert person.encode() not in value
            assert b"wamid." not in value
        elif kind == b"hash":
            fields: Any = await world.app.redis.hgetall(key)
            assert not any(person.encode() in v for v in fields.values())


async def test_when_redis_fails_meta_is_told_to_retry_later(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unavailable(event: InboundEvent) -> bool:
        raise RedisConnectionError("Redis is restarting")

    monkeypatch.setattr(world.app.ingestor, "ingest", unavailable)  # thin wiring only
    body = wa.envelope(world.fake, messages=[wa.text("254700000206", "hello")])
    assert await world.fake.post_webhook(body) == 503  # not 200: Meta keeps it and retries


def _raw_message(wa_id: str, body: str, raw_fields: dict[str, str] | None = None) -> str:
    """A text message as JSON text, any field replaced by raw JSON (which json.dumps could not
    write: 1e400, lone surrogates, nesting deeper than Python recurses)."""
    fields = {key: json.dumps(value) for key, value in wa.text(wa_id, body).items()}
    fields.update(raw_fields or {})
    return "{" + ",".join(f"{json.dumps(key)}:{value}" for key, value in fields.items()) + "}"


def _batch(world: World, *raw_messages: str) -> bytes:
    """One signed-ready webhook body holding `raw_messages`, in order."""
    body = wa.envelope(world.fake, messages=[wa.text("1", "")])
    body["entry"][0]["changes"][0]["value"]["messages"] = "MESSAGES"
    return json.dumps(body).replace('"MESSAGES"', "[" + ",".join(raw_messages) + "]").encode()


@pytest.mark.parametrize(
    ("field", "raw", "kept"),
    [
        ("text", '{"body": ' + "[" * 50_000 + "]" * 50_000 + "}", False),
        ("id", '"\\ud800"', False),
        ("from", '"\\ud800"', False),
        ("id", "9" * 5000, False),
        ("type", '{"a": [1, 2]}', False),
        ("timestamp", "1e400", True),  # the message is fine: read with the time it arrived
        ("timestamp", "NaN", True),
    ],
    ids=["deep", "surrogate-id", "surrogate-sender", "5000-digits", "object-type", "1e400", "nan"],
)
async def test_a_malformed_message_in_a_batch_costs_its_neighbours_nothing(
    world: World, field: str, raw: str, kept: bool
) -> None:
    """Regression: a batch of three with a bad message in the middle was answered 500 and the
    message after it never stored, while Meta retried the batch for 7 days."""
    await world.roles.stop()  # keep the worker away: look at what was stored
    before, bad, after = "254700000301", "254700000302", "254700000303"
    body = _batch(
        world,
        _raw_message(before, "first"),
        _raw_message(bad, "middle", {field: raw}),
        _raw_message(after, "last"),
    )
    assert await world.fake.post_webhook(body) == 200  # stored: Meta stops retrying it
    stored = {event.participant_id: event.action for event in await _stored(world)}
    assert stored[world.pid(before)] == Answer(TextReply("first"))
    assert stored[world.pid(after)] == Answer(TextReply("last"))
    assert (world.pid(bad) in stored) is kept
    counted = world.app.metrics.registry.get_sample_value(
        "sauti_whatsapp_malformed_total", {"item": "message", "field": field}
    )
    assert counted == 1
