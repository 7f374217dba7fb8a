"""`sauti dead-letters list|replay`: an event that kept failing is parked, listed without its
body, and once the cause is fixed replayed and processed exactly once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.conversation.inbound import InboundEvent, Join
from bot.conversation.outgoing import Outgoing
from bot.privacy import ParticipantCrypto
from bot.runtime.event_codec import encode
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from bot.secret import Secret
from tests.bot.commands import Deployment, deployed, sauti
from tests.kit.example import CAMPAIGN, open_example
from tests.kit.stored import counters

ADDRESS = "+255700000001"


@pytest.fixture
async def deployment(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Deployment]:
    # One failure is enough to dead-letter: the tests need not poll five times.
    async with deployed(redis_url, tmp_path, monkeypatch, SAUTI_MAX_ATTEMPTS="1") as value:
        yield value


async def _break_campaign(deployment: Deployment) -> None:
    """A stored survey that no longer parses (e.g. written by a newer Sauti, or by hand)."""
    key = deployment.app.schema.campaign(CAMPAIGN)
    await deployment.app.redis.hset(key, mapping={"source": "questions: [", "revision": "bad"})


async def _fix_campaign(deployment: Deployment) -> None:
    await open_example(deployment.app.campaigns)


async def _joins_while_broken(deployment: Deployment) -> dict[str, InboundEvent]:
    await _break_campaign(deployment)
    joins = {}
    for name, language in (("amina", "sw"), ("juma", "en")):
        pid = deployment.participant(f"tok-{name}")
        joins[name] = await deployment.send(pid, Join(CAMPAIGN, language), address=ADDRESS)
    assert await deployment.drain() == 2  # both dead-lettered
    return joins


async def _listed(capsys: pytest.CaptureFixture[str], *options: str) -> list[dict[str, str]]:
    assert await sauti("dead-letters", "list", *options) == 0
    lines = capsys.readouterr().out.splitlines()
    if not lines:
        return []
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


async def _state(deployment: Deployment, pids: list[str]) -> Any:
    """Counters, sessions and answers: what a replay must not change twice."""
    app, pipe = deployment.app, deployment.app.redis.pipeline(transaction=False)
    for pid in pids:
        pipe.get(app.schema.session(pid, CAMPAIGN))
        pipe.hgetall(app.schema.answers(pid, CAMPAIGN))
    return await counters(app.redis, app.schema, CAMPAIGN), await pipe.execute()


async def test_list_shows_routing_facts_and_never_the_body(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    joins = await _joins_while_broken(deployment)
    listed = await _listed(capsys)
    assert sorted(letter["event"] for letter in listed) == sorted(
        join.event_id for join in joins.values()
    )
    schema = deployment.app.schema
    for letter in listed:
        join = next(j for j in joins.values() if j.event_id == letter["event"])
        assert letter["shard"] == str(schema.shard_of(join.participant_id))
        assert letter["error"] == "SurveyDefinitionError"
        assert letter["channel"] == "webchat"
        assert letter["received"].endswith("Z")
        assert letter["entry"].count("-") == 1
    dead: Any = await deployment.app.redis.xrange(schema.dead_letters(int(listed[0]["shard"])))
    assert dead[0][1][b"body"].hex() not in json.dumps(listed)
    assert ADDRESS.lstrip("+") not in json.dumps(listed)
    shard = listed[0]["shard"]
    assert {letter["shard"] for letter in await _listed(capsys, "--shard", shard)} == {shard}


async def test_replayed_after_the_fix_it_is_processed_once_and_replaying_again_changes_nothing(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    joins = await _joins_while_broken(deployment)
    pids = [join.participant_id for join in joins.values()]
    amina = next(
        letter for letter in await _listed(capsys) if letter["event"] == joins["amina"].event_id
    )
    stream = deployment.app.schema.dead_letters(int(amina["shard"]))
    parked: Any = await deployment.app.redis.xrange(stream, amina["id"], amina["id"])
    await _fix_campaign(deployment)

    assert await sauti("dead-letters", "replay", amina["id"]) == 0
    assert f"replayed {amina['id']}" in capsys.readouterr().out
    assert await deployment.drain() == 1
    assert await counters(deployment.app.redis, deployment.app.schema, CAMPAIGN) == {"started": 1}
    assert [letter["event"] for letter in await _listed(capsys)] == [joins["juma"].event_id]
    assert await sauti("dead-letters", "replay", amina["id"]) == 1  # it is gone
    assert "not found" in capsys.readouterr().err

    assert await sauti("dead-letters", "replay", "--all") == 0
    assert "replayed 1 dead letters" in capsys.readouterr().out
    assert await deployment.drain() == 1
    await deployment.send(pids[0], "1, 3")
    assert await deployment.drain() == 1
    before = await _state(deployment, pids)
    assert before[0] == {"started": 2, "answers": 1}

    # The same event dead-lettered again although it was committed (e.g. a worker crashed
    # between commit and bookkeeping): replaying it records nothing twice.
    await deployment.app.redis.xadd(stream, parked[0][1])
    assert await sauti("dead-letters", "replay", "--all") == 0
    assert await deployment.drain() == 1
    assert await _state(deployment, pids) == before
    assert await _listed(capsys) == []


async def test_an_event_that_cannot_be_read_is_parked_and_listed(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    pid = deployment.participant("tok-neema")
    event = await deployment.send(pid, Join(CAMPAIGN, "en"))
    await deployment.drain()
    other = ParticipantCrypto(Secret(b"\x00" * 32), Secret(b"\x00" * 32))
    fields: Any = encode(event, other)  # sealed with another key: undecodable
    shard = deployment.app.schema.shard_of(pid)
    await deployment.app.redis.xadd(deployment.app.schema.inbound(shard), fields)
    assert await deployment.drain() == 1
    [letter] = await _listed(capsys)
    assert (letter["error"], letter["event"], letter["shard"]) == (
        "DecryptionError",
        event.event_id,
        str(shard),
    )


async def test_an_id_held_by_two_shards_needs_a_shard(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    app = deployment.app
    event = await deployment.send(deployment.participant("tok-amina"), Join(CAMPAIGN, "en"))
    letter: Any = {**encode(event, app.crypto), "error": "KeyError", "entry": "1-0"}
    for shard in (1, 3):
        await app.redis.xadd(app.schema.dead_letters(shard), letter, id="5-0")
    assert await sauti("dead-letters", "replay", "5-0") == 1
    assert "in shards 1, 3: add --shard" in capsys.readouterr().err
    assert await sauti("dead-letters", "replay", "5-0", "--shard", "3") == 0
    assert "replayed 5-0 (shard 3)" in capsys.readouterr().out
    assert [row["shard"] for row in await _listed(capsys)] == ["1"]
    replayed: Any = await app.redis.xrange(app.schema.inbound(3))
    assert set(replayed[-1][1]) == {b"id", b"ch", b"pid", b"t", b"body"}  # without error, entry


@pytest.mark.parametrize(
    "argv",
    [
        ("replay",),
        ("replay", "1-0", "--all"),
        ("replay", "not-an-id"),
        ("list", "--shard", "4"),  # shards are 0 to 3 here
    ],
)
async def test_unusable_arguments_exit_2(
    deployment: Deployment, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    assert await sauti("dead-letters", *argv) == 2
    assert capsys.readouterr().err.startswith("sauti: ")


async def test_messages_set_aside_by_a_sender_are_listed_and_put_back_in_their_outbox(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    app = deployment.app
    pid = deployment.participant("tok-outbox")
    entry = OutboxEntry("notice-7", pid, "whatsapp", Outgoing("news"), 1_795_000_000_000)
    await enqueue(app.redis, app.schema, app.crypto, entry, Priority.BULK)
    sender = app.sender({})  # no WhatsApp client in this deployment: the message is set aside
    shard = app.schema.shard_of(pid)
    await sender.prepare(shard)
    assert await sender.poll(shard) == 1

    [letter] = await _listed(capsys, "--outbox")
    assert (letter["error"], letter["event"], letter["channel"]) == (
        "NoChannelClient",
        "notice-7",
        "whatsapp",
    )
    assert "news" not in capsys.readouterr().out
    assert await _listed(capsys) == []  # inbound dead letters are a separate list

    assert await sauti("dead-letters", "replay", "--outbox", "--all") == 0
    assert "replayed 1 dead letters" in capsys.readouterr().out
    assert await _listed(capsys, "--outbox") == []
    back: Any = await app.redis.xrange(app.schema.outbox(shard, Priority.BULK))
    assert [fields[b"k"] for _, fields in back][-1] == b"notice-7"
