"""Faults, for real: a worker process SIGKILLed mid-batch, the same message delivered three
times, the embedded Redis restarted or SIGKILLed, and Redis unreachable while a participant
answers. Nothing acknowledged may be lost, nothing may be recorded twice."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import App, build_app
from bot.channels.webchat.conversation import Line, load_chat
from bot.conversation.inbound import Channel, InboundEvent, Join
from bot.conversation.stored_sessions import decode_session
from bot.records.campaigns import CampaignStore
from bot.records.tally import VERSION, contributions, tallied
from bot.runtime.ingest import Ingestor
from bot.runtime.markers import is_committed
from bot.runtime.worker import GROUP
from bot.settings import Settings, read_settings
from bot.storage import connect
from dialogues.inbound import TextReply
from dialogues.localization import builtin_catalog
from tests.bot.runtime.fault_worker import FaultWorkerArgs
from tests.kit import stored
from tests.kit import webchat as browser
from tests.kit.example import CAMPAIGN, open_example
from tests.kit.running import background, drain, web_server
from tests.kit.runtime import Runtime, make_runtime
from tests.kit.waiting import until
from tests.kit.webchat import Client

REPO = Path(__file__).resolve().parents[3]


# -- helpers -------------------------------------------------------------------------------


async def _pending(redis: Redis, stream: str) -> dict[str, int]:
    """Pending entries of the workers' group, by consumer."""
    summary: Any = await redis.xpending(stream, GROUP)
    return {entry["name"].decode(): int(entry["pending"]) for entry in summary["consumers"]}


async def _drain(app: App) -> int:
    """Process everything waiting, with a worker of its own; returns how many were handled."""
    return await drain(app.worker("drain-worker"), app.schema.shards, orphans=True)


@contextlib.asynccontextmanager
async def _serving(app: App, *, worker: bool = True) -> AsyncIterator[Client]:
    """The web server and (unless not wanted) a worker, as `sauti run` runs them."""
    async with (
        background(*([app.worker("test-worker")] if worker else [])),
        web_server(app) as server,
        TestClient(server, headers=browser.SAME_ORIGIN) as client,
    ):
        yield client


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A short data directory: the embedded Redis's socket path must fit in 107 bytes."""
    with tempfile.TemporaryDirectory(prefix="sauti-") as directory:
        yield Path(directory)


def _embedded_settings(data_dir: Path) -> Settings:
    """No REDIS_URL: the app runs its embedded Redis under `data_dir`, and keeps its generated
    keys there too (a restart must find the same keys, or nothing would decrypt)."""
    config = data_dir / "sauti.toml"
    config.touch()
    environ = {"SAUTI_DATA_DIR": str(data_dir / "var"), "SAUTI_SHARDS": "4"}
    return read_settings(environ, config_path=config)


async def _embedded_app(data_dir: Path, *, load: bool = True) -> App:
    app = await build_app(_embedded_settings(data_dir))
    if load:
        await open_example(app.campaigns)
    return app


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# -- 1. a worker process SIGKILLed mid-batch ------------------------------------------------

PARTICIPANTS = 60
WORRIES = ("theft", "scams", "seen", "agents", "lost", "other")


def _script(n: int) -> list[str]:
    """Typed answers of participant n: uses, money_safe (1 or 2, so `worry` is asked), worry,
    unsafe. They differ between participants, so a mix-up would show."""
    return ["1,3", str(1 + n % 2), str(1 + n % len(WORRIES)), "no"]


def _expected_answers(n: int) -> dict[str, object]:
    return {
        "uses": ["calls", "money"],
        "money_safe": 1 + n % 2,
        "worry": WORRIES[n % len(WORRIES)],
        "unsafe": "no",
    }


async def _ingest_scripts(runtime: Runtime, users: list[str]) -> list[InboundEvent]:
    """Joins first, then the answers round-robin: every batch mixes participants."""
    pids = [runtime.participant(user) for user in users]
    events = [runtime.event(pid, Join(CAMPAIGN, "en")) for pid in pids]
    for step in range(len(_script(0))):
        events += [runtime.answer(pid, TextReply(_script(n)[step])) for n, pid in enumerate(pids)]
    for event in events:
        assert await runtime.ingestor.ingest(event)
    return events


