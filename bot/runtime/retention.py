"""Retention: when a closed campaign's retention has passed, its personal-level data is erased
and only its aggregates stay (docs/data-protection.md, retention).

Erased, for every respondent and everyone who only joined it (saw the data notice, never
started): the campaign's session, answers (with their sealed free text) and themes, their
`c:<cid>` / `u:<cid>` fields, what they were told of its decisions; the text of the campaign's
cases with who raised them; and the whole participant, as /delete takes them, once no other
campaign of theirs is still kept. The result counters are not touched, and the two aggregates
read from what goes (respondents, theme counts) are kept beside them: results and the loop
report read the same after.

Shard by shard, a chunk of people per script call (`expire_respondents.lua`), each dealt with
whole in one call and taken out of the sets in it: a run that stops half way is finished by the
next one, and a run over what is already erased changes nothing. Only a campaign closed and past
its due date is ever erased. Its closing time is read again, uncached, before every chunk: a
campaign reopened meanwhile loses no more than the chunk that was already running when the
operator reopened it (a script call of about 10 ms, which Redis runs whole before the reopening
command, as if that command had come 10 ms later). The script itself cannot check: the
campaign's hash is not in the shard's hash slot. It is marked purged only if it is still closed
since the same time (`mark_purged.lua`), so a reopened campaign is never marked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from redis.asyncio import Redis

from bot.conversation.campaign import Campaign
from bot.records.campaigns import CampaignStore
from bot.runtime.erasure_traces import forget_erased, purge_entries
from bot.storage.erasure_marks import erasure_noted, note_erasure
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, run_batch
from bot.storage.scripts import EXPIRE_CASES, EXPIRE_RESPONDENTS

log = logging.getLogger(__name__)

CHUNK = 200  # respondents per script call: about 10 ms of the server's time (it blocks others)
# The default dedupe window (SAUTI_DEDUPE_TTL_SECONDS's default), for callers without settings.
DEDUPE_SECONDS = 7 * 86_400
CASE_PAGE = 1000  # cases per script call


@dataclass(frozen=True, slots=True)
class Erased:
    """What one campaign's retention erased in this run."""

    campaign_id: str
    respondents: int  # taken out of the campaign's respondents, their data in it erased
    participants: int  # erased whole (no other campaign of theirs is kept)
    case_texts: int
    left: int  # people still holding data (busy at the time): the next run takes them
    completed: bool  # nothing personal of the campaign is left: it is marked purged
    # Participants erased whole: what follows an erasure of a person concerns them too.
    erased_ids: tuple[str, ...] = field(default=(), repr=False)


def is_due(campaign: Campaign, now_ms: int) -> bool:
    """Closed, and its retention has passed. An open campaign is never due."""
    until = campaign.kept_until_ms
    return until is not None and until <= now_ms


async def holding(redis: Redis, schema: KeySchema, campaign_id: str) -> int:
    """People whose personal-level data of the campaign is still kept (all shards): its
    respondents, and those who joined it without starting (two sets that share no one)."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.scard(schema.respondents(shard, campaign_id))
        pipe.scard(schema.joiners(shard, campaign_id))
    return sum(int(count) for count in await pipe.execute())


async def erase_campaign(
    redis: Redis,
    schema: KeySchema,
    campaigns: CampaignStore,
    campaign_id: str,
    *,
    clock: Callable[[], float] = time.time,
    chunk: int = CHUNK,
    dedupe_seconds: int = DEDUPE_SECONDS,
) -> Erased | None:
    """Erase what retention made due of one campaign; None (nothing done) unless it is
    closed and past its retention. `dedupe_seconds` is the deployment's dedupe window
    (SAUTI_DEDUPE_TTL_SECONDS): how long the erased events' markers are kept."""
    campaign = await campaigns.get(campaign_id)
    closed_ms = await campaigns.closed_since(campaign_id)
    if campaign is None or closed_ms is None or not is_due(campaign, int(clock() * 1000)):
        return None

    async def still_due() -> bool:
        # Uncached: the operator may reopen it at any moment of the run.
        return await campaigns.closed_since(campaign_id) == closed_ms

    refs = await decision_refs(redis, schema, campaign_id)
    erased_before = await campaigns.purged()
    respondents = participants = texts = left = 0
    gone: list[str] = []
    stopped = False
    for shard in range(schema.shards):
        shard_erased = await _people(
            redis,
            schema,
            shard,
            campaign_id,
            refs,
            erased_before,
            _Pace(chunk, dedupe_seconds),
            still_due,
        )
        if shard_erased is not None:
            taken, whole, kept, ids = shard_erased
            respondents, participants = respondents + taken, participants + whole
            left, gone = left + kept, gone + ids
        if shard_erased is None or not await still_due():
            stopped = True
            break
        texts += await _case_texts(redis, schema, shard, campaign_id, int(clock() * 1000))
    late = 0
    if not stopped and left == 0:
        # A case raised with an earlier time may have gone in behind a page already read: a
        # second pass must find nothing, or the next run looks again before marking it purged.
        for shard in range(schema.shards):
            late += await _case_texts(redis, schema, shard, campaign_id, int(clock() * 1000))
    texts += late
    completed = (
        not stopped
        and left == 0
        and late == 0
        and await holding(redis, schema, campaign_id) == 0
        and await campaigns.mark_purged(campaign_id, closed_ms, int(clock() * 1000))
    )
    outcome = Erased(campaign_id, respondents, participants, texts, left, completed, tuple(gone))
    await after_erasure(redis, schema, outcome, int(clock() * 1000))
    return outcome


