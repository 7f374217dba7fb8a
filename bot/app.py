"""The composition root: `build_app(settings)` wires Redis (embedded or not), the key schema,
stores and the pipeline. `sauti run`, the CLI and the tests all build Sauti through here.

Nothing below this module imports it: each part is handed only what it uses (a channel its
settings, Redis, the ingestor and the crypto bundle; the worker the loop's context loader,
through the runtime's `LoopContext` port)."""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redis.asyncio import Redis

from bot.access.organisations import OrganisationStore
from bot.access.pseudonyms import Pseudonyms, pseudonyms_for
from bot.access.staff import StaffStore
from bot.audit import AuditLog
from bot.conversation.inbound import Channel
from bot.privacy import KeyFiles, ParticipantCrypto, Redactor, load_server_keys
from bot.records.campaigns import CampaignStore
from bot.runtime.delivery import ChannelClient
from bot.runtime.ingest import Ingestor
from bot.runtime.metrics import Metrics
from bot.secret import Secret
from bot.settings import Settings
from bot.settings.parsers import split_master_keys
from bot.storage import EmbeddedRedis, connect, lua, require_server_version, scripts
from bot.storage.cluster import is_cluster_url
from bot.storage.keys import KeySchema

# The roles' machinery is imported where a role is built: most `sauti` commands only read and
# write Redis, and should not wait for what they never run.
if TYPE_CHECKING:
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.whatsapp.channel import WhatsAppChannel
    from bot.loop.ledger import DecisionLedger, StoredDecision
    from bot.loop.planner import LinkCounts, PlanLimits
    from bot.loop.preview_cache import PreviewCache
    from bot.loop.publisher import Publisher
    from bot.panels.inviting import Inviter
    from bot.records.key_holders import KeyHolderHeartbeat
    from bot.runtime.disk_erasure import DiskEraser
    from bot.runtime.retention_job import RetentionJob
    from bot.runtime.sender import Sender
    from bot.runtime.worker import Worker
    from bot.understanding import MessageReader

log = logging.getLogger(__name__)

# The longest a blocking read of this process waits: the publisher's (LoopConfig's
# longest_wait_seconds); a worker's and a sender's (WorkerConfig, SenderConfig.block_ms) are
# shorter.
LONGEST_BLOCK_SECONDS = 60.0


class ConfigurationError(Exception):
    """The settings do not fit the data already in Redis."""


