"""Publishing a decision version: plan who is told, then feed them to the outbox, resumably.

`publish` (the CLI) checks translations, plans every shard (`Planner.plan_shard`) and marks the
publication active. The `publisher` role of `sauti run` (`Publisher.run`) then feeds active
publications shard by shard, keeping each shard's bulk outbox short so the sender paces the
rest, moves notices whose quiet hours or budget wait is over into the outbox, and resumes any
planning a crash interrupted. Idle, it waits for the next held notice's due time or for a
publication to start (`bell`), not asking Redis every second. Every step is a script that
checks and moves a cursor, so any number of publishers may run, crash and restart: nobody is
told twice.

A publication is keyed by decision reference and version: publishing the same version again
does nothing new; a new version of a decision is a new publication, whose notices start with
"Update:" for those told an earlier version.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis

from bot.conversation.consents import outcome_versions_honoured
from bot.conversation.decisions.decision import LoopError
from bot.conversation.decisions.values import optional_text
from bot.conversation.inbox import INBOX_CAP
from bot.loop.bell import Bell, ring
from bot.loop.feeder import FeedConfig, Feeder
from bot.loop.ledger import DecisionLedger, StoredDecision
from bot.loop.pacing import QuietHours
from bot.loop.planner import LinkCounts, PlanLimits, Planner
from bot.privacy import ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.runtime.outbox import Priority
from bot.storage.errors import STORAGE_FAILURE
from bot.storage.keys import KeySchema
from bot.storage.lua import ScriptCall, run_batch
from bot.storage.scripts import MOVE_DUE
from dialogues.model import Survey

log = logging.getLogger(__name__)

DONE_TARGETS_TTL_SECONDS = 7 * 24 * 3600  # who was planned stays inspectable a while


class PublicationStatus(StrEnum):
    PLANNING = "planning"  # counting before a translation check; nothing sent yet
    REFUSED = "refused"  # a participant language lacks a message; nothing was sent
    PUBLISHING = "publishing"
    DONE = "done"  # everyone planned was fed to the outbox, schedule or inbox


@dataclass(frozen=True)
class LoopConfig:
    weekly_budget: int = 2
    quiet: QuietHours | None = None
    default_timezone: str = "UTC"
    feed_batch: int = 500
    outbox_window: int = 2000
    plan_chunk: int = 2000
    inbox_cap: int = INBOX_CAP
    # While a publication is active but nothing could be fed (its outbox is full): look again
    # this soon.
    idle_seconds: float = 1.0
    # With nothing active, the publisher waits for the next held notice's due time or a new
    # publication (the bell), but looks at least this often: a held notice written by another
    # publisher that died still goes out, at most this late.
    longest_wait_seconds: float = 60.0


class NoSuchDecisionError(LoopError):
    pass


class VersionChangedError(LoopError):
    """The version asked for is not the latest: someone saved another since it was read."""

    def __init__(self, asked: int, latest: int) -> None:
        self.asked, self.latest = asked, latest
        super().__init__(
            f"version {asked} is no longer the latest (version {latest} is): read it and "
            "publish that one"
        )


class MissingTranslationsError(LoopError):
    """People would be told in languages the decision has no message for."""

    def __init__(self, languages: dict[str, int]) -> None:
        self.languages = languages
        listed = ", ".join(
            f"{lang} ({count} participants)" for lang, count in sorted(languages.items())
        )
        super().__init__(f"no message (or rationale) in {listed}")


@dataclass(frozen=True)
class Published:
    stored: StoredDecision
    status: PublicationStatus
    already: bool  # this version was published before: nothing new was planned


class Publisher:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        *,
        ledger: DecisionLedger,
        campaigns: CampaignStore,
        crypto: ParticipantCrypto,
        config: LoopConfig,
        clock: Callable[[], float] = time.time,
        waits: Redis | None = None,
    ) -> None:
        self._redis = redis
        self._waits = waits or redis  # the client of the bell's blocking read
        self.schema = schema
        self._ledger = ledger
        self._campaigns = campaigns
        self._config = config
        self._clock = clock
        # What the last step saw: publications active, when the next held notice is due.
        self._active = 0
        self._next_due_ms: int | None = None
        self.planner = Planner(redis, self.schema)
        self.feeder = Feeder(
            redis,
            self.schema,
            crypto=crypto,
            config=FeedConfig(
                batch=config.feed_batch,
                outbox_window=config.outbox_window,
                weekly_budget=config.weekly_budget,
                quiet=config.quiet,
                inbox_cap=config.inbox_cap,
            ),
        )

    # -- the CLI's side --------------------------------------------------------------------

    def limits(self) -> PlanLimits:
        return PlanLimits(
            now_ms=self.now_ms(),
            weekly_budget=self._config.weekly_budget,
            chunk=self._config.plan_chunk,
        )

    @property
    def quiet(self) -> QuietHours | None:
        return self._config.quiet

    def now_ms(self) -> int:
        return int(self._clock() * 1000)

    async def publish(
        self,
        campaign_id: str,
        decision_id: str,
        *,
        allow_missing: bool = False,
        version: int | None = None,
    ) -> Published:
        """Plan and start publishing the latest version: `version` when given, else
        VersionChangedError (nothing sent: what was confirmed is not what would be sent).
        Raises MissingTranslationsError (nothing sent) unless `allow_missing`,
        NoSuchDecisionError."""
        stored = await self._ledger.get(campaign_id, decision_id)
        campaign = await self._campaigns.get(campaign_id)
        if stored is None or campaign is None:
            raise NoSuchDecisionError(f"no decision '{decision_id}' in campaign '{campaign_id}'")
        if version is not None and version != stored.version:
            raise VersionChangedError(version, stored.version)
        key = self.schema.publication(stored.ref, stored.version)
        status = optional_text(await self._redis.hget(key, "status"))
        if status in (PublicationStatus.PUBLISHING, PublicationStatus.DONE):
            return Published(stored, PublicationStatus(status), already=True)
        await self._redis.hset(
            key,
            mapping={
                "campaign": campaign_id,
                "decision": decision_id,
                "version": stored.version,
                "status": PublicationStatus.PLANNING.value,
                "created": self.now_ms(),
            },
        )
        await self._reset(stored)  # an earlier refused attempt leaves nothing behind
        missing = stored.decision.missing_messages(campaign.survey.languages)
        if not missing or allow_missing:
            await self._activate(stored, allow_missing)
            await self.plan(stored)
            return Published(stored, PublicationStatus.PUBLISHING, already=False)
        await self.plan(stored)
        counts = await self.planned_counts(stored)
        lacking = _lacking(counts, missing, campaign.survey)
        if lacking:
            await self._redis.hset(key, "status", PublicationStatus.REFUSED.value)
            await self._reset(stored)
            raise MissingTranslationsError(lacking)
        await self._activate(stored, allow_missing)
        return Published(stored, PublicationStatus.PUBLISHING, already=False)

    async def plan(self, stored: StoredDecision) -> None:
        limits = self.limits()
        for shard in range(self.schema.shards):
            while not await self.planner.plan_shard(stored, shard, limits):
                pass

    async def planned_counts(self, stored: StoredDecision) -> LinkCounts:
        counts = LinkCounts()
        pipe = self._redis.pipeline(transaction=False)
        for shard in range(self.schema.shards):
            pipe.hgetall(self.schema.shard_publication(shard, stored.ref, stored.version))
        for state in await pipe.execute():
            for name, value in state.items():
                text = name.decode()
                if text in ("linked", "late|budget") or text[:2] in ("x|", "t|"):
                    counts.add_one(text, int(value))
        return counts

    async def _activate(self, stored: StoredDecision, allow_missing: bool) -> None:
        key = self.schema.publication(stored.ref, stored.version)
        await self._redis.hset(
            key,
            mapping={
                "status": PublicationStatus.PUBLISHING.value,
                "started": self.now_ms(),
                "allow_missing": int(allow_missing),
            },
        )
        await self._ledger.mark_published(stored.campaign_id, stored.id, stored.version)
        await self._redis.sadd(
            self.schema.active_publications, f"{stored.campaign_id}/{stored.id}/{stored.version}"
        )
        await ring(self._redis, self.schema)  # idle publishers start feeding it now

    async def _reset(self, stored: StoredDecision) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for shard in range(self.schema.shards):
            pipe.delete(self.schema.shard_publication(shard, stored.ref, stored.version))
            pipe.delete(self.schema.targets(shard, stored.ref, stored.version))
        await pipe.execute()

    # -- the publisher role ----------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Feed active publications and move due notices until `stop` is set. With nothing
        to do it waits on the bell until the next held notice is due (see LoopConfig)."""
        bell = Bell(self._waits, self.schema)
        while not stop.is_set():
            pause = self._config.idle_seconds
            try:
                await bell.listen()
                worked = await self.step()
                pause = self._pause()
            except STORAGE_FAILURE as error:  # Redis restarting or failing over: one line
                log.warning("publisher: Redis unavailable (%s); retrying", type(error).__name__)
                worked = 0
            except Exception:  # a decision that no longer parses: a bug worth its traceback
                log.exception("publisher step failed; retrying")
                worked = 0
            if not worked:
                await self._wait(bell, stop, pause)

    async def _wait(self, bell: Bell, stop: asyncio.Event, seconds: float) -> None:
        try:
            await bell.wait(stop, seconds)
        except STORAGE_FAILURE:  # noticed again by the next step; meanwhile, no busy loop
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._config.idle_seconds)

    def _pause(self) -> float:
        """How long an idle publisher may wait after the last step: shortly while a
        publication is active, else until the next held notice is due."""
        if self._active:
            return self._config.idle_seconds
        longest = self._config.longest_wait_seconds
        if self._next_due_ms is None:
            return longest
        return min(longest, max(0.0, (self._next_due_ms - self.now_ms()) / 1000))

    async def step(self) -> int:
        """One pass: due notices moved, then one batch per shard of every active publication
        (planning first where a crash interrupted it). Returns how much was done."""
        worked = await self.move_due()
        members: Any = await self._redis.smembers(self.schema.active_publications)
        self._active = len(members)
        for member in sorted(m.decode() for m in members):
            campaign_id, decision_id, version = member.rsplit("/", 2)
            stored = await self._ledger.get(campaign_id, decision_id, int(version))
            campaign = await self._campaigns.get(campaign_id)
            if stored is None or campaign is None:
                await self._redis.srem(self.schema.active_publications, member)
                continue
            worked += await self._advance(stored, campaign.survey)
        return worked

    async def _advance(self, stored: StoredDecision, survey: Survey) -> int:
        limits = self.limits()
        campaign_zone = await self.campaign_zone(stored.campaign_id)
        worked, complete = 0, True
        for shard in range(self.schema.shards):
            state = self.schema.shard_publication(shard, stored.ref, stored.version)
            if (await self._redis.hget(state, "scan")) != b"done":
                complete = False
                await self.planner.plan_shard(stored, shard, limits)
                worked += 1
            fed = await self.feeder.feed(stored, survey, shard, limits.now_ms, campaign_zone)
            worked += fed
            fed_raw, seq_raw = await self._redis.hmget(state, ["fed", "seq"])
            if int(fed_raw or 0) < int(seq_raw or 0):
                complete = False
        if complete:
            await self._finish(stored)
        return worked

    async def _finish(self, stored: StoredDecision) -> None:
        key = self.schema.publication(stored.ref, stored.version)
        await self._redis.hset(
            key, mapping={"status": PublicationStatus.DONE.value, "finished": self.now_ms()}
        )
        await self._redis.srem(
            self.schema.active_publications, f"{stored.campaign_id}/{stored.id}/{stored.version}"
        )
        for shard in range(self.schema.shards):
            targets = self.schema.targets(shard, stored.ref, stored.version)
            await self._redis.expire(targets, DONE_TARGETS_TTL_SECONDS)
        log.info("decision %s version %d: every notice is queued", stored.ref, stored.version)

    async def move_due(self, limit: int = 500) -> int:
        """Due notices of every shard into the outbox: one pipelined round trip."""
        now = self.now_ms()
        calls = [
            ScriptCall(
                MOVE_DUE,
                [
                    self.schema.schedule(shard),
                    self.schema.schedule_bodies(shard),
                    self.schema.outbox(shard, Priority.BULK),
                ],
                [
                    now,
                    limit,
                    *self.schema.move_due_prefixes(shard),
                    ",".join(outcome_versions_honoured()),
                ],
            )
            for shard in range(self.schema.shards)
        ]
        replies = await run_batch(self._redis, calls)
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        due = [int(next_due) for _, _, next_due in replies if int(next_due) >= 0]
        self._next_due_ms = min(due, default=None)
        return sum(int(moved) + int(dropped) for moved, dropped, _ in replies)

    async def campaign_zone(self, campaign_id: str) -> str:
        raw = optional_text(await self._redis.hget(self.schema.campaign(campaign_id), "tz"))
        return raw or self._config.default_timezone


def _lacking(counts: LinkCounts, missing: tuple[str, ...], survey: Survey) -> dict[str, int]:
    """Missing languages that someone would be told in (a language the campaign does not
    speak falls back to its default)."""
    lacking: dict[str, int] = {}
    for (language, _), count in counts.targets.items():
        spoken = language if language in survey.languages else survey.default_language
        if spoken in missing:
            lacking[spoken] = lacking.get(spoken, 0) + count
    return lacking