class _Pace(NamedTuple):
    chunk: int  # respondents per script call
    dedupe_seconds: int  # how long the erased events' markers are kept


async def _people(
    redis: Redis,
    schema: KeySchema,
    shard: int,
    campaign_id: str,
    refs: list[str],
    erased_before: list[str],
    pace: _Pace,
    still_due: Callable[[], Awaitable[bool]],
) -> tuple[int, int, int, list[str]] | None:
    """One shard's respondents and joiners, chunk by chunk: (respondents erased, participants
    erased whole, people left for the next run, ids erased whole); None when the campaign was
    reopened before a chunk."""
    erased = whole = 0
    gone: list[str] = []
    keys = [
        schema.respondents(shard, campaign_id),
        schema.joiners(shard, campaign_id),
        schema.counters(shard, campaign_id),
    ]
    args: list[str | int] = [
        campaign_id, pace.chunk, schema.tag(shard), len(refs), *refs, *erased_before
    ]  # fmt: skip
    while True:
        if not await still_due():
            return None
        taken, respondents, entire, put_back, remaining, ids, codes = await EXPIRE_RESPONDENTS(
            redis, keys, args
        )
        # The recovery codes of web chat participants erased whole open nothing now: their
        # index keys go too (a stop right here leaves them to expire, opening nothing).
        for digest in codes:
            await redis.delete(schema.webchat_recovery(_text(digest)))
        if ids:  # what the shard's streams still hold of those erased whole goes too
            await _after_whole(redis, schema, [_text(p) for p in ids], pace.dedupe_seconds)
        erased, whole = erased + int(respondents), whole + int(entire)
        gone += [_text(pid) for pid in ids]
        # Fewer taken than asked, or all of them put back: the sets are down to those kept for
        # the next run (or empty).
        if int(taken) < pace.chunk or int(put_back) == int(taken):
            return erased, whole, int(remaining), gone


async def _after_whole(
    redis: Redis, schema: KeySchema, ids: list[str], dedupe_seconds: int
) -> None:
    """Those just erased whole: their stream entries and the keys still named by their
    pseudonyms go, in the batch that notes the erasure first (no deletion without its note)."""
    steps: list[BatchStep] = [
        *erasure_noted(schema, int(time.time() * 1000)),
        purge_entries(schema, ids),
        *(forget_erased(schema, pid, dedupe_seconds) for pid in ids),
    ]
    for reply in await run_batch(redis, steps):
        if isinstance(reply, Exception):
            raise reply


async def _case_texts(
    redis: Redis, schema: KeySchema, shard: int, campaign_id: str, now_ms: int
) -> int:
    """The shard's cases of the campaign stripped of what was personal, page by page."""
    stripped, after = 0, "-inf"
    while True:
        last, count = await EXPIRE_CASES(
            redis,
            [schema.cases(shard)],
            [campaign_id, after, CASE_PAGE, schema.tag(shard), now_ms],
        )
        stripped += int(count)
        if not last:
            return stripped
        after = _text(last)


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
    rewritten without it (bot.storage.erasure_marks, bot.runtime.disk_erasure). Logs whether
    the campaign is all erased, never a count (a small one could point at someone) nor an id
    of a participant."""
    if outcome.respondents or outcome.participants or outcome.case_texts:
        await note_erasure(redis, schema, now_ms)
    log.info(
        "retention erased campaign '%s': %s",
        outcome.campaign_id,
        "erased" if outcome.completed else "not yet complete",
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