@dataclass
class App:
    settings: Settings
    redis: Redis
    waits: Redis  # for blocking reads only (see _waits)
    schema: KeySchema
    metrics: Metrics
    campaigns: CampaignStore
    ingestor: Ingestor
    crypto: ParticipantCrypto
    embedded: EmbeddedRedis | None
    telegram: TelegramChannel | None = None  # set when a bot token is configured
    whatsapp: WhatsAppChannel | None = None  # set by build_app when WhatsApp is configured
    # What reads typed messages, built with the first worker (the model trains then).
    reader: MessageReader | None = None
    _previews: PreviewCache | None = field(default=None, init=False, repr=False)

    def worker(self, consumer: str | None = None) -> Worker:
        from bot.loop.context import LoopContextLoader
        from bot.runtime.worker import Worker, WorkerConfig

        runtime = self.settings.runtime
        return Worker(
            self.redis,
            self.schema,
            waits=self.waits,
            campaigns=self.campaigns,
            crypto=self.crypto,
            loop_context=LoopContextLoader(
                self.redis, self.schema, self.campaigns, self.pseudonyms
            ),
            metrics=self.metrics,
            consumer=consumer or process_name(),
            config=WorkerConfig(
                batch_size=runtime.worker_batch,
                max_attempts=runtime.max_attempts,
                marker_ttl_seconds=self.settings.dedupe_ttl_seconds,
                response_days=self.settings.loop.grievance_response_days,
                reopen_days=self.settings.loop.case_reopen_days,
                nlu_threshold=self.settings.nlu.threshold,
            ),
            reader=self.message_reader(),
        )

    def message_reader(self) -> MessageReader:
        """The embedded model (trained once per process, from now on), or the Rasa server of
        SAUTI_RASA_URL with the embedded model as its fallback."""
        if self.reader is None:
            from bot.understanding import EmbeddedReader, RasaReader

            embedded = EmbeddedReader()
            embedded.start_training()  # in a thread: the event loop goes on meanwhile
            nlu = self.settings.nlu
            self.reader = embedded
            if nlu.rasa_url is not None:
                self.reader = RasaReader(
                    nlu.rasa_url,
                    timeout_seconds=nlu.rasa_timeout_seconds,
                    fallback=embedded,
                    registry=self.metrics.registry,
                )
        return self.reader

    def disk_eraser(self) -> DiskEraser | None:
        """What rewrites the data files after erasures, in the one process that should: the
        owner of the embedded Redis, or with an external Redis any process when
        SAUTI_ERASURE_REWRITE_EXTERNAL allows it (they take turns). None elsewhere."""
        from bot.runtime.disk_erasure import DiskEraser, DiskErasureMetrics

        erasure = self.settings.erasure
        if self.embedded is not None:
            if not self.embedded.owns_server:
                return None
            data_dir: Path | None = self.embedded.data_dir
        elif erasure.rewrite_external and not _is_cluster(self.settings):
            data_dir = None  # its files are not ours to check: Redis's word only
        else:
            return None
        return DiskEraser(
            self.redis,
            self.schema,
            data_dir,
            window_seconds=erasure.rewrite_seconds,
            name=process_name(),
            metrics=DiskErasureMetrics(self.metrics.registry),
        )

    def key_holder_heartbeat(self) -> KeyHolderHeartbeat:
        """This process's master keys, announced while it runs (bot.records.key_holders)."""
        from bot.records.key_holders import KeyHolderHeartbeat

        return KeyHolderHeartbeat(self.redis, self.schema, self.crypto, process_name())

    def organisations(self) -> OrganisationStore:
        return OrganisationStore(self.redis, self.schema)

    def staff(self) -> StaffStore:
        return StaffStore(self.redis, self.schema)

    async def pseudonyms(self, org: str) -> Pseudonyms:
        """How organisation `org` names participants."""
        return await pseudonyms_for(self.organisations(), self.crypto, org)

    def push_clients(self) -> dict[str, ChannelClient]:
        """Clients of the push platforms configured."""
        clients: dict[str, ChannelClient] = {}
        if self.telegram is not None:
            clients[Channel.TELEGRAM.value] = self.telegram.client
        if self.whatsapp is not None:
            clients[Channel.WHATSAPP.value] = self.whatsapp.client()
        return clients

    def sender(self, clients: Mapping[str, ChannelClient], consumer: str | None = None) -> Sender:
        from bot.runtime.sender import Sender, SenderConfig

        return Sender(
            self.redis,
            self.schema,
            clients=clients,
            crypto=self.crypto,
            metrics=self.metrics,
            consumer=consumer or process_name(),
            config=SenderConfig(sent_ttl_seconds=self.settings.dedupe_ttl_seconds),
            waits=self.waits,
        )

    def ledger(self) -> DecisionLedger:
        from bot.loop.ledger import DecisionLedger

        return DecisionLedger(self.redis, self.schema, self.campaigns, self.pseudonyms)

    def publisher(self, clock: Callable[[], float] = time.time) -> Publisher:
        """Publishes decisions (CLI) and feeds them to the outbox (the publisher role)."""
        from bot.loop.pacing import QuietHours
        from bot.loop.publisher import LoopConfig, Publisher

        loop = self.settings.loop
        config = LoopConfig(
            weekly_budget=loop.weekly_budget,
            quiet=QuietHours.parse(loop.quiet_hours) if loop.quiet_hours else None,
            default_timezone=loop.timezone,
            feed_batch=loop.feed_batch,
            outbox_window=loop.outbox_window,
            plan_chunk=loop.plan_chunk,
        )
        return Publisher(
            self.redis,
            self.schema,
            waits=self.waits,
            ledger=self.ledger(),
            campaigns=self.campaigns,
            crypto=self.crypto,
            config=config,
            clock=clock,
        )

    def preview_cache(self) -> PreviewCache:
        """The decision previews' kept counts: one per process, as it runs their counts in
        the background (ended by `close`)."""
        from bot.loop.preview import count_preview
        from bot.loop.preview_cache import PreviewCache, PreviewTimes

        if self._previews is None:
            loop = self.settings.loop

            async def count(stored: StoredDecision, limits: PlanLimits) -> LinkCounts:
                chunked = dataclasses.replace(limits, chunk=loop.preview_chunk)
                pace = loop.preview_pause_percent / 100
                return await count_preview(self.redis, self.schema, stored, chunked, pace)

            times = PreviewTimes(
                fresh_seconds=loop.preview_fresh_seconds,
                keep_seconds=loop.preview_keep_seconds,
                lease_seconds=loop.preview_lease_seconds,
            )
            self._previews = PreviewCache(self.redis, self.schema, count, times)
        return self._previews

    def inviter(self) -> Inviter:
        """Invites panel segments to campaigns (bot.panels), under the budget on asking."""
        from bot.panels.inviting import configured_inviter

        return configured_inviter(
            self.redis, self.schema, self.campaigns, self.crypto, self.settings
        )

    def audit_log(self, clock: Callable[[], float] = time.time) -> AuditLog:
        """The organisations' audit logs, their chain keyed by a key derived from the id
        secret (bot.audit.chain)."""
        return AuditLog.keyed_by(self.redis, self.schema, self.crypto, clock=clock)

    def retention_job(self) -> RetentionJob:
        """Erases what retention made due, once per interval (the worker role runs it)."""
        from bot.runtime.retention_job import RetentionJob

        return RetentionJob(
            self.redis,
            self.schema,
            self.campaigns,
            self.audit_log(),
            interval_seconds=self.settings.privacy.retention_interval_seconds,
            dedupe_seconds=self.settings.dedupe_ttl_seconds,
        )

    def send_rates(self) -> dict[str, float]:
        """Messages per second each push channel sends at (for publication ETAs)."""
        telegram = self.settings.telegram.limits
        rate = telegram.paid_broadcast_rate if telegram.paid_broadcast else telegram.global_rate
        return {
            Channel.TELEGRAM.value: rate,
            Channel.WHATSAPP.value: self.settings.whatsapp.limits.global_rate,
        }

    async def close(self) -> None:
        if self.reader is not None:
            await self.reader.close()
        if self._previews is not None:
            await self._previews.close()
        if self.telegram is not None:
            await self.telegram.close()
        if self.whatsapp is not None:
            await self.whatsapp.close()
        await self.redis.aclose()
        await self.waits.aclose()
        if self.embedded is not None:
            self.embedded.stop()