async def _committed(runtime: Runtime) -> int:
    """Events committed so far: every join starts the survey, every answer is recorded."""
    counters = await stored.counters(runtime.redis, runtime.schema)
    return counters.get("started", 0) + counters.get("answers", 0)


async def _contributed(runtime: Runtime, users: list[str]) -> dict[str, int]:
    """What the participants' stored sessions add to the result counters (bot.records.tally)."""
    campaign = await runtime.campaigns.get(CAMPAIGN)
    assert campaign is not None
    total: Counter[str] = Counter()
    for user in users:
        raw = await runtime.redis.get(runtime.schema.session(runtime.participant(user), CAMPAIGN))
        assert raw is not None
        total.update(contributions(decode_session(raw), "webchat", tallied(campaign.survey)))
    return {name: count for name, count in total.items() if count}


async def _kill_worker_process_mid_batch(runtime: Runtime, redis_url: str, total: int) -> None:
    """Run the slowed worker process on the backlog and SIGKILL it a third of the way through,
    just after it has read a batch it has not committed yet."""
    doomed = FaultWorkerArgs(
        redis_url, runtime.master_key, runtime.id_secret,
        runtime.schema.prefix, runtime.schema.shards,
        consumer="doomed", batch_size=5, step_seconds=0.1,
    )  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *doomed.argv(), cwd=REPO, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        assert await asyncio.wait_for(process.stdout.readline(), timeout=30) == b"ready\n"
        while True:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
            assert line.startswith(b"holding "), line
            if await _committed(runtime) >= total // 3:
                process.send_signal(signal.SIGKILL)
                break
        assert await asyncio.wait_for(process.wait(), timeout=10) == -signal.SIGKILL
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _orphans(runtime: Runtime, consumer: str) -> int:
    count = 0
    for shard in range(runtime.schema.shards):
        count += (await _pending(runtime.redis, runtime.schema.inbound(shard))).get(consumer, 0)
    return count


async def _take_over(runtime: Runtime) -> int:
    """What a worker does when it gets a shard's lease: claim its orphans, then process."""
    claimed = 0
    for shard in range(runtime.schema.shards):
        await runtime.worker.ensure_group(shard)
        claimed += await runtime.worker.claim_orphans(shard)
    return claimed


async def _conversation(runtime: Runtime, pid: str) -> list[Line]:
    """What the participant's web chat page shows of their conversation."""
    chat = await load_chat(
        pid,
        redis=runtime.redis,
        schema=runtime.schema,
        crypto=runtime.crypto,
        campaigns=runtime.campaigns,
        catalog=builtin_catalog(),
    )
    assert chat is not None
    return chat.lines


async def test_a_worker_process_killed_mid_batch_loses_nothing_and_records_nothing_twice(
    redis_client: Redis, redis_url: str
) -> None:
    runtime = make_runtime(redis_client, shards=4, consumer="successor")
    await open_example(runtime.campaigns)
    users = [f"kill-{n}" for n in range(PARTICIPANTS)]
    events = await _ingest_scripts(runtime, users)
    await _kill_worker_process_mid_batch(runtime, redis_url, len(events))
    committed, orphans = await _committed(runtime), await _orphans(runtime, "doomed")
    assert 0 < committed < len(events)
    assert orphans > 0, "the kill should land while the worker holds read, uncommitted entries"

    assert await _take_over(runtime) == orphans
    assert await runtime.drain() == len(events) - committed

    for n, user in enumerate(users):
        answers = await stored.answers(redis_client, runtime.schema, runtime.participant(user))
        assert {q: a["v"] for q, a in answers.items()} == _expected_answers(n), user
        assert {a["o"] for a in answers.values()} == {"answered"}
    assert await stored.counters(runtime.redis, runtime.schema) == {
        "started": PARTICIPANTS,
        "answers": 4 * PARTICIPANTS,
    }
    # Results counted once too: exactly what the stored sessions contribute, and their version
    # moved on once per event (each changed the results), none twice.
    counted = await stored.result_counters(runtime.redis, runtime.schema)
    assert counted.pop(VERSION) == len(events)
    assert counted == await _contributed(runtime, users)
    for event in events:
        marker = runtime.ingestor.marker(event)
        assert is_committed(await redis_client.zscore(marker.key, marker.member))
    # Each event shows up once in its participant's chat: as many messages as for a participant
    # whose survey ran without any fault.
    reference = (await _ingest_scripts(runtime, ["reference"]))[0].participant_id
    await runtime.drain()
    expected = len(await _conversation(runtime, reference))
    for user in users:
        assert len(await _conversation(runtime, runtime.participant(user))) == expected, user
    respondents = 0
    for shard in range(runtime.schema.shards):
        assert await _pending(redis_client, runtime.schema.inbound(shard)) == {}
        assert await redis_client.xlen(runtime.schema.dead_letters(shard)) == 0
        respondents += await redis_client.scard(runtime.schema.respondents(shard, CAMPAIGN))
    assert respondents == PARTICIPANTS + 1
    assert runtime.metrics.registry.get_sample_value("sauti_dead_letters_total") == 0


