"""`AuditLog`: append to an organisation's audit log, read it a page at a time, verify it.

Each organisation has one stream and one head key (the last entry's hash), under its hash tag
`{o:<slug>}`. Appending is a compare-and-set (`append_audit.lua`): this process works out the
entry's hash from the head it read and the script adds the entry and moves the head only if the
head is still that one. Another process that appended meanwhile makes the script answer with
the new head, and the entry is hashed again from it. Appends of one process to one
organisation also wait for each other (a lock), so that they do not race among themselves.

The log is never trimmed: an audit log that deletes itself is not one. `sauti audit export`
archives it (docs/keys.md gives the size of an entry).
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from redis.asyncio import Redis

from bot.audit.chain import (
    audit_key,
    genesis_head,
    head_value,
    link_hash,
    read_head,
    same_hash,
)
from bot.audit.entry import AuditAction, AuditRecord, DetailValue, check_org
from bot.audit.stored import AuditEntry, read_entry, stream_fields
from bot.audit.verification import Verification, verify_chain
from bot.privacy import ParticipantCrypto
from bot.secret import Secret
from bot.storage import scripts
from bot.storage.keys import KeySchema

MAX_PAGE = 500
# With an action filter, how many entries one call reads at most before it answers with what it
# found (maybe nothing) and a cursor: a rare action in a long log costs several calls, each
# bounded, rather than one that reads the whole log.
MAX_SCANNED = 5_000
# Tries of one append before giving up: each conflict means another append went through, so
# this is only reached when hundreds of processes append to one organisation at once.
MAX_ATTEMPTS = 200
# An entry's stream id is its time, or a little later when its clock was behind the last
# entry's (append_audit.lua); logs written before that took Redis's clock. A time filter seeks
# by id with this much room on either side, and the filter itself decides what matches: clocks
# of a deployment's machines agree far better than this.
SEEK_MARGIN_MS = 10 * 60 * 1000
StreamPage: TypeAlias = list[tuple[bytes, dict[bytes, bytes]]]
_CURSOR = re.compile(r"[0-9]{1,20}-[0-9]{1,20}")


class AuditAppendError(Exception):
    """An entry could not be appended: the log's head kept moving under it."""


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Which entries a reader asked for (None: any)."""

    action: AuditAction | None = None
    actor: str | None = None
    since_ms: int | None = None  # from this moment on
    until_ms: int | None = None  # before this moment

    def matches(self, entry: AuditEntry) -> bool:
        record = entry.record
        if record is None:  # not one Sauti wrote: shown unfiltered only
            return self == EntryFilter()
        return (
            (self.action is None or record.action == self.action.value)
            and (self.actor is None or record.actor == self.actor)
            and (self.since_ms is None or record.at_ms >= self.since_ms)
            and (self.until_ms is None or record.at_ms < self.until_ms)
        )


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Entries in the order asked for, and the cursor for the next page (None: the end)."""

    entries: list[AuditEntry]
    after: str | None


def check_cursor(cursor: str) -> str:
    """A stream id Redis accepts: two parts, each below 2**64."""
    if not _CURSOR.fullmatch(cursor) or any(int(part) >= 2**64 for part in cursor.split("-")):
        raise ValueError(f"not an audit cursor: {cursor!r} (an entry id, like 1795000000000-0)")
    return cursor


def _time_id(ms: int) -> str:
    """A moment as a stream id's time part (a day before 1970 is its start)."""
    return str(min(max(ms, 0), 2**64 - 1))


def check_limit(limit: int) -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"the limit must be 1 to {MAX_PAGE}")
    return limit


