"""Retention on a real Redis, with answers given through the real pipeline: a closed campaign
past its retention keeps its results and loses everything personal; one not yet due, or open,
loses nothing; someone also in a live campaign keeps that one; a run again changes nothing;
and participants are told how long their answers are kept."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversation.campaign import DAY_MS, CampaignStatus
from bot.conversation.inbound import Action, Answer, Channel, Command, Join
from bot.records.results import campaign_results
from bot.runtime.message_codec import message_to_plain
from bot.runtime.outbox import Priority, unseal
from bot.runtime.retention import erase_campaign, holding
from dialogues import parse
from dialogues.inbound import TextReply
from tests.kit.example import CAMPAIGN, example_survey, open_example
from tests.kit.runtime import Runtime, make_runtime

LIVE = "live-2026"
LIVE_SURVEY = f"""\
spec_version: 1
id: {LIVE}
organisation: {{en: "Maji Co"}}
title: {{en: "Water"}}
languages: [en]
default_language: en
promise: {{en: "We will tell you by March."}}
retention_days: 45
questions:
  - id: note
    kind: text
    text: {{en: "Anything else?"}}
"""
STORY = "the tower is far from the checkpoint"
LIVE_WORDS = "the pump broke again"


@dataclass
class Chat:
    """One person on WhatsApp: what they send, and what Sauti sends back (from the outbox)."""

    runtime: Runtime
    user: str
    _read: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> str:
        return self.runtime.participant(self.user, Channel.WHATSAPP)

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.send(Answer(TextReply(text)))

    async def press(self, name: str, argument: str = "") -> list[dict[str, Any]]:
        return await self.send(Command(name, argument))

    async def send(self, action: Action, *, process: bool = True) -> list[dict[str, Any]]:
        event = self.runtime.event(self.pid, action, f"addr-{self.user}", Channel.WHATSAPP)
        await self.runtime.ingestor.ingest(event)
        if not process:
            return []
        await self.runtime.drain()
        return await self.received()

    async def received(self) -> list[dict[str, Any]]:
        schema = self.runtime.schema
        stream = schema.outbox(schema.shard_of(self.pid), Priority.REPLY)
        start = self._read.get(stream, "-")
        entries: Any = await self.runtime.redis.xrange(stream, min=start)
        messages = []
        for entry_id, fields in entries:
            if entry_id.decode() == start:
                continue
            entry = unseal(fields, self.runtime.crypto)
            if entry.participant_id == self.pid:
                messages.append(message_to_plain(entry.message))
            self._read[stream] = entry_id.decode()
        return messages

    async def record(self) -> dict[bytes, bytes]:
        found: Any = await self.runtime.redis.hgetall(self.runtime.schema.participant(self.pid))
        return defaultdict(bytes, found)


async def _deployment(redis: Redis) -> Runtime:
    runtime = make_runtime(redis, shards=3)
    await open_example(runtime.campaigns)
    await runtime.campaigns.load(LIVE_SURVEY, open_now=True)
    return runtime


async def _answered(runtime: Runtime, user: str) -> Chat:
    """Joins the example campaign and answers up to a free text (`STORY`), then sends
    feedback: a case of the campaign with their words."""
    chat = Chat(runtime, user)
    await chat.say(CAMPAIGN)
    await chat.press("language", "en")
    await chat.press("consent", "take:yes")
    await chat.press("updates", "yes")
    for reply in ("1", "1,2", "yes", STORY):
        await chat.say(reply)
    await chat.say("feedback")
    await chat.say(f"{user} says the mast is down")
    return chat


async def _also_live(chat: Chat) -> None:
    await chat.send(Join(LIVE, "en", updates=False))
    await chat.say(LIVE_WORDS)


async def _closed_days_ago(runtime: Runtime, campaign_id: str, days: int) -> None:
    """Close the campaign, then move its closing time back: `days` have passed since."""
    await runtime.campaigns.set_status(campaign_id, CampaignStatus.CLOSED)
    closed = int(time.time() * 1000) - days * DAY_MS
    await runtime.redis.hset(runtime.schema.campaign(campaign_id), "closed", str(closed))


async def _counters(runtime: Runtime, campaign_id: str) -> list[dict[bytes, bytes]]:
    schema = runtime.schema
    return [
        await runtime.redis.hgetall(schema.counters(shard, campaign_id))  # type: ignore[misc]
        for shard in range(schema.shards)
    ]


async def _keys_naming(runtime: Runtime, pid: str) -> set[str]:
    """Every key whose name holds the participant id, by family (`p`, `s`, `e`, ...)."""
    found = set()
    async for key in runtime.redis.scan_iter(match=f"t:*{pid}*"):
        found.add(key.decode().split(":")[2])
    return found


async def _cases(runtime: Runtime, chat: Chat) -> list[dict[bytes, bytes]]:
    schema = runtime.schema
    shard = schema.shard_of(chat.pid)
    references: Any = await runtime.redis.zrange(schema.cases(shard), 0, -1)
    cases: list[dict[bytes, bytes]] = [
        await runtime.redis.hgetall(schema.case(shard, ref.decode()))  # type: ignore[misc]
        for ref in references
    ]
    return [case for case in cases if case[b"pid"] == chat.pid.encode()]


async def test_past_retention_the_results_stay_and_everything_personal_goes(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    amina, juma, both = [await _answered(runtime, user) for user in ("amina", "juma", "both")]
    await _also_live(both)
    survey = parse(example_survey())
    before = await campaign_results(runtime.redis, runtime.schema, survey, by=None, minimum=2)
    counters = await _counters(runtime, CAMPAIGN)
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 3

    await _closed_days_ago(runtime, CAMPAIGN, 366)  # the deployment keeps data 365 days
    erased = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)

    assert erased is not None
    assert (erased.respondents, erased.participants, erased.case_texts) == (3, 2, 3)
    assert erased.completed
    # The aggregates are untouched: the same results, the same counters.
    after = await campaign_results(runtime.redis, runtime.schema, survey, by=None, minimum=2)
    assert after == before
    assert await _counters(runtime, CAMPAIGN) == counters
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 0
    # Only in the campaign: nothing is left of them but what expires on its own (markers of
    # message ids, send claims), as after their own /delete.
    for chat in (amina, juma):
        assert await _keys_naming(runtime, chat.pid) <= {"e", "sent"}
        [case] = await _cases(runtime, chat)
        assert b"x" not in case  # their words are gone; the case's reference and status stay
        assert (case[b"status"], case[b"cid"]) == (b"received", CAMPAIGN.encode())
    # Also in a live campaign: that one is kept, the closed one is gone.
    record = await both.record()
    assert record[b"wk"]
    assert record[f"c:{LIVE}".encode()] == b"1"
    assert f"c:{CAMPAIGN}".encode() not in record
    assert f"u:{CAMPAIGN}".encode() not in record
    schema = runtime.schema
    assert not await runtime.redis.exists(
        schema.session(both.pid, CAMPAIGN), schema.answers(both.pid, CAMPAIGN)
    )
    assert (
        await runtime.redis.exists(schema.session(both.pid, LIVE), schema.answers(both.pid, LIVE))
        == 2
    )
    [data] = await both.say("my data")
    assert LIVE_WORDS in data["text"]
    assert STORY not in data["text"]


async def test_someone_joining_another_campaign_at_that_moment_keeps_their_record(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    amina = await _answered(runtime, "amina")
    # The data notice (and on WhatsApp how to clear the chat): they have not started it yet.
    [consent, _, _, _] = await amina.say(LIVE)
    assert consent["text"].startswith("Maji Co is asking")
    record = await amina.record()
    assert (record[b"cid"], f"c:{LIVE}".encode() in record) == (LIVE.encode(), False)
    await _closed_days_ago(runtime, CAMPAIGN, 366)

    erased = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)

    assert erased is not None
    assert (erased.respondents, erased.participants) == (1, 0)
    assert (await amina.record())[b"wk"]
    assert not await runtime.redis.exists(runtime.schema.answers(amina.pid, CAMPAIGN))


async def test_running_again_changes_nothing(redis_client: Redis) -> None:
    runtime = await _deployment(redis_client)
    await _answered(runtime, "amina")
    await _closed_days_ago(runtime, CAMPAIGN, 400)
    await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)
    counters = await _counters(runtime, CAMPAIGN)
    keys = sorted(await runtime.redis.keys("t:*"))

    again = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)

    assert again is not None
    assert (again.respondents, again.participants, again.case_texts) == (0, 0, 0)
    assert sorted(await runtime.redis.keys("t:*")) == keys
    assert await _counters(runtime, CAMPAIGN) == counters


async def test_a_campaign_not_yet_due_or_open_loses_nothing(redis_client: Redis) -> None:
    runtime = await _deployment(redis_client)
    await _answered(runtime, "amina")
    await _closed_days_ago(runtime, CAMPAIGN, 364)  # one day before it is due
    keys = sorted(await runtime.redis.keys("t:*"))

    assert await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN) is None
    await runtime.campaigns.set_status(CAMPAIGN, CampaignStatus.OPEN)  # reopened: never due
    assert await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN) is None

    assert sorted(await runtime.redis.keys("t:*")) == keys
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 1


async def test_a_participant_with_an_event_in_flight_keeps_their_record_until_the_next_run(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    amina = await _answered(runtime, "amina")
    await _closed_days_ago(runtime, CAMPAIGN, 366)
    await amina.say("my data")  # read what is held (committed)
    await amina.send(Answer(TextReply("help")), process=False)  # stored, not yet processed

    first = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)

    assert first is not None
    assert (first.respondents, first.left, first.completed) == (0, 1, False)
    assert (await amina.record())[b"wk"]  # a worker may hold it: kept for now
    assert not await runtime.redis.exists(runtime.schema.answers(amina.pid, CAMPAIGN))
    await runtime.drain()
    second = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)
    assert second is not None
    assert (second.respondents, second.participants, second.completed) == (1, 1, True)
    assert await _keys_naming(runtime, amina.pid) <= {"e", "sent"}


async def test_the_data_notice_says_how_long_answers_are_kept(redis_client: Redis) -> None:
    runtime = await _deployment(redis_client)
    chat = Chat(runtime, "neema")
    # One language: none to choose. (The line before the question says how to clear a
    # WhatsApp chat: bot.conversation.quick_exit.)
    consent, kept, _, question = await chat.say(LIVE)
    assert "What happens with your answers" in consent["text"]
    assert kept["text"] == (
        "Your answers are kept for 45 days after this survey closes, then deleted; "
        "only totals remain."
    )
    assert question["text"] == "Do you agree to take part?"
    await chat.press("consent", "take:yes")
    await chat.press("updates", "no")
    await chat.say(LIVE_WORDS)
    await runtime.campaigns.set_status(LIVE, CampaignStatus.CLOSED)
    closed = (await runtime.campaigns.get(LIVE)).closed_ms  # type: ignore[union-attr]
    assert closed is not None
    [data] = await chat.say("my data")
    until = time.strftime("%Y-%m-%d", time.gmtime(closed / 1000 + 45 * 86400))
    assert f"Kept until {until}, then deleted; only totals remain." in data["text"]
