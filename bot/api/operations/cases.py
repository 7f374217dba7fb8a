"""Grievance cases of the organisation's campaigns: list, read, step (which tells the
participant). The participant is named by the organisation's pseudonym; what they wrote is
shown only on the case itself, and each such read is audited (as on the command line)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from bot.access.permissions import NotFoundError
from bot.access.pseudonyms import Pseudonyms
from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import Call, Operations
from bot.api.operations.common import moment, pseudonyms_of
from bot.api.pages import (
    DEFAULT_LIMIT,
    MAX_CURSOR,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
    position_field,
)
from bot.api.problems import CONFLICT, INVALID_CURSOR, NOT_FOUND, ApiError
from bot.loop.grievances import Desk
from bot.records.cases import Case, CaseError, CaseStatus, case_text, find_case, list_cases

operations = Operations()
REFERENCE = r"^[A-Za-z]-[A-Za-z0-9]{1,16}$"
MAX_MESSAGE = 1000


class CasesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR)
    status: CaseStatus | None = None
    campaign: str | None = Field(default=None, max_length=32)


class CasePath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(pattern=REFERENCE, description="F-… (feedback) or C-… (a concern)")


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CaseStatus = Field(description="under_review, resolved or escalated")
    message: str = Field(
        default="", max_length=MAX_MESSAGE, description="in the participant's language"
    )


class CaseStepOut(BaseModel):
    status: CaseStatus
    at: dt.datetime


class CaseOut(BaseModel):
    """A grievance case."""

    reference: str
    kind: str  # feedback | concern
    campaign_id: str
    decision_ref: str
    participant: str | None = Field(
        description="the organisation's pseudonym of who raised it; null once the campaign's"
        " retention period has passed"
    )
    status: CaseStatus
    channel: str
    language: str
    received_at: dt.datetime
    answer_by: dt.datetime
    overdue: bool
    history: list[CaseStepOut]
    removed_after_retention: bool = Field(
        description="the campaign's retention period has passed: its text, who raised it, their"
        " channel and language are removed"
    )


class CaseDetail(CaseOut):
    """A grievance case, with what the participant wrote."""

    text: str | None = Field(
        description="null once the participant was erased, or the campaign's retention period"
        " has passed (removed_after_retention)"
    )


class CasePage(BaseModel):
    """A page of cases, oldest first."""

    items: list[CaseOut]
    next_cursor: str | None


class StepOut(BaseModel):
    """The case after the step, and how the participant hears of it."""

    case: CaseOut
    delivered: str


def _now_ms(call: Call) -> int:
    return int(call.services.clock() * 1000)


def _described(case: Case, pseudonyms: Pseudonyms, now_ms: int) -> CaseOut:
    return CaseOut(
        reference=case.reference,
        kind=case.kind,
        campaign_id=case.campaign_id,
        decision_ref=case.decision_ref,
        participant=pseudonyms.of(case.participant_id) if case.participant_id else None,
        status=case.status,
        channel=case.channel,
        language=case.language,
        received_at=_at(case.created_ms),
        answer_by=_at(case.due_ms),
        overdue=case.overdue(now_ms),
        history=[CaseStepOut(status=status, at=_at(at)) for status, at in case.history],
        removed_after_retention=case.expired_ms is not None,
    )


def _at(ms: int) -> dt.datetime:
    at = moment(ms / 1000)
    assert at is not None
    return at


async def _owned_case(call: Call, reference: str, permission: Permission) -> Case:
    services = call.services
    case = await find_case(services.redis, services.schema, reference)
    owner = await _owner(call, case) if case is not None else None
    if case is None or owner is None:
        raise NotFoundError(reference)
    call.authorize(permission, owner=owner)
    return case


async def _owner(call: Call, case: Case) -> str | None:
    """A case belongs to its campaign's organisation; one raised outside any campaign belongs
    to none (only the operator sees it, as on the command line)."""
    if not case.campaign_id:
        return None
    return await call.services.campaigns.owner(case.campaign_id)


@operations.add(
    "GET",
    "/cases",
    "listCases",
    "Grievance cases, oldest first",
    permission=Permission.CASES_READ,
    query=CasesQuery,
    response=CasePage,
    errors=(INVALID_CURSOR,),
    tag="cases",
)
async def list_org_cases(call: Call) -> CasePage:
    query = call.query_as(CasesQuery)
    after: tuple[int, str] = (-1, "")
    if query.cursor is not None:
        position = decode_cursor("cases", query.cursor)
        after = (position_field(position, "t", int), position_field(position, "ref", str))
    services = call.services
    mine = set(await services.campaigns.ids(call.caller.org))
    cases = sorted(
        (
            case
            for case in await list_cases(services.redis, services.schema)
            if case.campaign_id in mine
            and (query.status is None or case.status is query.status)
            and (query.campaign is None or case.campaign_id == query.campaign)
            and (case.created_ms, case.reference) > after
        ),
        key=lambda case: (case.created_ms, case.reference),
    )
    page = cases[: query.limit]
    pseudonyms = await pseudonyms_of(call)
    now_ms = _now_ms(call)
    next_cursor = None
    if len(cases) > query.limit:
        last = page[-1]
        next_cursor = encode_cursor("cases", {"t": last.created_ms, "ref": last.reference})
    return CasePage(
        items=[_described(case, pseudonyms, now_ms) for case in page], next_cursor=next_cursor
    )


@operations.add(
    "GET",
    "/cases/{reference}",
    "getCase",
    "One case, with what the participant wrote",
    permission=Permission.CASES_READ,
    path_model=CasePath,
    response=CaseDetail,
    errors=(NOT_FOUND,),
    tag="cases",
)
async def get_case(call: Call) -> CaseDetail:
    services = call.services
    case = await _owned_case(call, call.path_as(CasePath).reference, Permission.CASES_READ)
    words = await case_text(services.redis, services.schema, services.crypto, case)
    caller = call.caller
    await services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.FREE_TEXT_READ,
        target=f"case:{case.reference}",
        count=1,
        address=caller.address,
    )
    described = _described(case, await pseudonyms_of(call), _now_ms(call))
    return CaseDetail(**described.model_dump(), text=words)


@operations.add(
    "POST",
    "/cases/{reference}/steps",
    "stepCase",
    "Move a case on, and tell the participant",
    permission=Permission.CASES_STEP,
    path_model=CasePath,
    body=StepIn,
    response=StepOut,
    errors=(NOT_FOUND, CONFLICT),
    tag="cases",
)
async def step_case(call: Call) -> StepOut:
    """The participant is told in their language, on their channel: Sauti's words for the
    step, then `message`. A step the case's status does not allow (or one another person made
    first) is a conflict."""
    services = call.services
    case = await _owned_case(call, call.path_as(CasePath).reference, Permission.CASES_STEP)
    step = call.body_as(StepIn)
    desk = Desk(services.redis, services.schema, services.campaigns, services.crypto)
    try:
        result = await desk.step(case, step.status, step.message, _now_ms(call))
    except CaseError as error:
        raise ApiError(CONFLICT, str(error)) from None
    caller = call.caller
    await services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.CASE_STEPPED,
        target=f"case:{case.reference}",
        address=caller.address,
        details={"status": step.status.value},
    )
    described = _described(result.case, await pseudonyms_of(call), _now_ms(call))
    return StepOut(case=described, delivered=result.delivered)
