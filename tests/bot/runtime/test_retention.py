"""Retention on a real Redis, with answers given through the real pipeline: a closed campaign
past its retention keeps its results and loses everything personal; one not yet due, or open,
loses nothing; someone also in a live campaign keeps that one; a run again changes nothing;
and participants are told how long their answers are kept."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversation.campaign import DAY_MS, CampaignStatus
from bot.conversation.inbound import Action, Answer, Channel, Command, Join
from bot.loop.ledger import DecisionLedger
from bot.loop.report import campaign_report
from bot.loop.themes import theme_counts
from bot.records.recount import recount_results
from bot.records.results import campaign_results
from bot.records.triage_items import triage_item
from bot.records.triage_marks import Mark, Marked, mark_item, open_alerts
from bot.runtime import retention as retention_module
from bot.runtime import worker as worker_module
from bot.runtime.message_codec import message_to_plain
from bot.runtime.outbox import Priority, unseal
from bot.runtime.retention import erase_campaign, holding
from bot.storage.scripts import EXPIRE_CASES, EXPIRE_RESPONDENTS
from dialogues import parse
from dialogues.inbound import TextReply
from tests.kit.example import CAMPAIGN, example_survey, one_question_survey, open_example
from tests.kit.runtime import Runtime, make_runtime

LIVE = "live-2026"
LIVE_SURVEY = one_question_survey(LIVE, retention_days=45)
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
    """The cases of the chat's shard (each person here raises one: feedback)."""
    schema = runtime.schema
    shard = schema.shard_of(chat.pid)
    references: Any = await runtime.redis.zrange(schema.cases(shard), 0, -1)
    return [
        await runtime.redis.hgetall(schema.case(shard, ref.decode()))  # type: ignore[misc]
        for ref in references
    ]


def _results_only(counters: list[dict[bytes, bytes]]) -> list[dict[bytes, bytes]]:
    """The counters without the aggregates retention adds (`ret:`)."""
    return [
        {name: value for name, value in shard.items() if not name.startswith(b"ret:")}
        for shard in counters
    ]


