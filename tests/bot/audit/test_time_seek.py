"""Reading the audit log from a day: an entry's id is its time, so a `from`/`to` filter starts
reading at that day instead of at the log's first entry, and pages across a day's edge give each
entry of the window once."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.audit import AuditAction, AuditLog
from bot.audit.log import MAX_SCANNED
from bot.storage.keys import KeySchema
from tests.bot.audit import CRYPTO, ORG, START_MS

DAY_MS = 24 * 3600 * 1000


class SetClock:
    """A clock that reads what the test last set."""

    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> float:
        return self.ms / 1000


async def _record_at(log: AuditLog, clock: SetClock, ms: int, n: int) -> str:
    clock.ms = ms
    entry = await log.record(ORG, actor=f"staff:p{n}@acme.example", action=AuditAction.SIGN_IN)
    return entry.id


async def _every_page(log: AuditLog, **filters: object) -> list[str]:
    found, after = [], None
    while True:
        page = await log.entries(ORG, after=after, limit=2, **filters)  # type: ignore[arg-type]
        found += [entry.id for entry in page.entries]
        if page.after is None:
            return found
        after = page.after


async def test_an_entrys_id_is_its_time_and_grows_when_a_clock_is_behind(
    redis_client: Redis,
) -> None:
    clock = SetClock(START_MS)
    log = AuditLog.keyed_by(redis_client, KeySchema(), CRYPTO, clock=clock)
    first = await _record_at(log, clock, START_MS, 0)
    behind = await _record_at(log, clock, START_MS - 5_000, 1)  # another machine's slow clock
    later = await _record_at(log, clock, START_MS + 60_000, 2)
    assert first == f"{START_MS}-0"
    assert behind == f"{START_MS}-1"  # never before the last one, never before its own time
    assert later == f"{START_MS + 60_000}-0"
    page = await log.entries(ORG)
    records = [entry.record for entry in page.entries]
    assert [record.at_ms for record in records if record] == [
        START_MS,
        START_MS - 5_000,
        START_MS + 60_000,
    ]
    assert (await log.verify(ORG)).ok


async def test_pages_across_a_days_edge_give_each_entry_of_the_window_once(
    redis_client: Redis,
) -> None:
    clock = SetClock(START_MS)
    log = AuditLog.keyed_by(redis_client, KeySchema(), CRYPTO, clock=clock)
    midnight = (START_MS // DAY_MS + 1) * DAY_MS
    month_before = [await _record_at(log, clock, midnight - 30 * DAY_MS + n, n) for n in range(3)]
    evening = [await _record_at(log, clock, midnight - 3_000 + 1000 * n, n) for n in range(3)]
    morning = [await _record_at(log, clock, midnight + 1000 * n, n) for n in range(3)]
    month_after = [await _record_at(log, clock, midnight + 30 * DAY_MS + n, n) for n in range(3)]

    next_day = {"since_ms": midnight, "until_ms": midnight + DAY_MS}
    assert await _every_page(log, **next_day) == morning
    the_day_before = {"since_ms": midnight - DAY_MS, "until_ms": midnight}
    assert await _every_page(log, **the_day_before, newest_first=True) == evening[::-1]
    both = {"since_ms": midnight - DAY_MS, "until_ms": midnight + DAY_MS}
    assert await _every_page(log, **both) == evening + morning
    assert await _every_page(log, **both, newest_first=True) == (evening + morning)[::-1]
    assert await _every_page(log, since_ms=midnight + DAY_MS) == month_after
    assert await _every_page(log, until_ms=midnight - DAY_MS) == month_before


async def test_last_weeks_entries_come_at_once_behind_a_long_older_log(
    redis_client: Redis,
) -> None:
    """Far more older entries than one call reads (MAX_SCANNED): read from the start, the first
    page would come back empty; sought by time, it holds the week's entries."""
    schema = KeySchema()
    older = 3 * MAX_SCANNED
    async with redis_client.pipeline(transaction=False) as pipe:
        for n in range(older):  # entries of a year ago, one a second
            pipe.xadd(schema.audit(ORG), {"old": "entry"}, id=f"{START_MS - 365 * DAY_MS + n}-0")
        await pipe.execute()
    clock = SetClock(START_MS)
    log = AuditLog.keyed_by(redis_client, schema, CRYPTO, clock=clock)
    recent = [await _record_at(log, clock, START_MS - DAY_MS * n, n) for n in (3, 2, 1)]

    week = await log.entries(ORG, since_ms=START_MS - 7 * DAY_MS, limit=10)
    assert ([entry.id for entry in week.entries], week.after) == (recent, None)
    newest = await log.entries(ORG, since_ms=START_MS - 7 * DAY_MS, limit=10, newest_first=True)
    assert ([entry.id for entry in newest.entries], newest.after) == (recent[::-1], None)
