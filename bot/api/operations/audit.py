"""`GET /audit`: the organisation's audit log, a page at a time, oldest or newest first, filtered
by actor, action and dates (admins: it says who read whose data). Reading it is itself an
entry, as on the command line. `GET /audit/verify`: whether its hash chain is intact."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.access.roles import Permission
from bot.api.declare import Call, Operations
from bot.api.pages import (
    DEFAULT_LIMIT,
    MAX_CURSOR,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
    position_field,
)
from bot.api.problems import INVALID_CURSOR, ApiError
from bot.audit import AuditAction, AuditEntry, AuditLog
from bot.audit.entry import check_actor
from bot.audit.log import check_cursor

operations = Operations()


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR)
    action: AuditAction | None = Field(default=None, description="only entries of this action")
    actor: str | None = Field(
        default=None,
        max_length=260,
        description="only entries of this actor: `staff:<email>`, `token:<id>` or `operator`",
    )
    since: dt.date | None = Field(
        default=None, alias="from", description="only entries of this day (UTC) or later"
    )
    until: dt.date | None = Field(
        default=None, alias="to", description="only entries of this day (UTC) or earlier"
    )
    order: Literal["oldest", "newest"] = Field(
        default="oldest", description="oldest or newest first"
    )

    @field_validator("actor")
    @classmethod
    def _an_actor(cls, actor: str | None) -> str | None:
        return None if actor is None else check_actor(actor.strip().lower())


class AuditEntryOut(BaseModel):
    id: str
    at: dt.datetime | None
    actor: str | None
    action: str | None
    target: str | None
    count: int | None
    address: str | None
    details: dict[str, str | int]
    unreadable: str | None = Field(description="why the stored entry is not one Sauti wrote")


class AuditPageOut(BaseModel):
    """A page of the organisation's audit log, in the order asked for."""

    items: list[AuditEntryOut]
    next_cursor: str | None


@operations.add(
    "GET",
    "/audit",
    "listAudit",
    "The organisation's audit log",
    permission=Permission.AUDIT_READ,
    query=AuditQuery,
    response=AuditPageOut,
    errors=(INVALID_CURSOR,),
    tag="audit",
)
async def list_audit(call: Call) -> AuditPageOut:
    """With filters, a page may hold fewer entries than `limit`, even none, and still have a
    `next_cursor` (each call reads a bounded stretch of the log). Whether the chain is intact
    is `GET /audit/verify`."""
    query = call.query_as(AuditQuery)
    after = None
    if query.cursor is not None:
        after = position_field(decode_cursor("audit", query.cursor), "after", str)
        try:
            check_cursor(after)
        except ValueError:
            raise ApiError(INVALID_CURSOR, "that cursor is damaged: start again") from None
    services = call.services
    caller = call.caller
    log = AuditLog.keyed_by(services.redis, services.schema, services.crypto, clock=services.clock)
    page = await log.entries(
        caller.org,
        after=after,
        limit=query.limit,
        action=query.action,
        actor=query.actor,
        since_ms=_start_ms(query.since),
        until_ms=_end_ms(query.until),
        newest_first=query.order == "newest",
    )
    await services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.AUDIT_READ,
        target=f"org:{caller.org}",
        count=len(page.entries),
        address=caller.address,
        details={"via": "api"},
    )
    cursor = encode_cursor("audit", {"after": page.after}) if page.after is not None else None
    return AuditPageOut(items=[_entry(entry) for entry in page.entries], next_cursor=cursor)


class VerificationOut(BaseModel):
    """Whether the organisation's audit log is as Sauti wrote it."""

    intact: bool
    checked: int = Field(description="entries found intact, from the first")
    problem: str | None = Field(description="altered, unlinked or head (null when intact)")
    broken_at: str | None = Field(description="the id of the first entry that breaks the chain")
    detail: str
    walked_in_full_at: dt.datetime | None = Field(
        description="when the whole chain was last walked and found intact (UTC): an entry "
        "rewritten in place since is found by the next full walk only (at most five minutes "
        "after this one); null when not intact"
    )
    appended_since: int = Field(
        description="entries appended since that full walk, checked on their own", ge=0
    )


@operations.add(
    "GET",
    "/audit/verify",
    "verifyAudit",
    "Whether the audit log's chain is intact",
    permission=Permission.AUDIT_READ,
    response=VerificationOut,
    tag="audit",
)
async def verify_audit(call: Call) -> VerificationOut:
    """Walks the whole chain, from the first entry to the head (as `sauti audit verify`): an
    entry altered, removed or inserted, or entries removed from the end, break it. Within five
    minutes of a full walk that found it intact, only the entries appended since are walked
    (and the whole chain again when the count of those before changed): the answer says when
    the whole chain was last walked, and how many entries were appended since."""
    services = call.services
    log = AuditLog.keyed_by(services.redis, services.schema, services.crypto, clock=services.clock)
    org, now = call.caller.org, services.clock()
    earlier = services.audit_verdicts.resumable(org, now)
    verdict = await log.verify(org, resume=earlier)
    services.audit_verdicts.keep(org, now, verdict, resumed=earlier is not None)
    full = services.audit_verdicts.last_full_walk(org) if verdict.ok else None
    return VerificationOut(
        intact=verdict.ok,
        checked=verdict.checked,
        problem=verdict.problem.value if verdict.problem is not None else None,
        broken_at=verdict.broken_at,
        detail=verdict.detail,
        walked_in_full_at=dt.datetime.fromtimestamp(full[0], dt.UTC) if full else None,
        appended_since=verdict.checked - full[1] if full else 0,
    )


def _start_ms(day: dt.date | None) -> int | None:
    if day is None:
        return None
    return int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp() * 1000)


def _end_ms(day: dt.date | None) -> int | None:
    """The moment the day (inclusive) ends: the next one's start."""
    if day is None or day == dt.date.max:
        return None
    return _start_ms(day + dt.timedelta(days=1))


def _entry(entry: AuditEntry) -> AuditEntryOut:
    record = entry.record
    if record is None:
        return AuditEntryOut(
            id=entry.id, at=None, actor=None, action=None, target=None, count=None,
            address=None, details={}, unreadable=entry.unreadable,
        )  # fmt: skip
    return AuditEntryOut(
        id=entry.id,
        at=dt.datetime.fromtimestamp(record.at_ms / 1000, dt.UTC),
        actor=record.actor,
        action=record.action,
        target=record.target,
        count=record.count,
        address=record.address,
        details=dict(record.details),
        unreadable=None,
    )
