"""Campaigns as stored: the survey file's source, its revision, whether it is open, and the
organisation it belongs to (`org`; a campaign stored before organisations has none and belongs
to the default one).

The source is kept (not a parsed form) so that every process parses the same text with its own
Sauti version; parsed surveys are cached per revision.
"""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis

from bot.access.organisations import DEFAULT_ORG
from bot.conversation.campaign import Campaign, CampaignStatus
from bot.records.snapshots import take_snapshot
from bot.settings.privacy import DEFAULT_RETENTION_DAYS
from bot.storage.keys import KeySchema
from bot.storage.scripts import MARK_PURGED
from dialogues import Survey, SurveyDefinitionError, parse

log = logging.getLogger(__name__)


class CampaignOwnedElsewhereError(Exception):
    """A survey file whose campaign id another organisation already uses (ids are
    deployment-wide: join links carry them)."""


class CampaignStore:
    """Campaigns in Redis, with a short-lived local cache for the hot path."""

    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        cache_seconds: float = 2.0,
        *,
        default_retention_days: int = DEFAULT_RETENTION_DAYS,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._default_retention_days = default_retention_days
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Campaign]] = {}
        self._parsed: dict[str, Survey] = {}  # revision -> survey
        self._open: tuple[float, list[Campaign]] | None = None

    async def load(
        self, source: str, *, org: str = DEFAULT_ORG, open_now: bool = False
    ) -> Campaign:
        """Store a survey file for organisation `org` (validated first: raises
        SurveyDefinitionError; CampaignOwnedElsewhereError when another organisation has a campaign
        of that id). A campaign that already exists keeps its status unless `open_now`; a new
        one starts closed unless `open_now`, so nobody joins a draft by accident."""
        survey = parse(source)
        key = self._schema.campaign(survey.id)
        existing, owner = await self._redis.hmget(key, ["status", "org"])
        # Claimed with HSETNX before anything is written: of two organisations loading one new
        # id at once, exactly one gets it (a campaign from before organisations, without the
        # field, is the default organisation's).
        if existing is None or owner is not None or org == DEFAULT_ORG:
            await self._redis.hsetnx(key, "org", org)
            owner = await self._redis.hget(key, "org")
        if _text(owner or DEFAULT_ORG) != org:
            raise CampaignOwnedElsewhereError(
                f"campaign '{survey.id}' belongs to another organisation: "
                "give the survey another id"
            )
        if open_now:
            status = CampaignStatus.OPEN
        elif existing is not None:
            status = CampaignStatus(_text(existing))
        else:
            status = CampaignStatus.CLOSED
        await self._redis.hset(
            key,
            mapping={
                "source": source,
                "revision": survey.revision,
                "status": status.value,
                "org": org,
            },
        )
        await self._redis.sadd(self._schema.campaigns, survey.id)
        if status is CampaignStatus.OPEN:
            await self._redis.hdel(key, "closed", "purged")
        self._cache.pop(survey.id, None)
        self._open = None
        return await self._fetch(survey.id) or Campaign(survey, status, org)

    async def set_status(self, campaign_id: str, status: CampaignStatus) -> bool:
        """False when there is no such campaign. Closing takes the results' final snapshot:
        whoever is still pending shows, however few (bot.records.snapshots)."""
        key = self._schema.campaign(campaign_id)
        if not await self._redis.exists(key):
            return False
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(key, "status", status.value)
        if status is CampaignStatus.CLOSED:  # retention counts from the first close
            pipe.hsetnx(key, "closed", str(_now_ms()))
        else:  # reopened: a later close starts retention again, for every respondent
            pipe.hdel(key, "closed", "purged")
        await pipe.execute()
        self._cache.pop(campaign_id, None)
        self._open = None
        if status is CampaignStatus.CLOSED:
            await take_snapshot(self._redis, self._schema, campaign_id, 1, wait=True)
        return True

    async def get(self, campaign_id: str) -> Campaign | None:
        cached = self._cache.get(campaign_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        campaign = await self._fetch(campaign_id)
        # Only campaigns that exist are kept: ids come from links anyone can make up, and
        # remembering each of them would grow the process without bound.
        if campaign is not None:
            self._cache[campaign_id] = (now, campaign)
        return campaign

    async def open_campaigns(self) -> list[Campaign]:
        """Open campaigns, for people who arrive without a join code (cached briefly)."""
        now = time.monotonic()
        if self._open is not None and now - self._open[0] < self._cache_seconds:
            return self._open[1]
        opened = []
        for campaign_id in await self.ids():
            try:
                campaign = await self.get(campaign_id)
            except SurveyDefinitionError:  # a damaged campaign is not offered; events say why
                log.warning("campaign '%s' cannot be read; not offered", campaign_id)
                continue
            if campaign is not None and campaign.is_open:
                opened.append(campaign)
        self._open = (now, opened)
        return opened

    async def ids(self, org: str | None = None) -> list[str]:
        """Every campaign's id, or those of one organisation."""
        every = sorted(
            _text(member) for member in await self._redis.smembers(self._schema.campaigns)
        )
        if org is None or not every:
            return every
        pipe = self._redis.pipeline(transaction=False)
        for campaign_id in every:
            pipe.hget(self._schema.campaign(campaign_id), "org")
        owners = await pipe.execute()
        return [
            campaign_id
            for campaign_id, owner in zip(every, owners, strict=True)
            if _text(owner or DEFAULT_ORG) == org
        ]

    async def owner(self, campaign_id: str) -> str | None:
        """The organisation a campaign belongs to; None when there is no such campaign."""
        status, owner = await self._redis.hmget(
            self._schema.campaign(campaign_id), ["status", "org"]
        )
        if status is None:
            return None
        return _text(owner or DEFAULT_ORG)

    async def mark_purged(self, campaign_id: str, closed_ms: int, now_ms: int) -> bool:
        """Retention erased the campaign's personal-level data everywhere (`purged`): marked
        only if it is still closed since `closed_ms` (not reopened meanwhile). False when not."""
        marked = await MARK_PURGED(
            self._redis, [self._schema.campaign(campaign_id)], [closed_ms, now_ms]
        )
        self._cache.pop(campaign_id, None)
        return bool(marked)

    async def closed_since(self, campaign_id: str) -> int | None:
        """When the campaign was closed, read now (never cached); None while it is open."""
        status, closed = await self._redis.hmget(
            self._schema.campaign(campaign_id), ["status", "closed"]
        )
        if status is None or _text(status) != CampaignStatus.CLOSED.value or closed is None:
            return None
        return int(closed)

    async def purged(self) -> list[str]:
        """Ids of the campaigns whose personal-level data retention has erased."""
        ids = await self.ids()
        pipe = self._redis.pipeline(transaction=False)
        for campaign_id in ids:
            pipe.hget(self._schema.campaign(campaign_id), "purged")
        marks = await pipe.execute() if ids else []
        return [cid for cid, mark in zip(ids, marks, strict=True) if mark is not None]

    async def purged_at(self, campaign_id: str) -> int | None:
        """When retention finished erasing the campaign's personal-level data, if it did."""
        mark = await self._redis.hget(self._schema.campaign(campaign_id), "purged")
        return int(mark) if mark is not None else None

    async def _fetch(self, campaign_id: str) -> Campaign | None:
        key = self._schema.campaign(campaign_id)
        revision, status, owner, closed = await self._redis.hmget(
            key, ["revision", "status", "org", "closed"]
        )
        if revision is None or status is None:
            return None
        state = CampaignStatus(_text(status))
        if state is CampaignStatus.CLOSED and closed is None:
            # Closed before closing times were kept: retention counts from now, the first time
            # this Sauti sees it closed (docs/data-protection.md, retention).
            await self._redis.hsetnx(key, "closed", str(_now_ms()))
            closed = await self._redis.hget(key, "closed")
        survey = self._parsed.get(_text(revision))
        if survey is None:
            source = await self._redis.hget(self._schema.campaign(campaign_id), "source")
            if source is None:
                return None
            survey = parse(_text(source))
            self._parsed[survey.revision] = survey
        return Campaign(
            survey,
            state,
            _text(owner or DEFAULT_ORG),
            closed_ms=int(closed) if state is CampaignStatus.CLOSED and closed else None,
            retention_days=(
                survey.retention_days
                if survey.retention_days is not None
                else self._default_retention_days
            ),
        )


def _now_ms() -> int:
    return int(time.time() * 1000)


def _text(value: bytes | str) -> str:
    """Replies are bytes (the client does not decode); this names the conversion."""
    return value.decode() if isinstance(value, bytes) else value