async def test_entries_read_by_a_fenced_worker_are_not_stranded(redis_client: Redis) -> None:
    runtime = make_runtime(redis_client, shards=1)
    await open_example(runtime.campaigns)
    stalled, successor = runtime.with_worker("stalled"), runtime.with_worker("successor")
    lease = runtime.schema.lease("worker", 0)
    await redis_client.set(lease, "stalled")
    await stalled.worker.ensure_group(0)
    pid = runtime.participant("stranded")
    await runtime.ingestor.ingest(runtime.event(pid, Join(CAMPAIGN, "en")))
    # The stalled worker's lease expires; the successor takes the shard and claims orphans.
    await redis_client.set(lease, "successor")
    assert await successor.worker.claim_orphans(0) == 0
    # The stalled worker wakes up, reads the join and is fenced at commit.
    assert await stalled.worker.poll(0, block_ms=None) == 0
    await runtime.ingestor.ingest(runtime.answer(pid, TextReply("1,3")))
    for _ in range(3):  # the shard's worker carries on
        await successor.worker.poll(0, block_ms=None)
    assert await _pending(redis_client, runtime.schema.inbound(0)) == {}
    answers = await stored.answers(redis_client, runtime.schema, pid)
    assert {q: a["v"] for q, a in answers.items()} == {"uses": ["calls", "money"]}


# -- 2. the same inbound message delivered three times ---------------------------------------


async def test_a_form_sent_three_times_records_one_answer(web_client: Client, app: App) -> None:
    token = await browser.join(web_client)
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    page = await browser.page(web_client, token)
    form = [("n", browser.nonce(page)), ("q", "uses"), ("text", "1,2")]
    for _ in range(3):  # a browser resending the form, one after the other
        response = await web_client.post(f"/c/{token}", data=form, allow_redirects=False)
        assert response.status == 303
        assert browser.processed(response)
    page = await browser.page(web_client, token)
    form = [("n", browser.nonce(page)), ("q", "unsafe"), ("choice", "no")]
    responses = await asyncio.gather(  # an impatient triple tap: all three at once
        *[web_client.post(f"/c/{token}", data=form, allow_redirects=False) for _ in range(3)]
    )
    assert [response.status for response in responses] == [303, 303, 303]

    answers = await stored.answers(app.redis, app.schema, pid)
    assert {q: a["v"] for q, a in answers.items()} == {"uses": ["calls", "sms"], "unsafe": "no"}
    assert await stored.counters(app.redis, app.schema) == {"started": 1, "answers": 2}
    results = await stored.result_counters(app.redis, app.schema)
    assert (results["uses=calls"], results["unsafe=no"]) == (1, 1)  # counted once, too
    page = await browser.page(web_client, token)
    assert page.count('class="m me"') == 2  # two echoes of the participant's own answers
    duplicates = app.metrics.registry.get_sample_value(
        "sauti_inbound_duplicates_total", {"channel": "webchat"}
    )
    assert duplicates == 4