async def test_past_retention_the_results_stay_and_everything_personal_goes(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    amina, juma, both = [await _answered(runtime, user) for user in ("amina", "juma", "both")]
    await both.press("consent", "quote:yes")  # their consents for the closed campaign go too
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
    assert _results_only(await _counters(runtime, CAMPAIGN)) == counters
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 0
    # Only in the campaign: nothing is left of them but what expires on its own (markers of
    # message ids, send claims), as after their own /delete.
    for chat in (amina, juma):
        assert await _keys_naming(runtime, chat.pid) <= {"e", "sent"}
    cases = [case for chat in (amina, juma, both) for case in await _cases(runtime, chat)]
    assert cases
    for case in cases:
        # Their words and who wrote them are gone; the case's reference and status stay.
        assert not {b"x", b"pid", b"lang", b"ch"} & set(case)
        assert (case[b"status"], case[b"cid"]) == (b"received", CAMPAIGN.encode())
        assert case[b"ret"]
    # Also in a live campaign: that one is kept, the closed one is gone.
    record = await both.record()
    assert record[b"wk"]
    assert record[f"c:{LIVE}".encode()] == b"1"
    assert f"c:{CAMPAIGN}".encode() not in record
    assert f"u:{CAMPAIGN}".encode() not in record
    assert f"k:take:{CAMPAIGN}".encode() not in record
    assert f"k:quote:{CAMPAIGN}".encode() not in record
    assert record[f"k:take:{LIVE}".encode()].startswith(b"1|")
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
    # A worker may hold their record: nothing of theirs is touched, or its commit would write
    # back what was erased. Kept for the next run.
    record = await amina.record()
    assert record[b"wk"]
    assert record[f"c:{CAMPAIGN}".encode()] == b"1"
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


async def test_someone_who_saw_the_data_notice_but_never_started_is_erased_whole(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    halima, both = Chat(runtime, "halima"), Chat(runtime, "both")
    for chat in (halima, both):
        await chat.say(CAMPAIGN)
        await chat.press("language", "en")  # the data notice shown; never answered
    await both.send(Join(LIVE, "en", updates=False))
    await both.say(LIVE_WORDS)
    record = await halima.record()
    assert record[b"cid"] == CAMPAIGN.encode()
    assert record[b"addr"]
    # Message ids of their chat, as the Telegram client keeps them for a quick exit: an
    # erasure takes them too.
    await runtime.redis.zadd(runtime.schema.telegram_history(halima.pid), {"17": 1})
    # `both` left it for the live campaign before starting it: it holds nothing of theirs.
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 1
    await _closed_days_ago(runtime, CAMPAIGN, 400)

    erased = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)

    assert erased is not None
    assert (erased.respondents, erased.participants, erased.completed) == (0, 1, True)
    assert erased.erased_ids == (halima.pid,)
    # No record, no address, no data key: as after their own /delete.
    assert await _keys_naming(runtime, halima.pid) <= {"e", "sent"}
    # Also in a live campaign: kept.
    assert (await both.record())[f"c:{LIVE}".encode()] == b"1"
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 0


async def test_a_participant_erasing_themselves_leaves_no_joiner_behind(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    halima = Chat(runtime, "halima")
    await halima.say(CAMPAIGN)
    await halima.press("language", "en")
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 1
    await halima.say("/delete")
    await halima.say("yes")
    assert await _keys_naming(runtime, halima.pid) <= {"e", "sent"}
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 0


async def test_someone_who_joins_one_campaign_then_another_then_erases_leaves_no_joiner(
    redis_client: Redis,
) -> None:
    """Joined, left for another campaign before starting the first, then erased: no joiners
    set still holds their pseudonym (the first campaign's would have kept it to its
    retention, though nothing else names them for it)."""
    runtime = await _deployment(redis_client)
    halima = Chat(runtime, "halima")
    await halima.say(CAMPAIGN)
    await halima.press("language", "en")  # the data notice of the first; never answered
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 1
    await halima.say(LIVE)  # the second campaign's join code instead
    assert (await halima.record())[b"cid"] == LIVE.encode()
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 0  # left it
    assert await holding(runtime.redis, runtime.schema, LIVE) == 1
    await halima.say("/delete")
    await halima.say("yes")
    shard = runtime.schema.shard_of(halima.pid)
    for campaign in (CAMPAIGN, LIVE):
        joiners: Any = await runtime.redis.smembers(runtime.schema.joiners(shard, campaign))
        assert halima.pid.encode() not in joiners
    assert await _keys_naming(runtime, halima.pid) <= {"e", "sent"}


async def test_a_campaign_reopened_during_a_run_is_not_marked_erased(
    redis_client: Redis, monkeypatch: Any
) -> None:
    runtime = await _deployment(redis_client)
    for user in ("u1", "u2", "u3", "u4", "u5", "u6"):
        await _answered(runtime, user)
    await _closed_days_ago(runtime, CAMPAIGN, 400)
    original = EXPIRE_RESPONDENTS
    calls: list[int] = []

    async def reopened_after_the_first_chunk(redis: Any, keys: Any, args: Any) -> Any:
        if calls or await runtime.redis.scard(keys[0]):  # from the first shard with someone
            calls.append(1)
        if len(calls) == 1:  # the operator reopens the campaign while that chunk runs
            await runtime.campaigns.set_status(CAMPAIGN, CampaignStatus.OPEN)
        return await original(redis, keys, args)

    monkeypatch.setattr(retention_module, "EXPIRE_RESPONDENTS", reopened_after_the_first_chunk)
    erased = await erase_campaign(
        runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN, chunk=1
    )

    assert erased is not None
    assert not erased.completed
    assert len(calls) == 1  # no chunk after the reopening
    assert await runtime.campaigns.purged_at(CAMPAIGN) is None
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 5
    # Closed again later: a new retention period, and then it is erased.
    await _closed_days_ago(runtime, CAMPAIGN, 400)
    monkeypatch.setattr(retention_module, "EXPIRE_RESPONDENTS", original)
    again = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)
    assert again is not None
    assert again.completed
    assert await runtime.campaigns.purged_at(CAMPAIGN) is not None


async def test_marked_erased_only_if_still_closed_since_the_same_time(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    await _closed_days_ago(runtime, CAMPAIGN, 400)
    closed = await runtime.campaigns.closed_since(CAMPAIGN)
    assert closed is not None
    await runtime.campaigns.set_status(CAMPAIGN, CampaignStatus.OPEN)
    await runtime.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)  # a new closing time
    assert not await runtime.campaigns.mark_purged(CAMPAIGN, closed, int(time.time() * 1000))
    assert await runtime.campaigns.purged_at(CAMPAIGN) is None


async def test_the_loop_reports_contributors_and_theme_counts_stay(redis_client: Redis) -> None:
    runtime = await _deployment(redis_client)
    chats = [await _answered(runtime, user) for user in ("a1", "a2", "a3", "a4", "a5", "a6")]
    for n, chat in enumerate(chats):
        themes = "water,price" if n % 2 else "water"
        await runtime.redis.hset(runtime.schema.themes(chat.pid, CAMPAIGN), "q", themes)
    ledger = DecisionLedger(runtime.redis, runtime.schema, runtime.campaigns)

    async def figures() -> tuple[int, dict[str, int]]:
        campaign = await runtime.campaigns.get(CAMPAIGN)
        assert campaign is not None
        report = await campaign_report(
            runtime.redis, runtime.schema, ledger, campaign, dt.datetime.now(dt.UTC).date()
        )
        themes = await theme_counts(runtime.redis, runtime.schema, CAMPAIGN)
        return report.contributors, dict(themes)

    before = await figures()
    assert before == (6, {"water": 6, "price": 3})
    survey = parse(example_survey())
    results = await campaign_results(runtime.redis, runtime.schema, survey, by=None, minimum=2)
    await _closed_days_ago(runtime, CAMPAIGN, 400)
    erased = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)
    assert erased is not None
    assert erased.completed

    assert await figures() == before
    # A recount finds no sessions of an erased campaign: it leaves its results alone.
    await recount_results(runtime.redis, runtime.schema)
    again = await campaign_results(runtime.redis, runtime.schema, survey, by=None, minimum=2)
    assert again == results
    assert await figures() == before


