"""What came back from a decision's notices: how many found it helpful, are still concerned or
asked for more (counts, small ones withheld), and — for those who may read personal-level data
— the concerns people wrote (cases `C-…`), each by the organisation's pseudonym, the reading
recorded in the audit log."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from bot.access.permissions import can
from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import Call, Operations
from bot.api.operations.common import moment, pseudonyms_of
from bot.api.operations.decision_models import DecisionPath
from bot.api.operations.decisions import campaign_for, decision_tools, no_longer_fits
from bot.api.problems import CONFLICT, NOT_FOUND, ApiError
from bot.conversation.decisions.decision import DecisionDefinitionError
from bot.records.cases import CaseStatus, case_text, find_case
from bot.records.reactions import reaction_totals
from bot.records.suppression import suppress_count

operations = Operations()


class ConcernOut(BaseModel):
    reference: str = Field(description="the case's reference (C-…)")
    participant: str | None = Field(
        description="the organisation's pseudonym of who wrote it; null once removed"
    )
    received_at: dt.datetime
    language: str
    status: CaseStatus
    text: str | None = Field(description="null once erased or past the campaign's retention")


class DecisionReactionsOut(BaseModel):
    """Counts of people (null: withheld as a small cell), and the concerns written."""

    campaign_id: str
    decision_id: str
    minimum: int
    helpful: int | None
    still_concerned: int | None
    asked_for_more: int | None
    concerns_written: int | None
    concerns: list[ConcernOut] | None = Field(
        description="what people wrote, oldest first; null for a caller without "
        "responses:read (the counts are all they see)"
    )


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/decisions/{decision_id}/reactions",
    "getDecisionReactions",
    "The reactions to a decision, and the concerns people wrote",
    permission=Permission.LOOP_READ,
    path_model=DecisionPath,
    response=DecisionReactionsOut,
    errors=(NOT_FOUND, CONFLICT),
    tag="decisions",
)
async def get_decision_reactions(call: Call) -> DecisionReactionsOut:
    """Helpful and still concerned count once per person (their latest press), asked for
    more once per person. A caller who may read responses also gets the concerns written,
    with the pseudonym of who wrote each: that reading is recorded in the audit log."""
    path = call.path_as(DecisionPath)
    await campaign_for(call, path.campaign_id, Permission.LOOP_READ)
    services = call.services
    try:
        stored = await decision_tools(call).ledger().get(path.campaign_id, path.decision_id)
    except DecisionDefinitionError as error:
        raise no_longer_fits(error) from None
    if stored is None:
        raise ApiError(NOT_FOUND, "no such decision")
    totals = await reaction_totals(services.redis, services.schema, stored.ref)
    minimum = services.min_cell
    concerns = None
    if can(call.caller, Permission.RESPONSES_READ):
        concerns = await _concerns(call, [reference for _, reference in totals.concern_cases])
        if concerns:
            caller = call.caller
            await services.audit.record(
                caller.org,
                actor=caller.actor,
                action=AuditAction.FREE_TEXT_READ,
                target=f"decision:{stored.campaign_id}/{stored.id}",
                count=len(concerns),
                address=caller.address,
                details={"what": "concerns"},
            )
    return DecisionReactionsOut(
        campaign_id=stored.campaign_id,
        decision_id=stored.id,
        minimum=minimum,
        helpful=suppress_count(totals.helpful, minimum).count,
        still_concerned=suppress_count(totals.concerns, minimum).count,
        asked_for_more=suppress_count(totals.more, minimum).count,
        concerns_written=suppress_count(len(totals.concern_cases), minimum).count,
        concerns=concerns,
    )


async def _concerns(call: Call, references: list[str]) -> list[ConcernOut]:
    services = call.services
    pseudonyms = await pseudonyms_of(call)
    found = []
    for reference in references:
        case = await find_case(services.redis, services.schema, reference)
        if case is None:
            continue
        received = moment(case.created_ms / 1000)
        assert received is not None
        found.append(
            ConcernOut(
                reference=case.reference,
                participant=pseudonyms.of(case.participant_id) if case.participant_id else None,
                received_at=received,
                language=case.language,
                status=case.status,
                text=await case_text(services.redis, services.schema, services.crypto, case),
            )
        )
    return found
