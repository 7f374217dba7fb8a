"""Grievance cases of the organisation's campaigns: the desk (safety-flagged first, then urgent,
then overdue, with the time left to answer each), one case, a step (which tells the participant, and
may set the case's category and urgency) and the desk report. The participant is named by the
organisation's pseudonym; what they wrote is shown only on the case itself, and each such read is
audited (as on the command line)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

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
from bot.records.cases import (
    Case,
    CaseError,
    CaseStatus,
    Category,
    Urgency,
    case_text,
    case_why,
    find_case,
)
from bot.records.desk import (
    PLACE,
    desk_page,
    last_moves,
    moved_ahead,
    open_safety_cases,
)

operations = Operations()
REFERENCE = r"^[A-Za-z]-[A-Za-z0-9]{1,16}$"
MAX_MESSAGE = 1000


class CasesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR)
    status: CaseStatus | None = None
    campaign: str | None = Field(default=None, max_length=32)
    category: Category | Literal["uncategorised"] | None = None


class CasePath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(pattern=REFERENCE, description="F-… (feedback) or C-… (a concern)")


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CaseStatus = Field(description="under_review, resolved or escalated")
    message: str = Field(
        default="", max_length=MAX_MESSAGE, description="in the participant's language"
    )
    category: Category | None = Field(default=None, description="set or change its category")
    urgency: Urgency | None = Field(
        default=None, description="set or change its urgency: safety sorts first on the desk"
    )
    expected_steps: int | None = Field(
        default=None,
        ge=0,
        le=10_000,
        description="the number of steps in the history you read: the step is refused (409)"
        " when the case moved since, so nobody answers a case they have not seen as it is",
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
    category: str = Field(description="one of the desk's categories, or uncategorised")
    urgency: Urgency
    received_at: dt.datetime
    answer_by: dt.datetime
    overdue: bool
    due_in_seconds: int | None = Field(
        description="the countdown: seconds left to answer_by (negative once overdue); null"
        " for a case owed no answer now (resolved, escalated)"
    )
    reopens: int = Field(description="times the participant reopened it after a resolution")
    satisfied: bool | None = Field(
        description='their answer to the latest resolution\'s "are you satisfied?" (null:'
        " not asked, or no answer yet)"
    )
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
    unsatisfied_why: str | None = Field(
        default=None,
        description="what is still wrong, in their words, after they said the latest resolution"
        " did not satisfy them (null: they did not say; or, as `text`, no longer readable)",
    )


class CasePage(BaseModel):
    """A page of the desk: open safety-flagged cases first, then open urgent ones, then the
    other open ones, each by due time (the most overdue first), then the others. The cursor is
    the place of the page's last case and which moves the page saw: the next page lists the
    cases standing after that place when it is read (`items`), and apart (`moved`) those that
    moved ahead of it since (reopened, flagged safety or urgent, or raised). A case that stays
    put is listed once; none is skipped; one is listed again only after it moved."""

    items: list[CaseOut]
    moved: list[CaseOut] = Field(
        description="cases that moved to a place before the cursor since the page before was"
        " read, in the desk's order (empty on the first page)"
    )
    next_cursor: str | None
    open_safety: int = Field(
        description="open cases of the organisation flagged safety, on the whole desk whatever"
        " the filters (exact: counted when the page is read)"
    )


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
        category=case.category_name,
        urgency=case.urgency,
        received_at=_at(case.created_ms),
        answer_by=_at(case.due_ms),
        overdue=case.overdue(now_ms),
        due_in_seconds=_seconds(case.due_in_ms(now_ms)),
        reopens=case.reopens,
        satisfied=case.satisfied,
        history=[CaseStepOut(status=status, at=_at(at)) for status, at in case.history],
        removed_after_retention=case.expired_ms is not None,
    )


def _seconds(ms: int | None) -> int | None:
    return None if ms is None else math.floor(ms / 1000)


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
    "The desk: safety-flagged cases first, then urgent ones, then overdue, then by due time",
    permission=Permission.CASES_READ,
    query=CasesQuery,
    response=CasePage,
    errors=(INVALID_CURSOR,),
    tag="cases",
)
async def list_org_cases(call: Call) -> CasePage:
    """The cursor is a place on the desk and when its page was read (`bot.records.desk`)."""
    query = call.query_as(CasesQuery)
    services, org = call.services, call.caller.org
    after, seen = "", list[int]()
    if query.cursor is not None:
        after, seen = _desk_position(query.cursor, services.schema.shards)
    # Read before the page: a case moving meanwhile is listed on the next page, not skipped.
    moves = await last_moves(services.redis, services.schema, org)

    def kept(case: Case) -> bool:
        return (
            (query.status is None or case.status is query.status)
            and (query.category is None or case.category_name == query.category)
            and (query.campaign is None or case.campaign_id == query.campaign)
        )

    filtered = query.status or query.category or query.campaign
    page = await desk_page(
        services.redis,
        services.schema,
        org,
        after=after,
        limit=query.limit,
        keep=kept if filtered else None,
    )
    moved = []
    if after:
        moved = await moved_ahead(
            services.redis,
            services.schema,
            org,
            before=after,
            after_moves=seen,
            keep=kept if filtered else None,
        )
    pseudonyms = await pseudonyms_of(call)
    now_ms = _now_ms(call)
    next_cursor = None
    if page.last is not None:
        next_cursor = encode_cursor("desk", {"at": page.last, "moves": moves})
    return CasePage(
        items=[_described(case, pseudonyms, now_ms) for case in page.cases],
        moved=[_described(case, pseudonyms, now_ms) for case in moved],
        next_cursor=next_cursor,
        open_safety=await open_safety_cases(services.redis, services.schema, org),
    )


def _desk_position(cursor: str, shards: int) -> tuple[str, list[int]]:
    """A desk cursor's place and move numbers; a 400 problem for anything else."""
    position = decode_cursor("desk", cursor)
    place, moves = position_field(position, "at", str), position_field(position, "moves", list)
    numbers = [move for move in moves if isinstance(move, int) and not isinstance(move, bool)]
    if not PLACE.match(place) or len(numbers) != shards or len(moves) != shards:
        raise ApiError(INVALID_CURSOR, "that cursor is damaged: start again")
    return place, numbers


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
    why = await case_why(services.redis, services.schema, services.crypto, case)
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
    return CaseDetail(**described.model_dump(), text=words, unsatisfied_why=why)


def _step_details(step: StepIn) -> dict[str, str | int]:
    details: dict[str, str | int] = {"status": step.status.value}
    if step.category is not None:
        details["category"] = step.category.value
    if step.urgency is not None:
        details["urgency"] = step.urgency.value
    return details


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
    if step.expected_steps is not None and step.expected_steps != case.steps:
        raise ApiError(
            CONFLICT,
            f"case {case.reference} was changed meanwhile; look at it again",
            code="case_changed",
            params={"reference": case.reference},
        )
    desk = Desk(
        services.redis,
        services.schema,
        services.campaigns,
        services.crypto,
        reopen_days=services.reopen_days,
    )
    try:
        result = await desk.step(
            case,
            step.status,
            step.message,
            _now_ms(call),
            category=step.category,
            urgency=step.urgency,
        )
    except CaseError as error:
        raise ApiError(CONFLICT, str(error), code="case_refused") from None
    caller = call.caller
    await services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.CASE_STEPPED,
        target=f"case:{case.reference}",
        address=caller.address,
        details=_step_details(step),
    )
    described = _described(result.case, await pseudonyms_of(call), _now_ms(call))
    return StepOut(case=described, delivered=result.delivered)
