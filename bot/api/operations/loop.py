"""Closing the loop, read-only: a campaign's decisions and the loop report of a campaign or of
the whole organisation (how many contributors were told an outcome, how soon, the rationale
owed and given, how they reacted, and the promises kept or overdue). Counts only: no participant
appears in either."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

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
from bot.loop.report import LoopReport, campaign_report, organisation_report
from bot.records.suppression import Cell, suppress_distribution, suppress_table

operations = Operations()


class DecisionsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign: str = Field(pattern=CAMPAIGN_ID, description="the campaign's id")
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR)


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign: str | None = Field(
        default=None, pattern=CAMPAIGN_ID, description="the campaign's id; none: every campaign"
    )


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


class PromiseOut(BaseModel):
    """A campaign's promise to report back by a date, and whether it was kept."""

    campaign_id: str
    report_back_by: dt.date | None
    published_decisions: int
    overdue: bool = Field(description="the date passed with nothing published")


class CampaignLoopOut(BaseModel):
    """What came of a campaign (or of all of an organisation's) for the people who took part:
    counts only."""

    campaign_id: str | None = Field(description="null: the organisation's campaigns together")
    report_back_by: dt.date | None
    overdue: bool = Field(description="a promised date passed with nothing published")
    contributors: int | None = Field(
        description="null when withheld as a small cell; across campaigns, someone who "
        "answered two counts in each"
    )
    told: int | None = Field(description="null when withheld as a small cell")
    told_share: float | None
    median_days_to_notice: float | None
    published_decisions: int
    owing_rationale: int = Field(description="published decisions not (or partly) adopted")
    with_rationale: int = Field(description="... of which give why in every campaign language")
    rationale_share: float | None
    reactions: ReactionsOut


class LoopReportOut(CampaignLoopOut):
    """The loop report: of one campaign, or of the organisation with each campaign's."""

    promises: list[PromiseOut] = Field(description="every campaign's, overdue ones flagged")
    campaigns: list[CampaignLoopOut] = Field(
        description="each campaign's report (the organisation's report only)"
    )


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
    "The loop report of a campaign, or of every campaign of the organisation",
    permission=Permission.LOOP_READ,
    query=ReportQuery,
    response=LoopReportOut,
    errors=(NOT_FOUND,),
    tag="loop",
)
async def get_loop_report(call: Call) -> LoopReportOut:
    """With `campaign`, that campaign's report; without, the organisation's: its campaigns
    added up, each campaign's report, and every promise with the overdue ones flagged."""
    services = call.services
    wanted = call.query_as(ReportQuery).campaign
    if wanted is not None:
        campaigns = [await _campaign(call, wanted)]
    else:
        found = [
            await services.campaigns.get(campaign_id)
            for campaign_id in sorted(await services.campaigns.ids(call.caller.org))
        ]
        campaigns = [campaign for campaign in found if campaign is not None]
    today = dt.datetime.fromtimestamp(services.clock(), dt.UTC).date()
    ledger = _ledger(call)
    reports = [
        await campaign_report(services.redis, services.schema, ledger, campaign, today)
        for campaign in campaigns
    ]
    promises = [
        PromiseOut(
            campaign_id=report.campaign_id,
            report_back_by=report.promise.report_back_by,
            published_decisions=report.promise.published,
            overdue=report.promise.overdue,
        )
        for report in reports
    ]
    if wanted is not None:
        [alone] = shown_together(reports, services.min_cell)[1]
        return LoopReportOut(**alone.model_dump(), promises=promises, campaigns=[])
    whole, rows = shown_together(reports, services.min_cell)
    return LoopReportOut(
        **whole.model_dump() | {"campaign_id": None},
        promises=promises,
        campaigns=rows,
    )


# The reactions counted, by their key in a report and their name in ReactionsOut.
_REACTIONS = {
    "helpful": "helpful",
    "concerns": "still_concerned",
    "more": "asked_for_more",
    "written": "concerns_written",
}


def shown_together(
    reports: list[LoopReport], minimum: int
) -> tuple[CampaignLoopOut, list[CampaignLoopOut]]:
    """The organisation's report (the campaigns' added up) and each campaign's, as they may be
    shown side by side. Each measure is protected across the campaigns and their total, not
    campaign by campaign: a campaign's withheld count would otherwise be the total less the
    others' shown counts. Told and not told make up a campaign's contributors, so reach is a
    table (a row per campaign, its total the contributors); each reaction is a line of the
    campaigns' counts summing to the organisation's. The median is withheld when taken over
    few people (a median cannot be subtracted)."""
    whole = organisation_report(reports)
    reach = suppress_table(
        [[report.told, max(report.contributors - report.told, 0)] for report in reports],
        minimum,
    )
    reactions = {
        kind: suppress_distribution(
            [report.reactions[kind] for report in reports],
            minimum,
            total=whole.reactions[kind],
        )
        for kind in _REACTIONS
    }
    rows = [
        _shown(
            report,
            minimum,
            told=reach.cells[n][0],
            contributors=reach.row_totals[n],
            reactions={kind: reactions[kind].cells[n] for kind in _REACTIONS},
        )
        for n, report in enumerate(reports)
    ]
    total = _shown(
        whole,
        minimum,
        told=reach.column_totals[0] if reports else Cell(0),
        contributors=reach.total,
        reactions={kind: reactions[kind].total for kind in _REACTIONS},
    )
    return total, rows


def _shown(
    report: LoopReport,
    minimum: int,
    *,
    told: Cell,
    contributors: Cell,
    reactions: Mapping[str, Cell],
) -> CampaignLoopOut:
    """A report with the cells its counts may be shown as (withheld: None). A shown cell is
    the report's own count (a table's row total is told + not told, which is the contributors
    unless more were told than counted)."""
    shown_told = None if told.withheld else report.told
    shown_contributors = None if contributors.withheld else report.contributors
    return CampaignLoopOut(
        campaign_id=report.campaign_id,
        report_back_by=report.promise.report_back_by,
        overdue=report.promise.overdue,
        contributors=shown_contributors,
        told=shown_told,
        told_share=(
            report.told_share if shown_told is not None and shown_contributors is not None else None
        ),
        median_days_to_notice=report.median_shown(minimum),
        published_decisions=len(report.decisions),
        owing_rationale=report.owing_rationale,
        with_rationale=report.with_rationale,
        rationale_share=report.rationale_share,
        reactions=ReactionsOut(
            **{name: reactions[kind].count for kind, name in _REACTIONS.items()}
        ),
    )
