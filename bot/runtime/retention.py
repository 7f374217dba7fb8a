"""Retention: when a closed campaign's retention has passed, its personal-level data is erased
and only its aggregates stay (docs/data-protection.md, retention).

Erased, for every respondent: the campaign's session, answers (with their sealed free text) and
themes, their `c:<cid>` / `u:<cid>` fields, what they were told of its decisions; the text of
the campaign's cases; and the whole participant, as /delete takes them, once no other campaign
of theirs is still kept. The result counters are not touched: results read the same after.

Shard by shard, a chunk of respondents per script call (`expire_respondents.lua`), each
respondent dealt with whole in one call and taken out of the respondents set in it: a run that
stops half way is finished by the next one, and a run over what is already erased changes
nothing. Only a campaign closed and past its due date is ever erased, checked again before each
shard (it may have been reopened meanwhile).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.conversation.campaign import Campaign
from bot.records.campaigns import CampaignStore
from bot.runtime.erasure_traces import purge_entries
from bot.storage.erasure_marks import note_erasure
from bot.storage.keys import KeySchema
from bot.storage.lua import run_batch
from bot.storage.scripts import EXPIRE_CASES, EXPIRE_RESPONDENTS

log = logging.getLogger(__name__)

CHUNK = 200  # respondents per script call: about 10 ms of the server's time (it blocks others)
CASE_SLICE = 1000  # cases per script call


@dataclass(frozen=True, slots=True)
class Erased:
    """What one campaign's retention erased in this run."""

    campaign_id: str
    respondents: int  # taken out of the campaign's respondents, their data in it erased
    participants: int  # erased whole (no other campaign of theirs is kept)
    case_texts: int
    left: int  # respondents still holding data (busy at the time): the next run takes them
    completed: bool  # nothing personal of the campaign is left: it is marked purged


def is_due(campaign: Campaign, now_ms: int) -> bool:
    """Closed, and its retention has passed. An open campaign is never due."""
    until = campaign.kept_until_ms
    return until is not None and until <= now_ms


async def holding(redis: Redis, schema: KeySchema, campaign_id: str) -> int:
    """Respondents of the campaign whose personal-level data is still kept (all shards)."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.scard(schema.respondents(shard, campaign_id))
    return sum(int(count) for count in await pipe.execute())


async def erase_campaign(
    redis: Redis,
    schema: KeySchema,
    campaigns: CampaignStore,
    campaign_id: str,
    *,
    clock: Callable[[], float] = time.time,
    chunk: int = CHUNK,
) -> Erased | None:
    """Erase what retention made due of one campaign; None (nothing done) unless it is
    closed and past its retention."""
    refs = await decision_refs(redis, schema, campaign_id)
    erased_before = await campaigns.purged()
    respondents = participants = texts = left = 0
    for shard in range(schema.shards):
        campaign = await campaigns.get(campaign_id)
        if campaign is None or not is_due(campaign, int(clock() * 1000)):
            if shard == 0:
                return None
            break  # reopened meanwhile: what is erased stays erased, nothing more goes
        taken, whole, kept = await _respondents(
            redis, schema, shard, campaign_id, refs, erased_before, chunk
        )
        respondents, participants, left = respondents + taken, participants + whole, left + kept
        texts += await _case_texts(redis, schema, shard, campaign_id)
    completed = left == 0 and await holding(redis, schema, campaign_id) == 0
    if completed:
        await campaigns.mark_purged(campaign_id, int(clock() * 1000))
    outcome = Erased(campaign_id, respondents, participants, texts, left, completed)
    await after_erasure(redis, schema, outcome, int(clock() * 1000))
    return outcome


async def _respondents(
    redis: Redis,
    schema: KeySchema,
    shard: int,
    campaign_id: str,
    refs: list[str],
    erased_before: list[str],
    chunk: int,
) -> tuple[int, int, int]:
    """One shard's respondents, chunk by chunk: (erased, erased whole, left for the next run)."""
    erased = whole = 0
    key = schema.respondents(shard, campaign_id)
    while True:
        args: list[str | int] = [
            campaign_id,
            chunk,
            schema.tag(shard),
            len(refs),
            *refs,
            *erased_before,
        ]
        taken, gone, put_back, remaining, codes, whole_ids = await EXPIRE_RESPONDENTS(
            redis, [key], args
        )
        # The recovery codes of web chat participants erased whole open nothing now: their
        # index keys go too (a stop right here leaves them to expire, opening nothing).
        for digest in codes:
            await redis.delete(schema.webchat_recovery(digest.decode()))
        if whole_ids:  # what the shard's streams still hold of them goes too
            ids = [_text(pid) for pid in whole_ids]
            [purged] = await run_batch(redis, [purge_entries(schema, ids)])
            if isinstance(purged, Exception):
                raise purged
        # Those put back are counted once, by the run that takes them out for good.
        erased, whole = erased + int(taken) - int(put_back), whole + int(gone)
        # Fewer taken than asked, or all of them put back: the set is down to those kept for
        # the next run (or empty).
        if int(taken) < chunk or int(put_back) == int(taken):
            return erased, whole, int(remaining)


async def _case_texts(redis: Redis, schema: KeySchema, shard: int, campaign_id: str) -> int:
    dropped, first = 0, 0
    while True:
        first, count = await EXPIRE_CASES(
            redis, [schema.cases(shard)], [campaign_id, first, CASE_SLICE, schema.tag(shard)]
        )
        dropped += int(count)
        if int(first) == 0:
            return dropped


async def decision_refs(redis: Redis, schema: KeySchema, campaign_id: str) -> list[str]:
    """The short references of the campaign's decisions (what a participant's ledger is keyed
    by)."""
    ids = sorted(await redis.smembers(schema.decisions(campaign_id)))
    if not ids:
        return []
    pipe = redis.pipeline(transaction=False)
    for decision_id in ids:
        pipe.hget(schema.decision(campaign_id, _text(decision_id)), "ref")
    return [_text(ref) for ref in await pipe.execute() if ref is not None]


async def after_erasure(redis: Redis, schema: KeySchema, outcome: Erased, now_ms: int) -> None:
    """Called once after every retention erasure: the one place where what follows an erasure
    goes. When anything was erased, the erasure is noted so the files Redis writes are
    rewritten without it (bot.storage.erasure_marks, bot.runtime.disk_erasure). Logs the
    figures, never an id of a participant."""
    if outcome.respondents or outcome.participants or outcome.case_texts:
        await note_erasure(redis, schema, now_ms)
    log.info(
        "retention erased campaign '%s': %d respondents, %d participants whole, %d case texts;"
        " %d left for the next run",
        outcome.campaign_id,
        outcome.respondents,
        outcome.participants,
        outcome.case_texts,
        outcome.left,
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
