"""Erasure that holds on disk: after /delete and the rewrite window, the embedded Redis's files
hold nothing that, with every key on the server, decrypts the erased person's data.

Each test runs its own embedded Redis (the binary Sauti runs) in a private directory and reads
its files as an attacker with the master keys would (tests/kit/disk.py)."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from bot.app import App
from bot.channels.whatsapp.metrics import WhatsAppMetrics
from bot.channels.whatsapp.statuses import StatusStore
from bot.conversation.campaign import DAY_MS, CampaignStatus
from bot.conversation.inbound import Answer, Channel, Command, InboundEvent, Join
from bot.conversation.outgoing import Outgoing
from bot.records.key_holders import live_holders
from bot.runtime.delivery import SendLimits
from bot.runtime.disk_erasure import DiskEraser, DiskErasureMetrics
from bot.runtime.erasure_traces import erasure_traces
from bot.runtime.outbox import OutboxEntry, Priority, enqueue
from bot.runtime.retention import erase_campaign
from bot.runtime.sender import SenderConfig
from bot.settings import read_settings
from bot.storage import EmbeddedRedis, connect, lua, scripts
from bot.storage.disk_rewrite import RewriteError, data_files
from bot.storage.erasure_marks import note_erasure, read_marks
from bot.storage.keys import KeySchema
from bot.storage.lua import run_batch
from dialogues.inbound import Inbound, TextReply
from tests.bot.runtime.fake_channel import FakePlatform
from tests.kit.disk import raw_bytes, recover
from tests.kit.example import open_example
from tests.kit.running import built, sauti_run, send_all
from tests.kit.runtime import Runtime, make_runtime, make_sender
from tests.kit.settings import METRICS_PORTS, deployment_settings
from tests.kit.waiting import until

CAMPAIGN = "safe-connect-2026"
LATER = 3600.0  # a clock this far ahead: every window and grace has passed


@dataclass
class Server:
    embedded: EmbeddedRedis
    redis: Redis

    @property
    def data_dir(self) -> Path:
        return self.embedded.data_dir


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    # A short directory name: the unix socket's path must fit in 107 bytes.
    with tempfile.TemporaryDirectory(prefix="sauti-") as directory:
        embedded = EmbeddedRedis(Path(directory) / "var")
        embedded.start()
        redis = connect(embedded.url)
        await lua.load(redis, scripts.PIPELINE)  # as Sauti does at start
        server = Server(embedded, redis)
        try:
            yield server
        finally:  # the server a test restarted, if it did
            await server.redis.aclose()
            server.embedded.stop()


@dataclass
class Person:
    runtime: Runtime
    user: str
    words: str  # their free-text answer

    @property
    def pid(self) -> str:
        return self.runtime.participant(self.user, Channel.WHATSAPP)

    @property
    def address(self) -> str:
        return f"+2557{abs(hash(self.user)) % 10**8:08d}"

    async def send(self, action: Answer | Command) -> None:
        event = self.runtime.event(self.pid, action, self.address, Channel.WHATSAPP)
        await self.runtime.ingestor.ingest(event)
        await self.runtime.drain()

    async def say(self, text: str) -> None:
        await self.send(Answer(TextReply(text)))

    async def answer_survey(self) -> None:
        await self.say(CAMPAIGN)
        await self.send(Command("language", "en"))
        await self.send(Command("updates", "yes"))
        for reply in ("1", "1,2", "yes", self.words):
            await self.say(reply)

    async def erase(self) -> None:
        await self.say("delete")
        await self.send(Command("delete", "confirm"))


def eraser(
    server: Server,
    runtime: Runtime,
    window: float = 0.0,
    registry: CollectorRegistry | None = None,
    **options: float,
) -> DiskEraser:
    return DiskEraser(
        server.redis,
        runtime.schema,
        server.data_dir,
        window_seconds=window,
        name="test",
        metrics=DiskErasureMetrics(registry or CollectorRegistry()),
        clock=lambda: time.time() + LATER,
        **options,
    )


async def people(server: Server, *names: str) -> tuple[Runtime, list[Person]]:
    runtime = make_runtime(server.redis, shards=2)
    await open_example(runtime.campaigns)
    found = [
        Person(runtime, name, f"{name} says the tower by the river is unsafe") for name in names
    ]
    for person in found:
        await person.answer_survey()
    return runtime, found


def whatsapp_statuses(server: Server, runtime: Runtime) -> StatusStore:
    return StatusStore(
        server.redis,
        runtime.schema,
        crypto=runtime.crypto,
        metrics=WhatsAppMetrics(CollectorRegistry()),
        record_ttl_seconds=86400,
        body_ttl_seconds=300,
    )


async def send_everything(runtime: Runtime) -> FakePlatform:
    """The sender delivers every reply waiting, the goodbye after an erasure among them."""
    platform = FakePlatform(SendLimits(1000, 1000, 0.001, 1000), Channel.WHATSAPP)
    await send_all(make_sender(runtime, platform), runtime.schema.shards)
    return platform


async def test_nothing_on_disk_decrypts_an_erased_person_after_the_rewrite(
    server: Server,
) -> None:
    runtime, (victim, other) = await people(server, "victim", "neighbour")
    crypto = runtime.crypto
    # A notice quoting them waits in the outbox when they erase themselves.
    quoting = Outgoing(f"You said: {victim.words}")
    await enqueue(
        server.redis,
        runtime.schema,
        crypto,
        OutboxEntry("notice-1", victim.pid, "whatsapp", quoting, 1),
        Priority.BULK,
    )
    # WhatsApp keeps a copy of what it just sent them, to resend it on a failed status.
    statuses = whatsapp_statuses(server, runtime)
    await statuses.remember(victim.pid, "wamid.RECENT", "ev:0", Outgoing(f"Noted: {victim.words}"))
    await server.redis.bgrewriteaof()  # a rewrite before the erasure holds them too
    await asyncio.sleep(0.5)
    before = recover(data_files(server.data_dir), [crypto], [victim.pid, other.pid])
    assert before.mention(victim.words), "the attack finds them while they are not erased"
    assert before.mention(f"Noted: {victim.words}"), "the attack opens the WhatsApp copy"

    await victim.erase()
    platform = await send_everything(runtime)
    goodbye = [d for d in platform.delivered if d.address == victim.address]
    assert goodbye[-1].message["text"].startswith("Everything we held about you")
    assert not [d for d in platform.delivered if "You said" in d.message["text"]]

    done = await eraser(server, runtime).rewrite_if_due()
    assert done is not None

    disk = raw_bytes(server.data_dir)
    # Their pseudonym too: with the id secret, trying a country's numbers gives the address.
    for secret in (victim.words, victim.address, "the tower by the river", victim.pid):
        assert secret.encode() not in disk
    after = recover(data_files(server.data_dir), [crypto], [victim.pid, other.pid])
    assert after.mention(victim.words, victim.address, victim.pid) == []
    # What remains is still readable with the same attack: it is the erased person who is gone.
    assert after.mention(other.words)
    assert (await read_marks(server.redis, runtime.schema)).waiting == 0


async def test_a_burst_of_fifty_erasures_costs_one_rewrite(server: Server) -> None:
    runtime = make_runtime(server.redis, shards=2)
    await open_example(runtime.campaigns)
    burst = [Person(runtime, f"p{n}", "") for n in range(50)]
    for person in burst:
        await person.say(CAMPAIGN)
        await person.send(Command("language", "en"))
    registry = CollectorRegistry()
    metrics = DiskErasureMetrics(registry)
    rewrites_before = _rewrites_started(server)
    late = [0.0]  # the clock jumps past the window once the burst is over
    task = DiskEraser(
        server.redis,
        runtime.schema,
        server.data_dir,
        window_seconds=60,  # longer than the burst takes
        name="test",
        metrics=metrics,
        poll_seconds=0.05,
        clock=lambda: time.time() + late[0],
    )
    stop = asyncio.Event()
    running = asyncio.create_task(task.run(stop))
    for person in burst:
        await person.erase()
    # Each erasure is noted twice: with its commit, and with the deletion of its own inbound
    # entry just after (so a rewrite in between is followed by another).
    assert (await read_marks(server.redis, runtime.schema)).waiting == 100
    late[0] = LATER

    async def all_rewritten() -> bool:
        return (await read_marks(server.redis, runtime.schema)).waiting == 0

    await until(all_rewritten, waiting_for="the erasures to be rewritten off the disk")
    await asyncio.sleep(0.3)  # a second rewrite, were there one, would start within this
    stop.set()
    await running
    assert registry.get_sample_value("sauti_erasure_rewrite_seconds_count") == 1
    assert registry.get_sample_value("sauti_erasure_rewrite_failures_total") == 0
    assert _rewrites_started(server) == rewrites_before + 1  # as Redis's own log tells it


def _rewrites_started(server: Server) -> int:
    log = (server.data_dir / "redis.log").read_text(errors="replace")
    return log.count("Background append only file rewriting started")


async def test_a_crash_before_the_rewrite_rewrites_on_the_next_start(server: Server) -> None:
    runtime, (victim,) = await people(server, "victim")
    crypto = runtime.crypto
    await victim.erase()
    # Sauti and its Redis stop before the window passed: nothing was rewritten.
    await server.redis.aclose()
    server.embedded.stop()
    assert recover(data_files(server.data_dir), [crypto], [victim.pid]).mention(victim.words)

    server.embedded = EmbeddedRedis(server.data_dir)
    server.embedded.start()
    server.redis = connect(server.embedded.url)
    runtime = make_runtime(server.redis, shards=2)
    assert (await read_marks(server.redis, runtime.schema)).waiting == 2  # not forgotten
    assert await eraser(server, runtime, window=300).rewrite_if_due() is not None
    assert recover(data_files(server.data_dir), [crypto], [victim.pid]).mention(victim.words) == []


async def test_sauti_run_rewrites_its_embedded_redis_after_an_erasure() -> None:
    """The rewrite runs in `sauti run`, in the process that owns the embedded Redis."""
    with tempfile.TemporaryDirectory(prefix="sauti-") as directory:
        environ = {
            "SAUTI_DATA_DIR": str(Path(directory) / "var"),
            "SAUTI_SHARDS": "2",
            "SAUTI_ERASURE_REWRITE_SECONDS": "0",
            **dict.fromkeys(METRICS_PORTS, "0"),
        }
        settings = read_settings(environ, config_path=None)
        # A second Sauti process attached to it, as a `sauti` command would be.
        async with sauti_run(settings, ("worker",)), built(settings) as app:
            assert app.embedded is not None
            assert not app.embedded.owns_server
            assert app.disk_eraser() is None  # only the owner rewrites
            pid = app.crypto.participant_id("webchat", "tok-victim")
            joining: tuple[Join | Inbound, ...] = (Join(CAMPAIGN, "en"), TextReply("1"))
            for step in joining:
                await _ingest(app, pid, step)
            record = app.schema.participant(pid)

            async def joined() -> bool:
                return bool(await app.redis.hexists(record, "wk"))

            await until(joined, waiting_for="the worker of sauti run to take the join")
            wrapped: Any = await app.redis.hget(record, "wk")
            erasing: tuple[Command | Inbound, ...] = (
                TextReply("delete"),
                Command("delete", "confirm"),
            )
            for action in erasing:
                await _ingest(app, pid, action)

            async def rewritten() -> bool:
                marks = await read_marks(app.redis, app.schema)
                return marks.noted >= 2 and marks.waiting == 0

            await until(rewritten, waiting_for="sauti run to rewrite after the erasure")
            assert wrapped not in raw_bytes(app.embedded.data_dir)

            async def announced() -> bool:  # the keys it holds, for `sauti keys` to check
                now_ms = int(time.time() * 1000)
                holders = await live_holders(app.redis, app.schema, now_ms)
                return [(h.current, h.held) for h in holders] == [(0, frozenset({0}))]

            await until(announced, waiting_for="sauti run to say which master keys it holds")


async def _ingest(app: App, pid: str, action: Join | Command | Inbound) -> None:
    event = InboundEvent(
        event_id=f"webchat:{secrets.token_hex(8)}",
        channel=Channel.WEBCHAT,
        participant_id=pid,
        received_at_ms=int(time.time() * 1000),
        action=action if isinstance(action, Join | Command) else Answer(action),
    )
    await app.ingestor.ingest(event)


async def test_the_goodbye_goes_from_the_outbox_as_soon_as_it_is_sent(server: Server) -> None:
    """It carries the erased person's address: deleted at once, not at the next trim, and one
    more erasure noted so the files are rewritten without it."""
    runtime, (victim,) = await people(server, "victim")
    schema = runtime.schema
    platform = FakePlatform(SendLimits(1000, 1000, 0.001, 1000), Channel.WHATSAPP)
    # A sender that has just trimmed its streams, and will not again for an hour.
    sender = make_sender(
        runtime, platform, config=SenderConfig(block_ms=10, trim_every_seconds=3600)
    )
    await send_all(sender, schema.shards)
    await victim.erase()
    assert (await read_marks(server.redis, schema)).noted == 2  # the commit, its entry's XDEL
    await send_all(sender, schema.shards)
    assert platform.delivered[-1].address == victim.address
    outbox: Any = await server.redis.xrange(
        schema.outbox(schema.shard_of(victim.pid), Priority.REPLY)
    )
    assert [entry for entry in outbox if entry[1][b"pid"] == victim.pid.encode()] == []
    assert (await read_marks(server.redis, schema)).noted == 3


async def test_an_entry_with_the_same_id_as_the_erasing_message_is_purged_from_the_outbox(
    server: Server,
) -> None:
    """Stream ids are times: the outbox held a reply to them with the very id of the inbound
    entry that confirmed their erasure, and it was kept as if it were that entry."""
    schema = KeySchema(prefix="t", shards=1)
    pid = "a" * 32
    confirming = "1796639557716-0"
    await server.redis.xadd(schema.inbound(0), {"pid": pid, "id": "e"}, id=confirming)
    reply = schema.outbox(0, Priority.REPLY)
    await server.redis.xadd(reply, {"k": "earlier:0", "pid": pid}, id=confirming)
    await server.redis.xadd(reply, {"k": "e:0", "pid": pid})  # the goodbye of this event
    await run_batch(
        server.redis, erasure_traces(schema, pid, 1, keep_entry=confirming, keep_event="e")
    )
    left: Any = await server.redis.xrange(reply)
    assert [fields[b"k"] for _, fields in left] == [b"e:0"]
    assert await server.redis.xlen(schema.inbound(0)) == 1  # its commit acknowledges it


async def test_an_external_redis_is_asked_to_rewrite_only_when_allowed(
    redis_url: str, tmp_path: Path
) -> None:
    async with built(deployment_settings(redis_url, tmp_path)) as app:
        assert app.disk_eraser() is None  # its files are not Sauti's: key rotation covers them
    allowed = deployment_settings(
        redis_url,
        tmp_path,
        SAUTI_ERASURE_REWRITE_EXTERNAL="true",
        SAUTI_ERASURE_REWRITE_SECONDS="0",
    )
    async with built(allowed) as app:
        eraser = app.disk_eraser()
        assert eraser is not None
        await note_erasure(app.redis, app.schema, int(time.time() * 1000) - 5000)
        info: Any = await app.redis.info("persistence")
        if not info["aof_enabled"]:
            # A server that keeps no append-only file (a production Redis may run so) gets no
            # rewrite that would only write a file nothing reads; the erasure stays waiting,
            # for key rotation to cover, rather than counted as rewritten away.
            with pytest.raises(RewriteError, match="appendonly no"):
                await eraser.rewrite(await read_marks(app.redis, app.schema))
            assert (await read_marks(app.redis, app.schema)).waiting == 1
            return
        done = await eraser.rewrite_if_due()
        assert done is not None
        assert done.covered == 1
        assert (await read_marks(app.redis, app.schema)).waiting == 0
        info = await app.redis.info("persistence")
        assert info["aof_last_bgrewrite_status"] == "ok"


async def test_what_retention_erases_is_rewritten_off_the_disk_too(server: Server) -> None:
    runtime, (early, other) = await people(server, "early", "other")
    crypto = runtime.crypto
    await runtime.campaigns.set_status(CAMPAIGN, CampaignStatus.CLOSED)
    long_ago = int(time.time() * 1000) - 400 * DAY_MS  # past the default 365 days
    await server.redis.hset(runtime.schema.campaign(CAMPAIGN), "closed", str(long_ago))
    assert recover(data_files(server.data_dir), [crypto], [early.pid]).mention(early.words)

    erased = await erase_campaign(server.redis, runtime.schema, runtime.campaigns, CAMPAIGN)

    assert erased is not None
    assert erased.participants == 2
    # Noted with the batch that deletes what names those erased whole, and once at the end.
    assert (await read_marks(server.redis, runtime.schema)).waiting >= 1
    assert await eraser(server, runtime).rewrite_if_due() is not None
    after = recover(data_files(server.data_dir), [crypto], [early.pid, other.pid])
    assert after.mention(early.words, other.words) == []
    disk = raw_bytes(server.data_dir)
    assert [person.user for person in (early, other) if person.pid.encode() in disk] == []


async def test_no_key_named_by_an_erased_person_is_left_after_the_goodbye(server: Server) -> None:
    """Their pace, claims, send in flight and event markers carry their pseudonym in the key
    name; the goodbye writes some again. None is left, yet their old message redelivered late
    by the platform is still a duplicate: nothing starts again for them."""
    runtime, (victim, other) = await people(server, "victim", "neighbour")
    await send_everything(runtime)
    await victim.say("delete")
    confirm = runtime.event(
        victim.pid, Command("delete", "confirm"), victim.address, Channel.WHATSAPP
    )
    assert await runtime.ingestor.ingest(confirm)
    await runtime.drain()
    platform = await send_everything(runtime)
    assert [d for d in platform.delivered if d.address == victim.address], "the goodbye went"
    names: list[Any] = [key async for key in server.redis.scan_iter(match="*")]
    assert [key for key in names if victim.pid.encode() in key] == []
    assert [key for key in names if other.pid.encode() in key], "the neighbour's keys stay"

    assert await runtime.ingestor.ingest(confirm) is False  # the platform redelivers it late
    await runtime.drain()
    assert not await server.redis.exists(runtime.schema.participant(victim.pid))


async def test_a_goodbye_that_is_never_delivered_is_dropped_not_dead_lettered(
    server: Server,
) -> None:
    runtime, (victim, other) = await people(server, "victim", "neighbour")
    platform = FakePlatform(SendLimits(1000, 1000, 0.001, 1000), Channel.WHATSAPP)
    sender = make_sender(
        runtime, platform, config=SenderConfig(block_ms=10, max_attempts=1, backoff_seconds=0.0)
    )
    await send_all(sender, runtime.schema.shards)  # everything before the erasure is sent
    await victim.erase()
    platform.failing[victim.address] = 100  # the goodbye keeps failing
    await send_all(sender, runtime.schema.shards)

    shard = runtime.schema.shard_of(victim.pid)
    assert await server.redis.xlen(runtime.schema.outbox_dead(shard)) == 0
    for priority in (Priority.REPLY, Priority.BULK):
        waiting: Any = await server.redis.xrange(runtime.schema.outbox(shard, priority))
        assert [fields for _, fields in waiting if fields[b"pid"] == victim.pid.encode()] == []
    assert await eraser(server, runtime).rewrite_if_due() is not None
    after = recover(data_files(server.data_dir), [runtime.crypto], [victim.pid, other.pid])
    assert after.mention(victim.address, victim.words) == []
    assert victim.pid.encode() not in raw_bytes(server.data_dir)


async def _run_for(task: DiskEraser, seconds: float) -> asyncio.Task[None]:
    stop = asyncio.Event()
    running = asyncio.create_task(task.run(stop))
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.wait_for(asyncio.shield(running), 5)
    return running


async def test_a_lock_left_by_a_crashed_run_does_not_hold_the_rewrite_back(
    server: Server,
) -> None:
    runtime, (victim,) = await people(server, "victim")
    await victim.erase()
    # The run before crashed mid-rewrite: its lock would last 15 minutes.
    await server.redis.set(runtime.schema.erasure_rewriter, "crashed", px=15 * 60 * 1000)
    registry = CollectorRegistry()
    task = eraser(server, runtime, registry=registry, poll_seconds=0.02)
    await _run_for(task, 0.5)
    assert (await read_marks(server.redis, runtime.schema)).waiting == 0
    assert registry.get_sample_value("sauti_erasure_rewrite_failures_total") == 0
    assert (
        recover(data_files(server.data_dir), [runtime.crypto], [victim.pid]).mention(victim.words)
        == []
    )


async def test_a_rewrite_another_process_holds_is_waited_for_not_failed(server: Server) -> None:
    runtime, (victim,) = await people(server, "victim")
    await victim.erase()
    lock = runtime.schema.erasure_rewriter
    await server.redis.set(lock, "other", px=60_000)  # a live process sharing the Redis
    sharing = DiskEraser(
        server.redis,
        runtime.schema,
        None,  # an external Redis: not the owner, the lock is respected
        window_seconds=0,
        name="second",
        metrics=DiskErasureMetrics(CollectorRegistry()),
        clock=lambda: time.time() + LATER,
    )
    assert await sharing.rewrite_if_due() is None
    assert await server.redis.get(lock) == b"other"  # never released by anyone but its holder
    await server.redis.delete(lock)
    assert await sharing.rewrite_if_due() is not None
    assert await server.redis.get(lock) is None


async def test_a_file_step_that_fails_is_retried_and_does_not_stop_sauti_run(
    server: Server, tmp_path: Path
) -> None:
    runtime, (victim,) = await people(server, "victim")
    await victim.erase()
    registry = CollectorRegistry()
    task = DiskEraser(
        server.redis,
        runtime.schema,
        tmp_path / "gone",  # its files cannot be read: every file step raises OSError
        window_seconds=0,
        name="test",
        metrics=DiskErasureMetrics(registry),
        poll_seconds=0.01,
        clock=lambda: time.time() + LATER,
    )
    running = await _run_for(task, 0.3)
    assert running.exception() is None  # it stopped when told to, not on the error
    failures = registry.get_sample_value("sauti_erasure_rewrite_failures_total")
    assert failures is not None
    assert 1 <= failures < 10  # backed off, not once per poll
    assert (await read_marks(server.redis, runtime.schema)).waiting > 0  # kept for a retry


async def test_a_redis_without_an_append_only_file_is_not_asked_to_rewrite_one(
    server: Server,
) -> None:
    runtime, (victim,) = await people(server, "victim")
    await victim.erase()
    await server.redis.config_set("appendonly", "no")
    started = _rewrites_started(server)
    with pytest.raises(RewriteError, match="append-only"):
        await eraser(server, runtime).rewrite_if_due()
    assert _rewrites_started(server) == started
    assert (await read_marks(server.redis, runtime.schema)).waiting > 0


async def test_an_erased_persons_held_notices_go_however_many_others_wait(server: Server) -> None:
    """Notices held for quiet hours or the weekly budget: the erased person's go with the
    erasure, everyone else's stay (more of them than one page of the purge reads at once)."""
    schema = KeySchema(prefix="t", shards=1)
    erased, other = "a" * 32, "b" * 32
    held, bodies = schema.schedule(0), schema.schedule_bodies(0)
    owners = {f"n{n}": other for n in range(1200)} | {f"v{n}": erased for n in range(3)}
    await server.redis.zadd(held, dict.fromkeys(owners, 1))
    await server.redis.hset(
        bodies,
        mapping={
            **{f"m:{key}": f"{pid}|whatsapp" for key, pid in owners.items()},
            **{f"b:{key}": b"\x01sealed" for key in owners},
        },
    )
    await run_batch(server.redis, erasure_traces(schema, erased, 1))
    left: Any = await server.redis.zrange(held, 0, -1)
    assert sorted(left) == sorted(key.encode() for key, pid in owners.items() if pid == other)
    assert await server.redis.hlen(bodies) == 2 * 1200
    assert not await server.redis.hexists(bodies, "b:v0")