async def build_app(settings: Settings, *, channels: bool = True) -> App:
    """Everything Sauti needs, connected. Starts (or attaches to) the embedded Redis when no
    REDIS_URL is set. Raises ConfigurationError when the shard count does not match the data.
    `channels=False` leaves Telegram and WhatsApp unbuilt (and their libraries unimported), for
    commands that only read and write Redis."""
    embedded = None
    if settings.redis_url is None:
        embedded = EmbeddedRedis(settings.data_dir / "redis")
        url = embedded.start()
    else:
        url = settings.redis_url.reveal()
    redis = connect(url)
    waits = _waits(url, settings)
    try:
        await require_server_version(redis)
        schema = KeySchema(prefix=settings.runtime.key_prefix, shards=settings.runtime.shards)
        await _check_shards(redis, schema)
        await lua.load(redis, scripts.PIPELINE)
        crypto = server_crypto(settings)
    except BaseException:
        await redis.aclose()
        await waits.aclose()
        if embedded is not None:
            embedded.stop()
        raise
    metrics = Metrics()
    app = App(
        settings=settings,
        redis=redis,
        waits=waits,
        schema=schema,
        metrics=metrics,
        campaigns=CampaignStore(
            redis, schema, default_retention_days=settings.privacy.retention_days
        ),
        ingestor=Ingestor(
            redis,
            schema,
            crypto,
            metrics,
            settings.dedupe_ttl_seconds,
            ack_replicas=settings.runtime.ack_replicas,
            ack_replica_timeout_ms=settings.runtime.ack_replica_timeout_ms,
        ),
        crypto=crypto,
        embedded=embedded,
    )
    if not channels:
        return app
    if settings.telegram.enabled:
        app.telegram = _telegram(app)
    try:
        app.whatsapp = _whatsapp(app)
    except BaseException:
        await app.close()
        raise
    return app


