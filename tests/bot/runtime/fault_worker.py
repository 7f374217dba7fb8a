"""A worker in a process of its own, slowed down, for the fault tests to SIGKILL mid-batch.

    python -m tests.bot.runtime.fault_worker REDIS_URL MASTER_KEY_HEX ID_SECRET_HEX PREFIX \
        SHARDS CONSUMER BATCH_SIZE STEP_SECONDS

It builds the same deployment as the test (key schema, master key and id secret) and processes every
shard round-robin with small batches. Each batch is read from the stream (so its entries are
pending for this consumer) and then held for STEP_SECONDS before it is committed: a SIGKILL
lands while the worker holds read-but-unacknowledged entries when it follows one of the
`holding N` lines the worker prints as it starts holding a batch. It prints `ready` once its
consumer groups exist, then runs until it is killed.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

from bot.loop.context import LoopContextLoader
from bot.privacy import ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.runtime.metrics import Metrics
from bot.runtime.worker import Entry, Worker, WorkerConfig
from bot.secret import Secret
from bot.storage import connect
from bot.storage.keys import KeySchema

MODULE = "tests.bot.runtime.fault_worker"


@dataclass(frozen=True)
class FaultWorkerArgs:
    redis_url: str
    master_key: bytes
    id_secret: bytes
    prefix: str
    shards: int
    consumer: str
    batch_size: int
    step_seconds: float

    def argv(self) -> list[str]:
        """The command line that starts this worker (see the module docstring)."""
        return [
            sys.executable,
            "-m",
            MODULE,
            self.redis_url,
            self.master_key.hex(),
            self.id_secret.hex(),
            self.prefix,
            str(self.shards),
            self.consumer,
            str(self.batch_size),
            str(self.step_seconds),
        ]

    @classmethod
    def parse(cls, argv: list[str]) -> FaultWorkerArgs:
        url, master, secret, prefix, shards, consumer, batch, step = argv
        return cls(
            url,
            bytes.fromhex(master),
            bytes.fromhex(secret),
            prefix,
            int(shards),
            consumer,
            int(batch),
            float(step),
        )


class SlowWorker(Worker):
    """Holds every batch it has read for a while before committing it."""

    step_seconds = 0.0

    async def process_batch(self, shard: int, entries: list[Entry]) -> int:
        print(f"holding {len(entries)}", flush=True)  # the test's cue to kill
        await asyncio.sleep(self.step_seconds)
        return await super().process_batch(shard, entries)


async def work(args: FaultWorkerArgs) -> None:
    redis = connect(args.redis_url, max_connections=4)
    schema = KeySchema(prefix=args.prefix, shards=args.shards)
    campaigns = CampaignStore(redis, schema, cache_seconds=60)
    worker = SlowWorker(
        redis,
        schema,
        campaigns=campaigns,
        crypto=ParticipantCrypto(Secret(args.master_key), Secret(args.id_secret)),
        loop_context=LoopContextLoader(redis, schema, campaigns),
        metrics=Metrics(),
        consumer=args.consumer,
        config=WorkerConfig(batch_size=args.batch_size, block_ms=10),
    )
    worker.step_seconds = args.step_seconds
    for shard in range(schema.shards):
        await worker.ensure_group(shard)
    print("ready", flush=True)
    while True:
        for shard in range(schema.shards):
            await worker.poll(shard, block_ms=None)
        await asyncio.sleep(0.001)


if __name__ == "__main__":
    asyncio.run(work(FaultWorkerArgs.parse(sys.argv[1:])))