async def test_a_join_form_sent_three_times_starts_one_survey(web_client: Client, app: App) -> None:
    page = await (await web_client.get(f"/j/{CAMPAIGN}")).text()
    form = [*browser.hidden_fields(page), ("lang", "en")]
    locations = set()
    for _ in range(3):
        response = await web_client.post(f"/j/{CAMPAIGN}", data=form, allow_redirects=False)
        assert response.status == 303
        locations.add(response.headers["Location"].split("?")[0])
    started = 0
    for shard in range(app.schema.shards):
        started += int(await app.redis.hget(app.schema.counters(shard, CAMPAIGN), "started") or 0)
    assert (len(locations), started) == (1, 1)


async def test_the_still_working_page_stops_refreshing_once_the_answer_is_in(app: App) -> None:
    async with _serving(app) as client:
        token = await browser.join(client)
        page = await browser.page(client, token)
    async with _serving(app, worker=False) as client:  # a worker far behind: nothing processed
        form = [*browser.hidden_fields(page), ("text", "2")]
        response = await client.post(f"/c/{token}", data=form, allow_redirects=False)
        assert response.status == 303
        assert not browser.processed(response)
        waiting = response.headers["Location"].split("#")[0]
        page = await (await client.get(waiting)).text()
        assert 'http-equiv="refresh"' in page  # fine while it is not processed
        assert await _drain(app) == 1
        page = await (await client.get(waiting)).text()  # the page's own refresh
        assert "Text messages" in page  # the answer shows...
        assert 'http-equiv="refresh"' not in page  # ...and the page stops costing data


async def test_an_erasure_processed_after_the_post_stopped_waiting_still_ends_on_the_goodbye(
    app: App,
) -> None:
    async with _serving(app) as client:
        token = await browser.join(client, "fr")
        page = await browser.answer(client, token, text="supprimer")
    async with _serving(app, worker=False) as client:  # a worker far behind: nothing processed
        form = browser.pressed(page, "Effacer toutes mes données")
        response = await client.post(f"/c/{token}", data=form, allow_redirects=False)
        assert response.status == 303
        waiting = response.headers["Location"].split("#")[0]
        assert waiting.endswith("&l=fr")  # all it carries: the form's nonce and the language
        page = await (await client.get(waiting)).text()
        assert "Votre dernière réponse est en cours de traitement." in page
        assert await _drain(app) == 1
        response = await client.get(waiting)  # the page's own refresh
        assert response.status == 200
        page = await response.text()
        assert "Tout ce que nous conservions sur vous a été effacé." in page
        assert 'http-equiv="refresh"' not in page
        assert (await client.get(f"/c/{token}")).status == 404  # the link leads nowhere now


# -- 3. the embedded Redis restarted, or SIGKILLed --------------------------------------------


async def test_a_conversation_survives_a_restart_of_the_embedded_redis(data_dir: Path) -> None:
    app = await _embedded_app(data_dir)
    try:
        assert app.embedded is not None
        server_pid = app.embedded.pid
        assert server_pid is not None
        async with _serving(app) as client:
            token = await browser.join(client)
            await browser.answer(client, token, action="submit", pick=["calls", "money"])
            page = await browser.answer(client, token, choice="4")  # money_safe; `worry` is skipped
            assert "Have you ever felt unsafe" in page
            resent_nonce = browser.nonce(page)
            await browser.answer(client, token, choice="yes")  # unsafe
            pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
            before = await stored.answers(app.redis, app.schema, pid)
    finally:
        await app.close()
    assert not _alive(server_pid)  # close() stopped the server

    app = await _embedded_app(data_dir, load=False)
    try:
        assert app.crypto.participant_id(Channel.WEBCHAT.value, token) == pid  # the same id secret
        assert await stored.answers(app.redis, app.schema, pid) == before
        assert {q: a["v"] for q, a in before.items()} == {
            "uses": ["calls", "money"],
            "money_safe": 4,
            "unsafe": "yes",
        }
        async with _serving(app) as client:
            page = await browser.page(client, token)  # the data key unwraps: the same master key
            assert "Calls" in page
            assert "Mobile money" in page
            assert "Have you ever felt unsafe" in page
            assert "tell us briefly what happened" in page  # the current question
            # The ingest dedupe markers survived too: an old form resent is still a duplicate.
            form = [("n", resent_nonce), ("q", "unsafe"), ("choice", "no")]
            response = await client.post(f"/c/{token}", data=form, allow_redirects=False)
            assert response.status == 303
            page = await browser.answer(client, token, action="skip")  # and the survey goes on
            assert "ID card" in page
        after = await stored.answers(app.redis, app.schema, pid)
        assert after["unsafe"]["v"] == "yes"
        assert after["unsafe_what"]["o"] == "skipped"
    finally:
        await app.close()