class AuditLog:
    def __init__(
        self,
        redis: Redis,
        schema: KeySchema,
        key: Secret[bytes],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._schema = schema
        self._key = key
        self._clock = clock
        self._locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def keyed_by(
        cls,
        redis: Redis,
        schema: KeySchema,
        crypto: ParticipantCrypto,
        *,
        clock: Callable[[], float] = time.time,
    ) -> AuditLog:
        """The log whose chain is keyed by the server's audit key (bot.audit.chain)."""
        return cls(redis, schema, audit_key(crypto), clock=clock)

    async def record(
        self,
        org: str,
        *,
        actor: str,
        action: AuditAction,
        target: str | None = None,
        count: int | None = None,
        address: str | None = None,
        details: Mapping[str, DetailValue] | None = None,
    ) -> AuditEntry:
        """Append one entry, timed by this server's clock; `ValueError` when a fact has not the
        shape it must have (bot.audit.entry), before anything is written."""
        check_org(org)
        record = AuditRecord.checked(
            at_ms=int(self._clock() * 1000),
            actor=actor,
            action=action,
            target=target,
            count=count,
            address=address,
            details=details,
        )
        async with self._locks.setdefault(org, asyncio.Lock()):
            return await self._append(org, record)

    async def _append(self, org: str, record: AuditRecord) -> AuditEntry:
        keys = [self._schema.audit(org), self._schema.audit_head(org)]
        genesis = genesis_head(self._key)
        raw: Any = await self._redis.get(keys[1])
        head = raw.decode() if raw is not None else genesis
        canonical = record.canonical(org)
        for attempt in range(MAX_ATTEMPTS):
            known = read_head(head)
            if known is None:  # not a head Sauti wrote: appending would hide the damage
                raise AuditAppendError(f"the audit log of {org} has a damaged head: verify it")
            previous, count = known
            entry_hash = link_hash(self._key, previous, canonical)
            fields = stream_fields(record, previous, entry_hash)
            pairs = [part for name, value in fields.items() for part in (name, value)]
            after = head_value(self._key, entry_hash, count + 1)
            done, value = await scripts.APPEND_AUDIT(
                self._redis, keys, [head, genesis, after, record.at_ms, *pairs]
            )
            if done == 1:
                return AuditEntry(value.decode(), fields, record, previous, entry_hash)
            head = value.decode()
            if attempt >= 3:  # many appending at once: let the others through
                await asyncio.sleep(random.uniform(0, 0.002 * attempt))
        raise AuditAppendError(f"the audit log of {org} kept changing: entry not appended")

    async def entries(
        self,
        org: str,
        *,
        after: str | None = None,
        limit: int = 100,
        action: AuditAction | None = None,
        actor: str | None = None,
        since_ms: int | None = None,
        until_ms: int | None = None,
        newest_first: bool = False,
    ) -> AuditPage:
        """Up to `limit` (at most 500) entries past the cursor, oldest first (`newest_first`:
        the other way, the cursor then being the last entry of the page before). With filters
        — an action, an actor, a time from `since_ms` up to (not including) `until_ms` — only
        the entries that match: a page may then hold fewer, even none, and still have a next
        cursor (at most MAX_SCANNED entries are read per call). An unreadable entry matches
        no filter."""
        check_org(org)
        check_limit(limit)
        wanted = EntryFilter(action, actor, since_ms, until_ms)
        # The stretch of ids the times can be in: where reading starts (unless a cursor says
        # where the last page stopped) and where it ends.
        earliest = "-" if since_ms is None else _time_id(since_ms - SEEK_MARGIN_MS)
        latest = "+" if until_ms is None else _time_id(until_ms + SEEK_MARGIN_MS)
        first, end = (latest, earliest) if newest_first else (earliest, latest)
        start = first if after is None else f"({check_cursor(after)}"
        found: list[AuditEntry] = []
        scanned = 0
        while True:
            reply = await self._page(org, start, MAX_PAGE, newest_first=newest_first, end=end)
            for position, (stream_id, raw) in enumerate(reply):
                scanned += 1
                entry = read_entry(stream_id, raw)
                if wanted.matches(entry):
                    found.append(entry)
                last_in_page = position == len(reply) - 1
                if len(found) == limit or scanned >= MAX_SCANNED:
                    more = not last_in_page or await self._any_past(
                        org, entry.id, newest_first, end
                    )
                    return AuditPage(found, entry.id if more else None)
            if len(reply) < MAX_PAGE:
                return AuditPage(found, None)
            start = f"({reply[-1][0].decode()}"

    async def _any_past(self, org: str, entry_id: str, newest_first: bool, end: str) -> bool:
        return bool(await self._page(org, f"({entry_id}", 1, newest_first=newest_first, end=end))

    async def _page(
        self, org: str, start: str, count: int, *, newest_first: bool = False, end: str = ""
    ) -> StreamPage:
        """Up to `count` entries from `start` on (back to `end` when `newest_first`), up to
        `end` (an id or a time in ms; "": the log's end)."""
        key = self._schema.audit(org)
        page: Any = (
            await self._redis.xrevrange(key, start, end or "-", count=count)
            if newest_first
            else await self._redis.xrange(key, start, end or "+", count=count)
        )
        entries: StreamPage = page  # the client's stubs leave out that replies are bytes
        return entries

    async def everything(self, org: str) -> AsyncIterator[AuditEntry]:
        """Every entry, oldest first, read a page at a time (exports, verification)."""
        check_org(org)
        start = "-"
        while True:
            reply = await self._page(org, start, MAX_PAGE)
            for stream_id, raw in reply:
                yield read_entry(stream_id, raw)
            if len(reply) < MAX_PAGE:
                return
            start = f"({reply[-1][0].decode()}"

    async def head(self, org: str) -> str | None:
        """The last entry's hash as the head key holds it; None for a log never written (or
        a head that is not one: `verify` says so)."""
        value: Any = await self._redis.get(self._schema.audit_head(check_org(org)))
        known = None if value is None else read_head(value.decode(errors="replace"))
        return None if known is None else known[0]

    async def holds(self, org: str, entry_id: str, entry_hash: str) -> bool:
        """Whether the log still holds this entry with this hash (one taken from an archived
        export): a log rewritten or deleted since does not."""
        reply = await self._page(org, check_cursor(entry_id), 1)
        if not reply or reply[0][0].decode() != entry_id:
            return False
        return same_hash(read_entry(*reply[0]).hash, entry_hash)

    async def verify(self, org: str, resume: Verification | None = None) -> Verification:
        """Walk the whole chain and say whether it is intact, or where and how it breaks (with
        `resume`, an earlier intact verdict: only what was appended since, when the entries
        before are still all there)."""
        check_org(org)
        return await verify_chain(self._redis, self._schema, self._key, org, resume)
