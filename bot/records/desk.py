"""The grievance desk's index: each organisation's cases in the order the desk lists them, kept
per shard (`KeySchema.desk`) by the scripts that create, step and reopen a case, in the same
script as the change (includes/desk_place.lua). Reading a page of the desk reads that page's
cases, not every case of the deployment.

A case's place is a text, `<rank>:<due ms, 13 digits>:<reference>`, and the index sorts by it
(every score is 0): rank 0 an open case flagged safety, 1 open and urgent, 2 open, 3 owed no
answer now. It names nobody, so erasure and retention, which strip a case of who raised it but
keep it for the desk's figures, leave its place as it is.

Paging: a page's cursor is the place of its last case and, per shard, the number of the last
move the page could see (a companion set numbers each case's last move: `KeySchema.desk_moves`).
The next page lists the cases standing after that place when it is read, and, apart, those
that moved to a place before it since (reopened, flagged, raised). So a case that stays put is
listed once, none is skipped by moving ahead of the reader, and a case is listed again only
after it moved (docs/console.md, the grievance desk).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.records.cases import Case, Urgency, read_case
from bot.storage.keys import KeySchema

# What a place looks like (a cursor from outside is checked against it before Redis sees it).
PLACE = re.compile(r"^[0-3]:[0-9]{13}:[A-Z]-[A-Z0-9]{1,16}$")
SAFETY_RANK = "0"
_RANKS = {Urgency.SAFETY: 0, Urgency.URGENT: 1, Urgency.NORMAL: 2}
CLOSED_RANK = 3
_READ = 200  # places read per shard and round trip while a filter leaves a page short


def desk_place(case: Case) -> str | None:
    """Where `case` stands on its organisation's desk (what desk_place.lua writes); None for a
    case of no organisation."""
    if not case.org:
        return None
    rank = _RANKS.get(case.urgency, 2) if case.status.open else CLOSED_RANK
    return f"{rank}:{case.due_ms:013d}:{case.reference}"


@dataclass(frozen=True, slots=True)
class DeskPage:
    cases: list[Case]
    last: str | None  # the place of the last case listed, when more follow (the next cursor)


async def desk_page(
    redis: Redis,
    schema: KeySchema,
    org: str,
    *,
    after: str = "",
    limit: int,
    keep: Callable[[Case], bool] | None = None,
) -> DeskPage:
    """Up to `limit` of the organisation's cases that `keep` keeps (None: all), in the desk's
    order, strictly after the place `after` ("" = from the top)."""
    found: list[Case] = []
    places: list[str] = []
    position = after
    # Unfiltered, the page and one more are all it reads; a filter may pass over many.
    count = limit + 1 if keep is None else max(limit + 1, _READ)
    while len(found) <= limit:
        batch = await _places(redis, schema, org, position, count)
        for case, place in zip(await _cases(redis, schema, batch), batch, strict=True):
            if case is not None and (keep is None or keep(case)):
                found.append(case)
                places.append(place[1])
        if len(batch) < count:
            break  # the end of the desk
        position = batch[-1][1]
    if len(found) > limit:
        return DeskPage(found[:limit], places[limit - 1])
    return DeskPage(found, None)


async def last_moves(redis: Redis, schema: KeySchema, org: str) -> list[int]:
    """Per shard, the number of the organisation's last move there (0: none yet): read before a
    page, so the next one knows what moved after it."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.zrange(schema.desk_moves(shard, org), -1, -1, withscores=True)
    return [int(last[0][1]) if last else 0 for last in await pipe.execute()]


async def moved_ahead(
    redis: Redis,
    schema: KeySchema,
    org: str,
    *,
    before: str,
    after_moves: list[int],
    keep: Callable[[Case], bool] | None = None,
) -> list[Case]:
    """The organisation's cases `keep` keeps whose last move (or arrival) came after
    `after_moves` (per shard, as `last_moves` read them) and which now stand at or before the
    place `before`: a reader whose cursor is there would otherwise skip them. In the desk's
    order."""
    pipe = redis.pipeline(transaction=False)
    for shard, seen in enumerate(after_moves):
        pipe.zrangebyscore(schema.desk_moves(shard, org), f"({seen}", "+inf")
    moved = [
        (shard, reference.decode())
        for shard, references in enumerate(await pipe.execute())
        for reference in references
    ]
    pipe = redis.pipeline(transaction=False)
    for shard, reference in moved:
        pipe.hgetall(schema.case(shard, reference))
    cases = [
        read_case(reference, shard, fields)
        for (shard, reference), fields in zip(moved, await pipe.execute(), strict=True)
        if fields
    ]
    ahead = [
        (place, case)
        for case in cases
        if (place := desk_place(case)) is not None
        and place <= before
        and (keep is None or keep(case))
    ]
    return [case for _, case in sorted(ahead, key=lambda found: found[0])]


async def organisation_cases(redis: Redis, schema: KeySchema, org: str) -> list[Case]:
    """Every case of the organisation (for the desk report), in the desk's order."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.zrange(schema.desk(shard, org), 0, -1)
    every = [
        (shard, place.decode())
        for shard, places in enumerate(await pipe.execute())
        for place in places
    ]
    every.sort(key=lambda found: found[1])
    return [case for case in await _cases(redis, schema, every) if case is not None]


async def open_safety_cases(redis: Redis, schema: KeySchema, org: str) -> int:
    """How many open cases of the organisation are flagged safety: one count per shard of the
    places that start with their rank, exact on every call."""
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.zlexcount(schema.desk(shard, org), f"[{SAFETY_RANK}:", f"({SAFETY_RANK};")
    return sum(int(count) for count in await pipe.execute())


async def _places(
    redis: Redis, schema: KeySchema, org: str, after: str, count: int
) -> list[tuple[int, str]]:
    """The first `count` places after `after` over every shard, in order, with their shard."""
    start = f"({after}" if after else "-"
    pipe = redis.pipeline(transaction=False)
    for shard in range(schema.shards):
        pipe.zrangebylex(schema.desk(shard, org), start, "+", 0, count)
    per_shard: list[Any] = await pipe.execute()
    merged = heapq.merge(
        *([(shard, place.decode()) for place in places] for shard, places in enumerate(per_shard)),
        key=lambda found: found[1],
    )
    # Each shard gave its first `count`: beyond the first `count` of all, one may be missing.
    return list(merged)[:count]


async def _cases(
    redis: Redis, schema: KeySchema, places: list[tuple[int, str]]
) -> list[Case | None]:
    pipe = redis.pipeline(transaction=False)
    references = [place.rsplit(":", 1)[1] for _, place in places]
    for (shard, _), reference in zip(places, references, strict=True):
        pipe.hgetall(schema.case(shard, reference))
    return [
        read_case(reference, shard, fields) if fields else None
        for (shard, _), reference, fields in zip(
            places, references, await pipe.execute(), strict=True
        )
    ]
