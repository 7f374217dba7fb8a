"""`GET /audit`: the organisation's audit log, oldest first, a page at a time (admins: it says
who read whose data). Reading it is itself an entry, as on the command line."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

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
from bot.audit.log import check_cursor

operations = Operations()


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR)
    action: AuditAction | None = Field(default=None, description="only entries of this action")


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
    """A page of the organisation's audit log, oldest first."""

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
    """Whether the chain is intact is `sauti audit verify` (it needs the whole log)."""
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
    page = await log.entries(caller.org, after=after, limit=query.limit, action=query.action)
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
