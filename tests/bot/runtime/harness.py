"""A runtime wired to the test's real Redis: ingest, a worker, campaigns, the key schema."""

from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

from bot.conversation.inbound import Action, Answer, Channel, InboundEvent
from bot.loop.context import LoopContextLoader
from bot.privacy import ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.runtime.delivery import ChannelClient
from bot.runtime.ingest import Ingestor
from bot.runtime.metrics import Metrics
from bot.runtime.sender import Sender, SenderConfig
from bot.runtime.worker import Worker, WorkerConfig
from bot.secret import Secret
from bot.storage.keys import KeySchema
from dialogues.inbound import Inbound

EXAMPLE = Path(__file__).resolve().parents[3] / "dialogues" / "examples" / "safe_connect.yaml"


@dataclass
class Runtime:
    redis: Redis
    schema: KeySchema
    master_key: bytes
    id_secret: bytes
    metrics: Metrics
    campaigns: CampaignStore
    ingestor: Ingestor
    worker: Worker
    crypto: ParticipantCrypto
    clock_ms: int = 1_795_000_000_000

    def participant(self, user: str, channel: Channel = Channel.WEBCHAT) -> str:
        return self.crypto.participant_id(channel.value, user)

    def event(
        self,
        pid: str,
        action: Action,
        address: str | None = None,
        channel: Channel = Channel.WEBCHAT,
    ) -> InboundEvent:
        self.clock_ms += 1000
        return InboundEvent(
            event_id=f"{channel.value}:{secrets.token_hex(8)}",
            channel=channel,
            participant_id=pid,
            received_at_ms=self.clock_ms,
            action=action,
            address=address,
        )

    def answer(
        self, pid: str, inbound: Inbound, channel: Channel = Channel.WEBCHAT
    ) -> InboundEvent:
        return self.event(pid, Answer(inbound), channel=channel)

    def with_worker(self, consumer: str) -> Runtime:
        """The same deployment (key schema, secrets, campaigns) with another worker process."""
        worker = Worker(
            self.redis,
            self.schema,
            campaigns=self.campaigns,
            crypto=self.crypto,
            loop_context=LoopContextLoader(self.redis, self.schema, self.campaigns),
            metrics=self.metrics,
            consumer=consumer,
            config=WorkerConfig(block_ms=10),
        )
        return dataclasses.replace(self, worker=worker)

    async def drain(self) -> int:
        """Process every shard until nothing is left; returns the number handled."""
        total = 0
        for shard in range(self.schema.shards):
            await self.worker.ensure_group(shard)
            while handled := await self.worker.poll(shard, block_ms=None):
                total += handled
        return total


def make_runtime(
    redis: Redis, shards: int = 4, consumer: str = "test-worker", config: WorkerConfig | None = None
) -> Runtime:
    schema = KeySchema(prefix="t", shards=shards)
    master, secret = os.urandom(32), os.urandom(32)
    metrics = Metrics()
    campaigns = CampaignStore(redis, schema, cache_seconds=0)
    crypto = ParticipantCrypto(Secret(master), Secret(secret))
    ingestor = Ingestor(redis, schema, crypto, metrics, dedupe_ttl=7 * 24 * 3600)
    worker = Worker(
        redis,
        schema,
        campaigns=campaigns,
        crypto=crypto,
        loop_context=LoopContextLoader(redis, schema, campaigns),
        metrics=metrics,
        consumer=consumer,
        config=config or WorkerConfig(block_ms=10),
    )
    return Runtime(
        redis,
        schema,
        master,
        secret,
        metrics,
        campaigns,
        ingestor,
        worker,
        crypto,
    )


def make_sender(
    runtime: Runtime,
    client: ChannelClient,
    name: str = "sender-1",
    config: SenderConfig | None = None,
) -> Sender:
    """A sender of the same deployment, delivering one channel through `client`."""
    return Sender(
        runtime.redis,
        runtime.schema,
        clients={client.channel.value: client},
        crypto=runtime.crypto,
        metrics=runtime.metrics,
        consumer=name,
        config=config or SenderConfig(block_ms=10),
    )