async def test_data_older_than_a_second_survives_a_sigkill_of_the_embedded_redis(
    data_dir: Path,
) -> None:
    app = await _embedded_app(data_dir)
    try:
        async with _serving(app) as client:
            token = await browser.join(client)
            await browser.answer(client, token, action="submit", pick=["sms"])
            await browser.answer(client, token, choice="no")  # unsafe
        pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
        acknowledged = await stored.answers(app.redis, app.schema, pid)
        await asyncio.sleep(1.5)  # appendfsync everysec: older writes are on disk
        assert app.embedded is not None
        server_pid = app.embedded.pid
        assert server_pid is not None
        os.kill(server_pid, signal.SIGKILL)
    finally:
        await app.close()  # finds the server dead, and gives up the data directory's lock
    assert not _alive(server_pid)

    app = await _embedded_app(data_dir, load=False)
    try:
        assert await stored.answers(app.redis, app.schema, pid) == acknowledged
        assert {q: a["v"] for q, a in acknowledged.items()} == {"uses": ["sms"], "unsafe": "no"}
        async with _serving(app) as client:
            page = await browser.page(client, token)
            assert "Text messages" in page
            assert "ID card" in page  # sim_id, the current question
    finally:
        await app.close()


# -- 4. Redis unreachable while a participant answers ----------------------------------------

UNAVAILABLE = {
    "en": "please send it again",
    "sw": "tafadhali tuma tena",
}


async def test_an_answer_sent_while_redis_is_down_gets_503_and_is_stored_once_when_resent(
    data_dir: Path,
) -> None:
    app = await _embedded_app(data_dir)
    try:
        assert app.embedded is not None
        async with _serving(app) as client:
            token = await browser.join(client, "en")
            pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
            page = await browser.page(client, token)
            form = [*browser.hidden_fields(page), ("text", "2")]

            app.embedded.stop()  # Redis goes away under the running app
            began = time.monotonic()
            response = await client.post(f"/c/{token}", data=form, allow_redirects=False)
            assert response.status == 503  # never a 303 that would drop the answer
            assert UNAVAILABLE["en"] in await response.text()
            assert time.monotonic() - began < 2  # the participant is not kept waiting
            response = await client.post(
                f"/j/{CAMPAIGN}", data={"lang": "sw"}, allow_redirects=False
            )
            assert response.status == 503

            app.embedded.start()  # back, on the same data; the worker reconnects by itself
            response = await client.post(f"/c/{token}", data=form, allow_redirects=False)
            assert response.status == 303  # stored (processed now, or in a moment)
            answers_key = app.schema.answers(pid, CAMPAIGN)
            await until(lambda: app.redis.hexists(answers_key, "uses"), 10, interval=0.05)
            response = await client.post(f"/c/{token}", data=form, allow_redirects=False)
            assert response.status == 303  # and once more, to be sure: a duplicate
            assert browser.processed(response)
        answers = await stored.answers(app.redis, app.schema, pid)
        assert {q: a["v"] for q, a in answers.items()} == {"uses": ["sms"]}
        assert await stored.counters(app.redis, app.schema) == {"started": 1, "answers": 1}
        assert (await stored.result_counters(app.redis, app.schema))["uses=sms"] == 1
    finally:
        await app.close()


async def test_the_503_page_speaks_the_participants_language(data_dir: Path) -> None:
    app = await _embedded_app(data_dir)
    try:
        assert app.embedded is not None
        async with _serving(app) as client:
            token = await browser.join(client, "sw")
            page = await browser.page(client, token)
        async with _serving(app, worker=False) as client:
            app.embedded.stop()
            form = [*browser.hidden_fields(page), ("text", "2")]
            response = await client.post(f"/c/{token}", data=form, allow_redirects=False)
            assert response.status == 503
            assert UNAVAILABLE["sw"] in await response.text()
    finally:
        await app.close()


