"""The grievance desk's report: per category, response and resolution times, overdue cases,
reopen and satisfaction rates; counts below the organisation's minimum cell are withheld, as in
every aggregate. Declared before `cases`' own operations: "/cases/report" is a path of its own,
not a case reference."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.access.roles import Permission
from bot.api.declare import Call, Operations
from bot.records.case_report import CaseReport, ReportRow, Spread, case_report
from bot.records.cases import Case
from bot.records.desk import organisation_cases

operations = Operations()


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign: str | None = Field(default=None, max_length=32)


class SpreadOut(BaseModel):
    median_seconds: int | None
    p90_seconds: int | None


class ReportRowOut(BaseModel):
    """One category's figures; a null count is withheld (fewer than min_cell, or withheld so
    that one that is cannot be worked out); a null time or rate has too few cases behind it."""

    category: str
    cases: int | None
    overdue: int | None
    resolved: int | None = Field(description="cases resolved at least once")
    reopened: int | None = Field(description="cases reopened at least once")
    asked: int | None = Field(description='cases whose resolution asked "are you satisfied?"')
    satisfied: int | None
    unsatisfied: int | None = Field(description='cases whose latest answer was "no"')
    told_why: int | None = Field(
        description="of those, cases where they also said what is still wrong"
    )
    first_response: SpreadOut = Field(description="time from receipt to the desk's first step")
    resolution: SpreadOut = Field(description="time from receipt to the resolution")
    reopen_rate: float | None = Field(description="reopened / resolved")
    satisfaction_rate: float | None = Field(description="satisfied / asked")


class CaseReportOut(BaseModel):
    """The desk report: per category, then for all cases."""

    min_cell: int
    categories: list[ReportRowOut]
    total: ReportRowOut


def _row_out(row: ReportRow) -> ReportRowOut:
    def spread(value: Spread) -> SpreadOut:
        return SpreadOut(median_seconds=value.median_s, p90_seconds=value.p90_s)

    return ReportRowOut(
        category=row.category,
        **row.counts,
        first_response=spread(row.first_response),
        resolution=spread(row.resolution),
        reopen_rate=row.reopen_rate,
        satisfaction_rate=row.satisfaction_rate,
    )


def report_out(report: CaseReport) -> CaseReportOut:
    return CaseReportOut(
        min_cell=report.min_cell,
        categories=[_row_out(row) for row in report.rows],
        total=_row_out(report.total),
    )


@operations.add(
    "GET",
    "/cases/report",
    "getCaseReport",
    "The desk report: response times, overdue, reopen and satisfaction rates per category",
    permission=Permission.CASES_READ,
    query=ReportQuery,
    response=CaseReportOut,
    tag="cases",
)
async def get_case_report(call: Call) -> CaseReportOut:
    """Counts below the organisation's minimum cell are withheld, as in every aggregate."""
    query = call.query_as(ReportQuery)
    cases = await _organisation_cases(call, query.campaign)
    now_ms = int(call.services.clock() * 1000)
    return report_out(case_report(cases, now_ms, call.services.min_cell))


async def _organisation_cases(call: Call, campaign: str | None) -> list[Case]:
    services = call.services
    return [
        case
        for case in await organisation_cases(services.redis, services.schema, call.caller.org)
        if campaign is None or case.campaign_id == campaign
    ]
