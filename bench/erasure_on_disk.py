"""Benchmark erasure on disk: from /delete to "nothing on disk decrypts", what a rewrite of the
embedded Redis's AOF costs with 100,000 other participants stored, and `sauti keys rewrap`.

    .venv/bin/python bench/erasure_on_disk.py                  # 100,000 participants
    .venv/bin/python bench/erasure_on_disk.py --people 20000

The other participants are written as the worker stores them (a record with a wrapped data key
and a sealed address, an answers hash with choices and a sealed free text in 64-byte chunks),
straight into Redis, pipelined; then the AOF is rewritten once, as on a server that has run a
while. One more participant answers through the real pipeline (ingest, worker, commit), sends
/delete and confirms; `DiskEraser` runs as `sauti run` runs it, with the window at 0
(SAUTI_ERASURE_REWRITE_SECONDS; the default is 300). Measured: from the confirming message
ingested to the rewrite verified, and after it the data files are searched for the participant:
their id (every key and stream entry naming them carries it) and the bytes of their wrapped
data key. The full attack (every value tried with every key) runs in the tests, at a smaller
scale: tests/bot/runtime/test_erasure_on_disk.py.

Rewrite cost: wall time, the AOF's size before and after, and the CPU of Redis's forked child
(INFO cpu, `used_cpu_*_children`). For comparison, the same rewrite with an RDB preamble (which
Sauti does not use: it keeps deleted stream entries) and the restart time of each file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the test kit drives the pipeline

from prometheus_client import CollectorRegistry  # noqa: E402
from redis.asyncio import Redis  # noqa: E402

from bot.conversation.inbound import Answer, Channel, Command, InboundEvent  # noqa: E402
from bot.conversation.stored_answers import encode_answer  # noqa: E402
from bot.privacy import ParticipantCrypto, encrypt_field, field_aad  # noqa: E402
from bot.records.key_epochs import reseal_everything  # noqa: E402
from bot.runtime.delivery import SendLimits  # noqa: E402
from bot.runtime.disk_erasure import DiskEraser, DiskErasureMetrics  # noqa: E402
from bot.runtime.sender import Sender  # noqa: E402
from bot.secret import Secret  # noqa: E402
from bot.storage import EmbeddedRedis, connect, lua, scripts  # noqa: E402
from bot.storage.disk_rewrite import aof_bytes, data_files, rewrite_data_files  # noqa: E402
from bot.storage.erasure_marks import read_marks  # noqa: E402
from dialogues.inbound import TextReply  # noqa: E402
from tests.bot.runtime.fake_channel import FakePlatform  # noqa: E402
from tests.kit.disk import recover  # noqa: E402
from tests.kit.example import CAMPAIGN, open_example  # noqa: E402
from tests.kit.runtime import Runtime, make_runtime, make_sender  # noqa: E402
from tests.kit.waiting import until  # noqa: E402

CHUNK = 2000
VICTIM = "+255799999999"
WORDS = "the guard at the mast took my phone"


async def store_others(runtime: Runtime, people: int) -> None:
    """`people` participants as the worker leaves them after a survey with a free text."""
    redis, schema, crypto = runtime.redis, runtime.schema, runtime.crypto
    for start in range(0, people, CHUNK):
        pipe = redis.pipeline(transaction=False)
        for n in range(start, min(people, start + CHUNK)):
            pid = crypto.participant_id("whatsapp", f"+2557{n:08d}")
            key, wrapped = crypto.new_data_key()
            address = encrypt_field(key, f"+2557{n:08d}", field_aad(pid, "address"))
            pipe.hset(
                schema.participant(pid),
                mapping={
                    "ch": "whatsapp",
                    "wk": wrapped,
                    "t0": "1795000000000",
                    "addr": address,
                    "lang": "en",
                    "cid": CAMPAIGN,
                    f"c:{CAMPAIGN}": "1",
                    f"u:{CAMPAIGN}": "1",
                },
            )
            text = f"participant {n} says the tower by the river is unsafe at night"
            sealed = encrypt_field(key, text, field_aad(pid, f"answer:{CAMPAIGN}:q4"))
            answers: dict[Any, Any] = {}
            answers |= encode_answer("q1", "answered", 1_795_000_000, value="1")
            answers |= encode_answer("q4", "answered", 1_795_000_000, sealed=sealed)
            pipe.hset(schema.answers(pid, CAMPAIGN), mapping=answers)
            pipe.sadd(schema.respondents(schema.shard_of(pid), CAMPAIGN), pid)
        await pipe.execute()


async def tell(runtime: Runtime, pid: str, action: Answer | Command) -> InboundEvent:
    runtime.clock_ms += 1000
    event = InboundEvent(
        f"whatsapp:{os.urandom(8).hex()}",
        Channel.WHATSAPP,
        pid,
        runtime.clock_ms,
        action,
        address="+255799999999",
    )
    await runtime.ingestor.ingest(event)
    await runtime.drain()
    return event


async def child_cpu(redis: Redis) -> float:
    info: dict[str, Any] = await redis.info("cpu")
    return float(info["used_cpu_user_children"]) + float(info["used_cpu_sys_children"])


def restart_seconds(data_dir: Path) -> float:
    began = time.perf_counter()
    with EmbeddedRedis(data_dir, start_timeout=600):
        return time.perf_counter() - began


@dataclass
class Bench:
    data_dir: Path
    embedded: EmbeddedRedis
    redis: Redis
    runtime: Runtime

    async def restart(self) -> float:
        """Stop the server, time a start on its files alone, start it again for the next step."""
        await self.redis.aclose()
        self.embedded.stop()
        seconds = restart_seconds(self.data_dir)
        self.embedded = EmbeddedRedis(self.data_dir, start_timeout=600, stop_timeout=600)
        self.embedded.start()
        self.redis = connect(self.embedded.url)
        await lua.load(self.redis, scripts.ALL)
        return seconds


async def erase_one(bench: Bench) -> None:
    """One participant answers, erases themselves; the goodbye is sent; time until the
    rewrites are verified, then the attack on the files."""
    runtime, redis = bench.runtime, bench.redis
    pid = runtime.participant(VICTIM, Channel.WHATSAPP)
    actions: list[Answer | Command] = [
        Answer(TextReply(CAMPAIGN)),
        Command("language", "en"),
        Command("updates", "yes"),
        *(Answer(TextReply(reply)) for reply in ("1", "1,2", "yes", WORDS, "delete")),
    ]
    for action in actions:
        await tell(runtime, pid, action)
    wrapped: Any = await redis.hget(runtime.schema.participant(pid), "wk")
    data_key = runtime.crypto.unwrap_data_key(wrapped)
    platform = FakePlatform(SendLimits(1000, 1000, 0.001, 1000), Channel.WHATSAPP)
    roles: list[DiskEraser | Sender] = [
        DiskEraser(
            redis,
            runtime.schema,
            bench.data_dir,
            window_seconds=0,
            name="bench",
            metrics=DiskErasureMetrics(CollectorRegistry()),
        ),
        make_sender(runtime, platform),
    ]
    stop = asyncio.Event()
    running = [asyncio.create_task(role.run(stop)) for role in roles]
    await asyncio.sleep(1.5)  # both idle, as in `sauti run`
    confirmed = time.perf_counter()
    await tell(runtime, pid, Command("delete", "confirm"))
    await until(lambda: _all_rewritten(redis, runtime, platform.delivered), 600, interval=0.01)
    on_disk = time.perf_counter() - confirmed
    stop.set()
    for task in running:
        await task
    print(f"/delete confirmed -> goodbye sent, rewrites verified: {on_disk:.2f} s (window 0)")
    began = time.perf_counter()
    traces = recover(data_files(bench.data_dir), [runtime.crypto], [])
    found = traces.mention(WORDS, VICTIM, pid)
    print(
        f"  attack on the files ({time.perf_counter() - began:.0f} s): {len(traces.data_keys):,} "
        f"data keys and {len(traces.transit_texts):,} sealed bodies open; theirs: "
        f"data key {int(data_key in traces.data_keys)}, texts naming them {len(found)}"
    )


async def _all_rewritten(redis: Redis, runtime: Runtime, goodbyes: list[Any]) -> bool:
    marks = await read_marks(redis, runtime.schema)
    return bool(goodbyes) and marks.noted >= 2 and marks.waiting == 0  # erasure + goodbye


async def rewrite_costs(bench: Bench) -> None:
    for preamble in ("no", "yes"):
        await bench.redis.config_set("aof-use-rdb-preamble", preamble)
        size_before = aof_bytes(bench.data_dir)
        cpu_before = await child_cpu(bench.redis)
        report = await rewrite_data_files(bench.redis, bench.data_dir)
        cpu = await child_cpu(bench.redis) - cpu_before
        print(
            f"rewrite, RDB preamble {preamble}: {report.seconds:.2f} s, AOF "
            f"{size_before / 1e6:.1f} MB -> {report.bytes_after / 1e6:.1f} MB, "
            f"child CPU {cpu:.2f} s"
        )
        print(f"  restart, loading that file: {await bench.restart():.2f} s")


async def rewrap(bench: Bench) -> None:
    runtime = bench.runtime
    newer = ParticipantCrypto(
        Secret(os.urandom(32)),
        Secret(runtime.id_secret),
        master_key_id=1,
        older_master_keys=((0, Secret(runtime.master_key)),),
    )
    began = time.perf_counter()
    done = await reseal_everything(bench.redis, runtime.schema, newer)
    print(
        f"sauti keys rewrap: {done.data_keys:,} data keys wrapped again in "
        f"{time.perf_counter() - began:.1f} s"
    )


async def measure(people: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-") as directory:
        data_dir = Path(directory) / "redis"
        embedded = EmbeddedRedis(data_dir, start_timeout=600, stop_timeout=600)
        embedded.start()
        redis = connect(embedded.url)
        await lua.load(redis, scripts.ALL)
        runtime = make_runtime(redis, shards=16)
        await open_example(runtime.campaigns)
        bench = Bench(data_dir, embedded, redis, runtime)
        began = time.perf_counter()
        await store_others(runtime, people)
        print(f"{people:,} participants stored in {time.perf_counter() - began:.1f} s")
        await rewrite_data_files(redis, data_dir)  # a server that has run a while
        try:
            await erase_one(bench)
            await rewrite_costs(bench)
            await rewrap(bench)
        finally:
            await bench.redis.aclose()
            bench.embedded.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    asyncio.run(measure(parser.parse_args().people))


if __name__ == "__main__":
    main()