async def test_the_worker_carries_on_after_a_redis_outage(data_dir: Path) -> None:
    app = await _embedded_app(data_dir)
    try:
        assert app.embedded is not None
        async with _serving(app) as client:
            app.embedded.stop()
            await asyncio.sleep(0.5)  # the worker notices: its blocking read fails
            app.embedded.start()
            token = await browser.join(client, wait=False)
            pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
            participant = app.schema.participant(pid)
            await until(lambda: app.redis.exists(participant), 6, interval=0.05)  # 3 renewals
    finally:
        await app.close()


@contextlib.asynccontextmanager
async def _cut_off(app: App, socket_dir: Path) -> AsyncIterator[Client]:
    """The web server of `app`'s deployment (same keys, same secrets) with its Redis client
    pointed at a unix socket nobody listens on."""
    nowhere = connect(f"unix://{socket_dir}/nowhere.sock")
    cut_off = dataclasses.replace(
        app,
        redis=nowhere,
        campaigns=CampaignStore(nowhere, app.schema),
        ingestor=Ingestor(
            nowhere, app.schema, app.crypto, app.metrics, app.settings.dedupe_ttl_seconds
        ),
    )
    try:
        async with (
            web_server(cut_off) as server,
            TestClient(server, headers=browser.SAME_ORIGIN) as client,
        ):
            yield client
    finally:
        await nowhere.aclose()


async def test_a_redis_that_is_not_there_answers_503(app: App, tmp_path: Path) -> None:
    async with _serving(app) as client:
        token = await browser.join(client)
    async with _cut_off(app, tmp_path) as client:
        form = [("n", "A" * 16), ("q", "uses"), ("text", "2")]
        response = await client.post(f"/c/{token}", data=form, allow_redirects=False)
        assert response.status == 503
        assert UNAVAILABLE["en"] in await response.text()
        response = await client.post(f"/j/{CAMPAIGN}", data={"lang": "en"}, allow_redirects=False)
        assert response.status == 503
        response = await client.get(f"/j/{CAMPAIGN}")
        assert response.status == 503
    async with _serving(app) as client:  # Redis was there all along: that nonce is unused
        response = await client.post(f"/c/{token}", data=form, allow_redirects=False)
        assert response.status == 303
        assert browser.processed(response)


async def test_the_chat_page_answers_503_while_redis_is_unreachable(
    app: App, tmp_path: Path
) -> None:
    async with _serving(app) as client:
        token = await browser.join(client)
    async with _cut_off(app, tmp_path) as client:
        response = await client.get(f"/c/{token}")
        assert response.status == 503
        assert UNAVAILABLE["en"] in await response.text()


async def test_entries_handed_to_a_busy_successor_are_not_stranded(redis_client: Redis) -> None:
    """The successor has just committed a whole batch, so it knows it holds nothing pending
    and reads only new entries; the reads a fenced worker hands it must still be processed."""
    runtime = make_runtime(redis_client, shards=1)
    await open_example(runtime.campaigns)
    stalled, successor = runtime.with_worker("stalled"), runtime.with_worker("successor")
    await redis_client.set(runtime.schema.lease("worker", 0), "successor")
    await successor.worker.ensure_group(0)
    first, second = runtime.participant("first"), runtime.participant("second")
    await runtime.ingestor.ingest(runtime.event(first, Join(CAMPAIGN, "en")))
    assert await successor.worker.poll(0, block_ms=None) == 1
    await runtime.ingestor.ingest(runtime.event(second, Join(CAMPAIGN, "en")))
    assert await stalled.worker.poll(0, block_ms=None) == 0  # read, fenced, handed over
    for _ in range(3):
        await successor.worker.poll(0, block_ms=None)
    assert await _pending(redis_client, runtime.schema.inbound(0)) == {}
    assert (await stored.counters(runtime.redis, runtime.schema))["started"] == 2
