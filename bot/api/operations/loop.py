"""Closing the loop, read-only: a campaign's decisions and its loop report (how many
contributors were told an outcome, how soon, and how they reacted). Counts only: no participant
appears in either."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from bot.access.roles import Permission
from bot.api.declare import Call, Operations, Owner
from bot.api.operations.common import CAMPAIGN_ID, campaign_owned
from bot.api.pages import (
    DEFAULT_LIMIT,
    MAX_CURSOR,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
    position_field,
)
from bot.api.problems import INVALID_CURSOR, NOT_FOUND, ApiError
from bot.conversation.campaign import Campaign
from bot.conversation.decisions.decision import DecisionDefinitionError, DecisionStatus
from bot.loop.ledger import DecisionLedger
from bot.loop.report import campaign_report
from bot.records.suppression import suppress_count, suppress_distribution

operations = Operations()


class DecisionsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign: str = Field(pattern=CAMPAIGN_ID, description="the campaign's id")
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR)


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign: str = Field(pattern=CAMPAIGN_ID, description="the campaign's id")


class DecisionOut(BaseModel):
    id: str
    ref: str = Field(description="the short reference participants' reaction buttons carry")
    version: int
    published_version: int = Field(description="0: never published")
    status: DecisionStatus | None = Field(description="null: no longer fits the survey")
    title: dict[str, str]
    effective: dt.date | None


class DecisionPage(BaseModel):
    """A page of a campaign's decisions, by id."""

    items: list[DecisionOut]
    next_cursor: str | None


class ReactionsOut(BaseModel):
    """Counts of people; null when withheld as a small cell."""

    helpful: int | None
    still_concerned: int | None
    asked_for_more: int | None
    concerns_written: int | None


class LoopReportOut(BaseModel):
    """What came of a campaign for the people who took part: counts only."""

    campaign_id: str
    report_back_by: dt.date | None
    overdue: bool = Field(description="the promised date passed with nothing published")
    contributors: int | None = Field(description="null when withheld as a small cell")
    told: int | None = Field(description="null when withheld as a small cell")
    told_share: float | None
    median_days_to_notice: float | None
    published_decisions: int
    owing_rationale: int
    with_rationale: int
    reactions: ReactionsOut


async def _campaign(call: Call, campaign_id: str) -> Campaign:
    await campaign_owned(call, campaign_id, Permission.LOOP_READ)
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    return campaign


def _ledger(call: Call) -> DecisionLedger:
    services = call.services
    return DecisionLedger(services.redis, services.schema, services.campaigns)


@operations.add(
    "GET",
    "/decisions",
    "listDecisions",
    "A campaign's decisions",
    owner=Owner.CAMPAIGN_IN_QUERY,
    permission=Permission.LOOP_READ,
    query=DecisionsQuery,
    response=DecisionPage,
    errors=(NOT_FOUND, INVALID_CURSOR),
    tag="loop",
)
async def list_decisions(call: Call) -> DecisionPage:
    query = call.query_as(DecisionsQuery)
    await _campaign(call, query.campaign)
    after = ""
    if query.cursor is not None:
        position = decode_cursor(f"decisions:{query.campaign}", query.cursor)
        after = position_field(position, "after", str)
    ledger = _ledger(call)
    ids = [decision_id for decision_id in await ledger.ids(query.campaign) if decision_id > after]
    page = ids[: query.limit]
    items = []
    for decision_id in page:
        try:
            stored = await ledger.get(query.campaign, decision_id)
        except DecisionDefinitionError:  # listed, so that it can be loaded again
            items.append(
                DecisionOut(
                    id=decision_id, ref="", version=0, published_version=0,
                    status=None, title={}, effective=None,
                )
            )  # fmt: skip
            continue
        if stored is not None:
            items.append(
                DecisionOut(
                    id=stored.id,
                    ref=stored.ref,
                    version=stored.version,
                    published_version=stored.published_version,
                    status=stored.decision.status,
                    title=dict(stored.decision.title),
                    effective=stored.decision.effective,
                )
            )
    more = len(ids) > query.limit
    cursor = encode_cursor(f"decisions:{query.campaign}", {"after": page[-1]}) if more else None
    return DecisionPage(items=items, next_cursor=cursor)


@operations.add(
    "GET",
    "/loop/report",
    "getLoopReport",
    "A campaign's loop report",
    owner=Owner.CAMPAIGN_IN_QUERY,
    permission=Permission.LOOP_READ,
    query=ReportQuery,
    response=LoopReportOut,
    errors=(NOT_FOUND,),
    tag="loop",
)
async def get_loop_report(call: Call) -> LoopReportOut:
    campaign = await _campaign(call, call.query_as(ReportQuery).campaign)
    services = call.services
    today = dt.datetime.fromtimestamp(services.clock(), dt.UTC).date()
    report = await campaign_report(services.redis, services.schema, _ledger(call), campaign, today)
    reactions = report.reactions
    minimum = services.min_cell
    # Told and not told make up the contributors: one line, protected as one.
    reach = suppress_distribution(
        [report.told, max(report.contributors - report.told, 0)],
        minimum,
        total=report.contributors,
    )
    told, contributors = reach.cells[0].count, reach.total.count
    return LoopReportOut(
        campaign_id=campaign.id,
        report_back_by=report.promise.report_back_by,
        overdue=report.promise.overdue,
        contributors=contributors,
        told=told,
        told_share=report.told_share if told is not None and contributors is not None else None,
        median_days_to_notice=report.median_shown(minimum),
        published_decisions=len(report.decisions),
        owing_rationale=report.owing_rationale,
        with_rationale=report.with_rationale,
        reactions=ReactionsOut(
            helpful=suppress_count(reactions["helpful"], minimum).count,
            still_concerned=suppress_count(reactions["concerns"], minimum).count,
            asked_for_more=suppress_count(reactions["more"], minimum).count,
            concerns_written=suppress_count(reactions["written"], minimum).count,
        ),
    )
