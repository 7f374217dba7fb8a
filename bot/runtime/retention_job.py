"""The retention job: what retention made due is erased, every hour by default
(SAUTI_RETENTION_INTERVAL_SECONDS), by one process at a time, and recorded in each
organisation's audit log (`sauti retention run` does the same on demand).

One process acts per interval: each tries `SET NX PX <interval>` on the job's lease, and
whoever gets it runs; the lease is not given back, so the others skip until the interval is
over. A process that dies mid-run leaves the rest to whoever takes the next lease: every step
of the erasure is resumable (bot.runtime.retention).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable

from redis.asyncio import Redis

from bot.audit.entry import OPERATOR, AuditAction
from bot.audit.log import AuditLog
from bot.records.campaigns import CampaignStore
from bot.runtime.retention import DEDUPE_SECONDS, Erased, erase_campaign, is_due
from bot.storage.errors import STORAGE_FAILURE, is_storage_unavailable
from bot.storage.keys import KeySchema
from dialogues import SurveyDefinitionError

log = logging.getLogger(__name__)


async def erase_due(
    redis: Redis,
    schema: KeySchema,
    campaigns: CampaignStore,
    audit: AuditLog,
    *,
    only: str | None = None,
    by: str = "schedule",
    clock: Callable[[], float] = time.time,
    dedupe_seconds: int = DEDUPE_SECONDS,
) -> list[Erased]:
    """Erase every campaign (or `only` that one) closed and past its retention whose data is
    not yet all erased; each erasure recorded in its organisation's audit log as the operator."""
    done: list[Erased] = []
    for campaign_id in [only] if only is not None else await campaigns.ids():
        try:
            erased = await _erase_one(
                redis, schema, campaigns, audit, campaign_id, by, clock, dedupe_seconds
            )
        except Exception as error:
            # Redis away: no other campaign would fare better; asked for one: the caller says why.
            if is_storage_unavailable(error) or only is not None:
                raise
            # One campaign's failure (a damaged key, a bug) holds up no other's retention.
            log.warning(
                "retention of campaign '%s' failed (%s); the next run tries again",
                campaign_id,
                type(error).__name__,
            )
            continue
        if erased is not None:
            done.append(erased)
    return done


async def _erase_one(
    redis: Redis,
    schema: KeySchema,
    campaigns: CampaignStore,
    audit: AuditLog,
    campaign_id: str,
    by: str,
    clock: Callable[[], float],
    dedupe_seconds: int,
) -> Erased | None:
    try:
        campaign = await campaigns.get(campaign_id)
    except SurveyDefinitionError:  # unreadable: its retention cannot be known
        log.warning("campaign '%s' cannot be read; its retention is not applied", campaign_id)
        return None
    if campaign is None or not is_due(campaign, int(clock() * 1000)):
        return None
    if await campaigns.purged_at(campaign_id) is not None:
        return None
    erased = await erase_campaign(
        redis, schema, campaigns, campaign_id, clock=clock, dedupe_seconds=dedupe_seconds
    )
    if erased is None:
        return None
    # Whether it is all erased, never how many: the audit log is read by the organisation's
    # staff, and a small count could point at someone.
    await audit.record(
        campaign.org,
        actor=OPERATOR,
        action=AuditAction.RETENTION_ERASED,
        target=f"campaign:{campaign_id}",
        details={"state": "erased" if erased.completed else "not yet complete", "by": by},
    )
    return erased


class RetentionJob:
    """Runs `erase_due` once per interval across every process of the worker role."""

    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        campaigns: CampaignStore,
        audit: AuditLog,
        *,
        interval_seconds: int,
        clock: Callable[[], float] = time.time,
        dedupe_seconds: int = DEDUPE_SECONDS,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._campaigns = campaigns
        self._audit = audit
        self._interval = interval_seconds
        self._clock = clock
        self._dedupe_seconds = dedupe_seconds
        self._owner = secrets.token_hex(8)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except STORAGE_FAILURE as error:  # Redis away: the next interval tries again
                log.warning("retention job: Redis failed: %s", type(error).__name__)
            except Exception:  # never the worker's end: what is left is erased next interval
                log.exception("retention job failed; it runs again next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)

    async def run_once(self) -> list[Erased] | None:
        """Erase what is due if this process holds the job's lease for this interval; None
        when another process does."""
        taken = await self._redis.set(
            self._schema.retention_lease, self._owner, nx=True, px=self._interval * 1000
        )
        if not taken:
            return None
        return await erase_due(
            self._redis,
            self._schema,
            self._campaigns,
            self._audit,
            clock=self._clock,
            dedupe_seconds=self._dedupe_seconds,
        )
