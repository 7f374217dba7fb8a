"""Changes to the data in Redis that run once per deployment, recorded in `meta`.

`meta`'s `schema` field is the version of the data's formats (absent: 1, the formats before the
first migration). `sauti run` brings the data up to `SCHEMA_VERSION` at start-up, before it
takes any event, and `sauti migrate` does the same on an operator's request. A migration that
finished records its version and never runs again; each is safe to run by several processes at
once (and again, should one stop halfway), so processes starting together need no lock.

- 2: the one-key event markers and send claims written before they were kept per participant
  move into the participant's sorted sets (bot.runtime.older_markers); the scripts no longer
  read that format.
- 3: campaigns stored before organisations belong to the default organisation, which is made
  for them (nothing else moves: decisions, cases and exports belong to their campaign's
  organisation).
- 4: result counters (per option, language, channel and pair of choice questions: docs/keys.md),
  which commits keep from this version on, counted from the sessions already stored
  (bot.records.recount).
- 5: every grievance case raised before a participant's own cases were indexed is listed among
  them (`pc:<pid>`), so "my cases" and "my data" show it.
- 6: the drop-off counters (the question each session stopped at; sessions started and
  completed by language and channel: docs/keys.md), which commits keep from this version on,
  counted the same way: a recount replaces every result counter of a shard at once.
- 7: every grievance case of a campaign gets its organisation (`org`) and its place in that
  organisation's desk index (`desk:<org>`, bot.records.desk), which the scripts that create,
  step and reopen cases keep from this version on.
- 8: every campaign's first results snapshot (bot.records.snapshots), which readers read from
  this version on: its counters as they are (they were shown live until now).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.access.organisations import DEFAULT_ORG, DEFAULT_ORG_NAME, OrganisationStore
from bot.conversation.turns import DAY_MS
from bot.records.campaigns import CampaignStore
from bot.records.recount import Recounted, recount_results
from bot.records.snapshots import take_snapshot
from bot.runtime.older_markers import OlderMarkers, retire_older_markers
from bot.settings.loop import DEFAULT_RESPONSE_DAYS
from bot.storage.keys import KeySchema
from bot.storage.lua import BatchStep, ScriptCall, run_batch
from bot.storage.replies import text
from bot.storage.scripts import INDEX_DESK_CASE, INDEX_OWN_CASE

log = logging.getLogger(__name__)

SCHEMA_FIELD = "schema"
SCHEMA_VERSION = 8
FIRST_VERSION = 1  # data that records no version
MARKERS_VERSION = 2  # one-key markers and claims moved into per-participant sets
ORGANISATIONS_VERSION = 3  # campaigns given to the default organisation
RESULTS_VERSION = 4  # result counters counted from the stored sessions
CASES_VERSION = 5  # each case listed among its participant's own
DROP_OFF_VERSION = 6  # ... again, with the drop-off counters
DESK_VERSION = 7  # each case placed on its organisation's desk
SNAPSHOT_VERSION = 8  # each campaign's results snapshot taken


@dataclass(frozen=True)
class Migrated:
    """What `migrate` found (`before`) and did; `markers` is None when it had nothing to do."""

    before: int
    after: int
    markers: OlderMarkers | None = None
    adopted: int = 0  # campaigns given to the default organisation
    results: Recounted | None = None
    cases_indexed: int = 0  # cases listed among their participant's own
    cases_placed: int = 0  # cases placed on their organisation's desk


async def schema_version(redis: Redis, schema: KeySchema) -> int:
    raw = await redis.hget(schema.meta, SCHEMA_FIELD)
    return int(raw) if raw is not None else FIRST_VERSION


async def migrate(redis: Redis, schema: KeySchema, *, dedupe_ttl_seconds: int) -> Migrated:
    """Bring the data up to SCHEMA_VERSION; nothing when it is there already. Data written by a
    newer Sauti is left alone (its version is kept)."""
    before = await schema_version(redis, schema)
    if before >= SCHEMA_VERSION:
        return Migrated(before, before)
    markers = None
    if before < MARKERS_VERSION:
        markers = await _move_older_markers(redis, schema, dedupe_ttl_seconds)
    adopted = 0
    if before < ORGANISATIONS_VERSION:
        adopted = await adopt_unowned_campaigns(redis, schema)
    results = None
    if before < DROP_OFF_VERSION:  # one recount brings both versions' counters
        results = await _count_results(redis, schema)
    indexed = 0
    if before < CASES_VERSION:
        indexed = await index_participant_cases(redis, schema)
    placed = 0
    if before < DESK_VERSION:
        placed = await place_cases_on_desks(redis, schema)
    if before < SNAPSHOT_VERSION:
        await snapshot_campaigns(redis, schema)
    after = SCHEMA_VERSION
    if results is not None and results.busy_shards:
        # Some shards' counts could not be swapped in under the commits going on: record the
        # version before, so the next start (or `sauti migrate`) counts them again rather than
        # leaving those campaigns' results short for good.
        after = DROP_OFF_VERSION - 1
        log.error(
            "result counters of %d shards not counted (commits kept changing them): "
            "run `sauti migrate` again when traffic is lower",
            results.busy_shards,
        )
    await redis.hset(schema.meta, SCHEMA_FIELD, after)
    return Migrated(before, after, markers, adopted, results, indexed, placed)


async def _move_older_markers(
    redis: Redis, schema: KeySchema, dedupe_ttl_seconds: int
) -> OlderMarkers:
    markers = await retire_older_markers(
        redis, schema, dedupe_ttl_seconds=dedupe_ttl_seconds, now_ms=int(time.time() * 1000)
    )
    moved, unplaced = sum(markers.moved.values()), sum(markers.unplaced.values())
    # A deployment that never had the older formats (a new one, say) has nothing to hear.
    log.log(
        logging.INFO if moved or unplaced else logging.DEBUG,
        "data migrated to schema 2: %d older markers and claims moved, %d deleted unmoved "
        "(their event or message was handled and is gone)",
        moved,
        unplaced,
    )
    return markers


async def adopt_unowned_campaigns(redis: Redis, schema: KeySchema) -> int:
    """Give every campaign without an organisation to the default one (made if needed); how
    many were given. HSETNX: a campaign loaded for an organisation meanwhile keeps it."""
    campaign_ids = [text(member) for member in await redis.smembers(schema.campaigns)]
    adopted = 0
    for campaign_id in campaign_ids:
        key = schema.campaign(campaign_id)
        if await redis.exists(key) and await redis.hsetnx(key, "org", DEFAULT_ORG):
            adopted += 1
    if adopted:
        await OrganisationStore(redis, schema).ensure(DEFAULT_ORG, DEFAULT_ORG_NAME)
        log.info("%d campaigns given to the organisation '%s'", adopted, DEFAULT_ORG)
    return adopted


async def snapshot_campaigns(redis: Redis, schema: KeySchema) -> int:
    """Take a results snapshot of every campaign, of its counters as they are (readers saw them
    live, or as a recount just made them, until this version: nothing new is shown); how many
    were taken."""
    taken = 0
    for campaign_id in sorted(text(member) for member in await redis.smembers(schema.campaigns)):
        # Nobody is pending yet (commits kept no changed set before this version): taken
        # whatever the count.
        if await take_snapshot(redis, schema, campaign_id, 0, wait=True):
            taken += 1
    log.log(
        logging.INFO if taken else logging.DEBUG,
        "data migrated to schema %d: %d campaigns' results snapshots taken",
        SNAPSHOT_VERSION,
        taken,
    )
    return taken


async def index_participant_cases(redis: Redis, schema: KeySchema, page: int = 500) -> int:
    """List each case that still names who raised it among their own cases, if they are still
    there (their record holds a data key: someone erased is never given their cases back);
    how many were listed. A page of a shard's cases at a time, so a large deployment is never
    read whole at once. Safe to run again, and beside commits adding new ones (a new case
    goes at the end, by its creation time)."""
    indexed = 0
    for shard in range(schema.shards):
        start = 0
        while True:
            cases: Any = await redis.zrange(
                schema.cases(shard), start, start + page - 1, withscores=True
            )
            indexed += await _index_page(redis, schema, shard, cases)
            if len(cases) < page:
                break
            start += page
    log.log(
        logging.INFO if indexed else logging.DEBUG,
        "data migrated to schema %d: %d grievance cases listed among their participants' own",
        CASES_VERSION,
        indexed,
    )
    return indexed


async def _index_page(
    redis: Redis, schema: KeySchema, shard: int, cases: list[tuple[bytes, float]]
) -> int:
    pipe = redis.pipeline(transaction=False)
    for reference, _ in cases:
        pipe.hget(schema.case(shard, text(reference)), "pid")
    owners = await pipe.execute()
    steps: list[BatchStep] = []
    for (reference, created), owner in zip(cases, owners, strict=True):
        if owner:
            pid, ref = text(owner), text(reference)
            keys = [schema.case(shard, ref), schema.participant(pid), schema.participant_cases(pid)]
            steps.append(ScriptCall(INDEX_OWN_CASE, keys, [pid, int(created), ref]))
    return sum(await run_batch(redis, steps)) if steps else 0


async def place_cases_on_desks(redis: Redis, schema: KeySchema, page: int = 500) -> int:
    """Give each case of a campaign its organisation and its place on that organisation's desk
    (`index_desk_case.lua`); how many were placed. A page of a shard's cases at a time; a case
    of no campaign, or of one no longer stored, belongs to no desk and is left as it is."""
    store, owners = CampaignStore(redis, schema), dict[str, str | None]()
    placed = 0
    for shard in range(schema.shards):
        start = 0
        while True:
            cases: Any = await redis.zrange(schema.cases(shard), start, start + page - 1)
            references = [text(case) for case in cases]
            placed += await _place_page(redis, schema, shard, references, store, owners)
            if len(cases) < page:
                break
            start += page
    log.log(
        logging.INFO if placed else logging.DEBUG,
        "data migrated to schema %d: %d grievance cases placed on their organisation's desk",
        DESK_VERSION,
        placed,
    )
    return placed


async def _place_page(
    redis: Redis,
    schema: KeySchema,
    shard: int,
    references: list[str],
    store: CampaignStore,
    owners: dict[str, str | None],
) -> int:
    pipe = redis.pipeline(transaction=False)
    for reference in references:
        pipe.hmget(schema.case(shard, reference), ["cid", "t"])
    steps: list[BatchStep] = []
    for reference, (campaign, created) in zip(references, await pipe.execute(), strict=True):
        campaign_id = text(campaign or b"")
        if not campaign_id:
            continue
        if campaign_id not in owners:
            owners[campaign_id] = await store.owner(campaign_id)
        org = owners[campaign_id]
        if org is not None:
            # What the desk read for a case without `due` (bot.records.cases.read_case).
            due = int(created or 0) + DEFAULT_RESPONSE_DAYS * DAY_MS
            steps.append(ScriptCall(INDEX_DESK_CASE, [schema.case(shard, reference)], [org, due]))
    return sum(await run_batch(redis, steps)) if steps else 0


async def _count_results(redis: Redis, schema: KeySchema) -> Recounted:
    results = await recount_results(redis, schema)
    log.log(
        logging.INFO if results.sessions else logging.DEBUG,
        "data migrated to schema %d: result counters of %d campaigns counted from %d sessions",
        DROP_OFF_VERSION,
        results.campaigns,
        results.sessions,
    )
    return results
