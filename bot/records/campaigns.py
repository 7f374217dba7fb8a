"""Campaigns as stored: the survey file's source, its revision, and whether it is open.

The source is kept (not a parsed form) so that every process parses the same text with its own
Sauti version; parsed surveys are cached per revision.
"""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis

from bot.conversation.campaign import Campaign, CampaignStatus
from bot.storage.keys import KeySchema
from dialogues import Survey, SurveyDefinitionError, parse

log = logging.getLogger(__name__)


class CampaignStore:
    """Campaigns in Redis, with a short-lived local cache for the hot path."""

    def __init__(self, redis: Redis, schema: KeySchema, cache_seconds: float = 2.0) -> None:
        self._redis = redis
        self._schema = schema
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Campaign]] = {}
        self._parsed: dict[str, Survey] = {}  # revision -> survey
        self._open: tuple[float, list[Campaign]] | None = None

    async def load(self, source: str, *, open_now: bool = False) -> Campaign:
        """Store a survey file (validated first: raises SurveyDefinitionError). A campaign that
        already exists keeps its status unless `open_now`; a new one starts closed unless
        `open_now`, so nobody joins a draft by accident."""
        survey = parse(source)
        key = self._schema.campaign(survey.id)
        existing = await self._redis.hget(key, "status")
        if open_now:
            status = CampaignStatus.OPEN
        elif existing is not None:
            status = CampaignStatus(_text(existing))
        else:
            status = CampaignStatus.CLOSED
        await self._redis.hset(
            key, mapping={"source": source, "revision": survey.revision, "status": status.value}
        )
        await self._redis.sadd(self._schema.campaigns, survey.id)
        self._cache.pop(survey.id, None)
        self._open = None
        return Campaign(survey, status)

    async def set_status(self, campaign_id: str, status: CampaignStatus) -> bool:
        """False when there is no such campaign."""
        key = self._schema.campaign(campaign_id)
        if not await self._redis.exists(key):
            return False
        await self._redis.hset(key, "status", status.value)
        self._cache.pop(campaign_id, None)
        self._open = None
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

    async def ids(self) -> list[str]:
        return sorted(
            _text(member) for member in await self._redis.smembers(self._schema.campaigns)
        )

    async def _fetch(self, campaign_id: str) -> Campaign | None:
        revision, status = await self._redis.hmget(
            self._schema.campaign(campaign_id), ["revision", "status"]
        )
        if revision is None or status is None:
            return None
        survey = self._parsed.get(_text(revision))
        if survey is None:
            source = await self._redis.hget(self._schema.campaign(campaign_id), "source")
            if source is None:
                return None
            survey = parse(_text(source))
            self._parsed[survey.revision] = survey
        return Campaign(survey, CampaignStatus(_text(status)))


def _text(value: bytes | str) -> str:
    """Replies are bytes (the client does not decode); this names the conversion."""
    return value.decode() if isinstance(value, bytes) else value