async def test_a_commit_in_flight_during_the_run_writes_nothing_back(
    redis_client: Redis, monkeypatch: Any
) -> None:
    """Retention runs while a worker holds the participant's record (between its load and its
    commit): the participant is left for the next run, which erases them."""
    runtime = await _deployment(redis_client)
    both = await _answered(runtime, "both")
    await _also_live(both)
    await _closed_days_ago(runtime, CAMPAIGN, 400)
    original = worker_module.Worker._commit
    ran: list[Any] = []

    async def commit_after_retention(self: Any, *args: Any) -> Any:
        if not ran:
            ran.append(
                await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)
            )
        return await original(self, *args)

    monkeypatch.setattr(worker_module.Worker, "_commit", commit_after_retention)
    await both.say("help")
    monkeypatch.setattr(worker_module.Worker, "_commit", original)
    assert ran[0] is not None
    assert not ran[0].completed
    assert await runtime.campaigns.purged_at(CAMPAIGN) is None

    erased = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)

    assert erased is not None
    assert erased.completed
    record = await both.record()
    assert f"c:{CAMPAIGN}".encode() not in record
    assert f"u:{CAMPAIGN}".encode() not in record
    [data] = await both.say("my data")
    assert LIVE_WORDS in data["text"]
    assert STORY not in data["text"]


async def test_a_case_added_during_a_run_is_not_left_behind(
    redis_client: Redis, monkeypatch: Any
) -> None:
    runtime = await _deployment(redis_client)
    chats = [await _answered(runtime, user) for user in ("c1", "c2", "c3", "c4", "c5", "c6")]
    schema = runtime.schema
    shard = max(range(schema.shards), key=lambda s: sum(schema.shard_of(c.pid) == s for c in chats))
    references: Any = await runtime.redis.zrange(schema.cases(shard), 0, -1, withscores=True)
    assert len(references) >= 2
    [raised_by] = [c for c in chats if schema.shard_of(c.pid) == shard][:1]
    await _closed_days_ago(runtime, CAMPAIGN, 400)
    original = EXPIRE_CASES
    late = schema.case(shard, "C-LATE")
    pages: list[Any] = []

    async def a_case_arrives_after_the_first_page(redis: Any, keys: Any, args: Any) -> Any:
        if keys == [schema.cases(shard)]:
            pages.append(args)
        if len(pages) == 2 and not await runtime.redis.exists(late):
            # A concern whose event waited in the stream: it goes in with its earlier time,
            # behind the page being read.
            await runtime.redis.hset(
                late, mapping={"pid": raised_by.pid, "cid": CAMPAIGN, "x": "sealed", "ch": "wa"}
            )
            await runtime.redis.zadd(schema.cases(shard), {"C-LATE": references[0][1] - 1})
        return await original(redis, keys, args)

    monkeypatch.setattr(retention_module, "EXPIRE_CASES", a_case_arrives_after_the_first_page)
    monkeypatch.setattr(retention_module, "CASE_PAGE", 1)
    first = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)
    assert first is not None
    second = await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)
    assert second is not None

    # Not marked erased while a case of it still named someone; the late one is stripped too.
    assert (first.completed, second.completed) == (False, True)
    for reference in [b"C-LATE", *(ref for ref, _ in references)]:
        case: Any = await runtime.redis.hgetall(schema.case(shard, reference.decode()))
        assert not {b"x", b"pid", b"ch"} & set(case)
        assert case[b"ret"]


