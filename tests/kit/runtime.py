"""The durable pipeline wired by hand on the test's real Redis, without the composition root:
ingest, a worker, campaigns, keys, and senders to fake platforms. For tests of the pipeline's
parts, which set what `build_app` would take from settings (a worker's config, its clock)."""

from __future__ import annotations

import dataclasses
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

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
from tests.kit.running import drain


@dataclass
class Runtime:
    redis: Redis
    schema: KeySchema
    master_key: bytes
    id_secret: bytes
    metrics: Metrics
    campaigns: CampaignStore
    ingestor: Ingestor
    crypto: ParticipantCrypto
    clock_ms: int = 1_795_000_000_000  # when the next event is received
    consumer: str = "test-worker"
    worker_config: WorkerConfig = field(default_factory=lambda: WorkerConfig(block_ms=10))
    worker_clock: Callable[[], float] = time.time
    worker: Worker = field(init=False)  # the worker process of the fields above

    def __post_init__(self) -> None:
        self.worker = Worker(
            self.redis,
            self.schema,
            campaigns=self.campaigns,
            crypto=self.crypto,
            loop_context=LoopContextLoader(self.redis, self.schema, self.campaigns),
            metrics=self.metrics,
            consumer=self.consumer,
            config=self.worker_config,
            clock=self.worker_clock,
        )

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

    def with_worker(self, consumer: str, config: WorkerConfig | None = None) -> Runtime:
        """The same deployment (keys, secrets, campaigns) with another worker process."""
        return dataclasses.replace(
            self, consumer=consumer, worker_config=config or WorkerConfig(block_ms=10)
        )

    async def drain(self) -> int:
        """Process every shard until nothing is left; returns the number handled."""
        return await drain(self.worker, self.schema.shards)


def make_runtime(
    redis: Redis, shards: int = 4, consumer: str = "test-worker", config: WorkerConfig | None = None
) -> Runtime:
    schema = KeySchema(prefix="t", shards=shards)
    master, secret = os.urandom(32), os.urandom(32)
    metrics = Metrics()
    campaigns = CampaignStore(redis, schema, cache_seconds=0)
    crypto = ParticipantCrypto(Secret(master), Secret(secret))
    ingestor = Ingestor(redis, schema, crypto, metrics, dedupe_ttl=7 * 24 * 3600)
    return Runtime(
        redis,
        schema,
        master,
        secret,
        metrics,
        campaigns,
        ingestor,
        crypto,
        consumer=consumer,
        worker_config=config or WorkerConfig(block_ms=10),
    )


def make_sender(
    runtime: Runtime,
    *clients: ChannelClient,
    name: str = "sender-1",
    config: SenderConfig | None = None,
) -> Sender:
    """A sender of the same deployment, delivering each client's channel through it."""
    return Sender(
        runtime.redis,
        runtime.schema,
        clients={client.channel.value: client for client in clients},
        crypto=runtime.crypto,
        metrics=runtime.metrics,
        consumer=name,
        config=config or SenderConfig(block_ms=10),
    )