def _waits(url: str, settings: Settings) -> Redis:
    """The client of blocking reads. Idle, the worker and the sender of every shard this process
    holds wait in one each (up to half a minute, ended at once by new events), and so does the
    publisher: each holds a connection meanwhile, which in a pool of their own never keeps a
    command waiting. Their replies may take as long as the wait: no read timeout shorter than
    that."""
    readers = 2 * settings.runtime.shards + 1
    return connect(url, max_connections=readers + 1, longest_block=LONGEST_BLOCK_SECONDS)


def _telegram(app: App) -> TelegramChannel:
    # Imported here: aiogram takes seconds to import, which commands without Telegram
    # (every `sauti` command but `run`) should not pay.
    from bot.channels.telegram.channel import build_telegram

    return build_telegram(
        app.settings.telegram,
        redis=app.redis,
        schema=app.schema,
        ingestor=app.ingestor,
        crypto=app.crypto,
        registry=app.metrics.registry,
    )


def _whatsapp(app: App) -> WhatsAppChannel | None:
    if not app.settings.whatsapp.enabled:
        return None  # and its client's aiohttp stays unimported
    from bot.channels.whatsapp.channel import build_whatsapp
    from bot.channels.whatsapp.template_file import TemplateFileError

    try:
        return build_whatsapp(
            app.settings.whatsapp,
            redis=app.redis,
            schema=app.schema,
            ingestor=app.ingestor,
            crypto=app.crypto,
            registry=app.metrics.registry,
        )
    except TemplateFileError as error:
        raise ConfigurationError(f"WhatsApp templates: {error}") from error


def _is_cluster(settings: Settings) -> bool:
    return settings.redis_url is not None and is_cluster_url(settings.redis_url.reveal())


def server_crypto(settings: Settings) -> ParticipantCrypto:
    """The server's crypto bundle: its keys configured, else (embedded Redis only: one process
    owns the data) from key files under the data directory, made on first start."""
    files = KeyFiles(settings.master_key_path, settings.id_secret_path)
    erasure = settings.erasure
    older = erasure.previous_master_keys
    return load_server_keys(
        settings.master_key,
        settings.id_secret,
        files if settings.embedded_redis else None,
        master_key_id=erasure.master_key_id,
        older_master_keys=tuple(
            (key_id, Secret(key))
            for key_id, key in (split_master_keys(older.reveal()) if older else [])
        ),
    )


async def _check_shards(redis: Redis, schema: KeySchema) -> None:
    await redis.hsetnx(schema.meta, "shards", schema.shards)
    stored = int(await redis.hget(schema.meta, "shards") or schema.shards)
    if stored != schema.shards:
        raise ConfigurationError(
            f"SAUTI_SHARDS is {schema.shards}, but this Redis holds data placed with {stored} "
            f"shards under prefix '{schema.prefix}'; set SAUTI_SHARDS={stored}"
        )


def configure_logging(settings: Settings) -> None:
    """Plain logs with every configured secret and anything like a phone number masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redactor(settings.secrets()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)


def process_name() -> str:
    """A consumer name unique to this process, for stream groups and leases."""
    # The random part: two containers on one host can both be pid 1.
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
