"""Result counters counted again from the stored sessions: for data written before commits kept
them (the migration to schema 4, bot.runtime.migrations), or to repair them.

The respondents of each campaign are walked shard by shard as exports walk them
(bot.records.export): SSCAN, then sessions and channels loaded in pipelined chunks. Each shard's
result fields are then replaced at once by a script that refuses when a commit changed the
counters meanwhile; that shard is then counted again. Safe to run twice, or by two processes at
once: both write the same counts.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.conversation.stored_sessions import decode_session
from bot.records.campaigns import CampaignStore
from bot.records.retained import retention_began
from bot.records.tally import Tallied, contributions, tallied
from bot.storage.keys import KeySchema
from bot.storage.scripts import SWAP_RESULTS
from dialogues import SessionFormatError, SurveyDefinitionError

log = logging.getLogger(__name__)

CHUNK = 500  # respondents loaded per pipelined round trip
ATTEMPTS = 20  # a shard recounted this many times, commits changing it each time: given up


@dataclass(frozen=True, slots=True)
class Recounted:
    campaigns: int
    sessions: int  # sessions counted (each once, however often a shard was counted again)
    busy_shards: int = 0  # shards whose counters commits kept changing: left as they were


async def recount_results(redis: Redis, schema: KeySchema, chunk: int = CHUNK) -> Recounted:
    """Every campaign's result counters, counted again from the sessions stored."""
    campaigns = CampaignStore(redis, schema, cache_seconds=0)
    ids = await campaigns.ids()
    sessions = busy = 0
    for campaign_id in ids:
        try:
            campaign = await campaigns.get(campaign_id)
        except SurveyDefinitionError:  # its survey cannot be read: no cross-tabs to keep
            log.warning(
                "campaign '%s' cannot be read: its cross-tabs are not recounted", campaign_id
            )
            campaign = None
        survey = tallied(campaign.survey) if campaign is not None else Tallied()
        if await campaigns.purged_at(campaign_id) is not None:
            # Retention erased its sessions: a recount would take its results to nothing.
            log.info("campaign '%s': erased by retention, not recounted", campaign_id)
            continue
        for shard in range(schema.shards):
            if await retention_began(redis, schema, shard, campaign_id):
                log.info("campaign '%s' shard %d: erased by retention", campaign_id, shard)
                continue
            counted = await _recount_shard(redis, schema, campaign_id, shard, survey, chunk)
            if counted is None:
                busy += 1
                log.warning("campaign '%s' shard %d: counters kept changing", campaign_id, shard)
            else:
                sessions += counted
    return Recounted(len(ids), sessions, busy)


async def _recount_shard(
    redis: Redis,
    schema: KeySchema,
    campaign_id: str,
    shard: int,
    survey: Tallied,
    chunk: int,
) -> int | None:
    """The sessions counted into the shard's counters; None when commits kept changing them."""
    key = schema.counters(shard, campaign_id)
    for _ in range(ATTEMPTS):
        before: Any = await redis.hgetall(key)
        totals, counted = await _count(redis, schema, campaign_id, shard, survey, chunk)
        expected = [item for pair in before.items() for item in pair]
        recounted = [item for name, count in totals.items() if count for item in (name, count)]
        if await SWAP_RESULTS(redis, [key], [len(before), *expected, *recounted]):
            return counted
    return None


async def _count(
    redis: Redis,
    schema: KeySchema,
    campaign_id: str,
    shard: int,
    survey: Tallied,
    chunk: int,
) -> tuple[Counter[str], int]:
    totals: Counter[str] = Counter()
    counted = 0
    seen: set[bytes] = set()  # SSCAN may return a member twice
    batch: list[str] = []
    async for member in redis.sscan_iter(schema.respondents(shard, campaign_id), count=chunk):
        if member not in seen:
            seen.add(member)
            batch.append(member.decode())
        if len(batch) >= chunk:
            counted += await _add(redis, schema, campaign_id, batch, survey, totals)
            batch = []
    if batch:
        counted += await _add(redis, schema, campaign_id, batch, survey, totals)
    return totals, counted


async def _add(
    redis: Redis,
    schema: KeySchema,
    campaign_id: str,
    participant_ids: list[str],
    survey: Tallied,
    totals: Counter[str],
) -> int:
    """Add what each participant's session contributes: one round trip."""
    pipe = redis.pipeline(transaction=False)
    for pid in participant_ids:
        pipe.get(schema.session(pid, campaign_id))
        pipe.hget(schema.participant(pid), "ch")
    replies: list[Any] = await pipe.execute()
    counted = 0
    for n in range(len(participant_ids)):
        raw, channel = replies[2 * n], replies[2 * n + 1]
        if not raw:
            continue
        try:
            session = decode_session(raw)
        except (SessionFormatError, ValueError):  # a commit of it would fail too: not counted
            continue
        totals.update(contributions(session, (channel or b"").decode(), survey))
        counted += 1
    return counted