async def test_someone_who_writes_without_joining_a_campaign_leaves_no_record(
    redis_client: Redis,
) -> None:
    """No campaign's retention reaches them, so none is kept: a record is made only when they
    pick a campaign (and then they are one of its joiners)."""
    runtime = await _deployment(redis_client)
    quiet = Chat(runtime, "quiet")
    [menu] = await quiet.say("hello")  # no join code: shown the campaigns, picks none
    assert menu["text"] == "Which survey would you like to answer?"
    assert await _keys_naming(runtime, quiet.pid) <= {"e"}  # their message's marker only
    await quiet.say("2")  # picks one: a record, and a joiner of that campaign
    assert (await quiet.record())[b"cid"] == CAMPAIGN.encode()
    assert await holding(runtime.redis, runtime.schema, CAMPAIGN) == 1


async def test_the_erased_events_of_those_erased_whole_keep_the_deployment_dedupe_window(
    redis_client: Redis,
) -> None:
    """The markers of an erased person's messages are kept for the deployment's dedupe
    window (SAUTI_DEDUPE_TTL_SECONDS), not a fixed one."""
    runtime = await _deployment(redis_client)
    halima = Chat(runtime, "halima")
    await halima.say(CAMPAIGN)
    await halima.press("language", "en")  # the data notice shown; never answered
    await _closed_days_ago(runtime, CAMPAIGN, 400)

    erased = await erase_campaign(
        runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN, dedupe_seconds=3600
    )

    assert erased is not None
    assert erased.erased_ids == (halima.pid,)
    kept = runtime.schema.erased_events(runtime.schema.shard_of(halima.pid))
    assert await runtime.redis.zcard(kept) > 0
    assert 0 < await runtime.redis.ttl(kept) <= 3600


async def _triage_keys(runtime: Runtime, campaign_id: str) -> list[Any]:
    """Every item, mark and open alert of the campaign's triage queue, over the shards."""
    schema, redis = runtime.schema, runtime.redis
    found: list[Any] = []
    for shard in range(schema.shards):
        items: Any = await redis.zrange(schema.triage(shard, campaign_id), 0, -1)
        alerts: Any = await redis.zrange(schema.safety_alerts(shard, campaign_id), 0, -1)
        found += [*items, *await redis.hkeys(schema.triage_marks(shard, campaign_id)), *alerts]
    return found


async def test_past_retention_the_triage_queue_loses_its_items_flags_and_alerts(
    redis_client: Redis,
) -> None:
    runtime = await _deployment(redis_client)
    amina, both = [await _answered(runtime, user) for user in ("amina", "both")]
    await _also_live(both)
    for chat in (amina, both):
        # Flags, and a dismissed theme suggestion (a mark as well).
        for mark, value in ((Mark.SAFETY, "5"), (Mark.URGENT, "5"), (Mark.DISMISSED, "water")):
            shard, item = runtime.schema.shard_of(chat.pid), triage_item(chat.pid, "unsafe_what")
            done = await mark_item(
                runtime.redis, runtime.schema, CAMPAIGN, shard, item, mark, value
            )
            assert done in (Marked.CHANGED, Marked.ALERT_RAISED)
    assert len(await _triage_keys(runtime, CAMPAIGN)) == 2 * 5
    live = await _triage_keys(runtime, LIVE)
    assert len(live) == 1

    await _closed_days_ago(runtime, CAMPAIGN, 366)
    await erase_campaign(runtime.redis, runtime.schema, runtime.campaigns, CAMPAIGN)

    assert await _triage_keys(runtime, CAMPAIGN) == []
    assert await open_alerts(runtime.redis, runtime.schema, [CAMPAIGN]) == []
    assert await _triage_keys(runtime, LIVE) == live  # the live campaign keeps its queue
