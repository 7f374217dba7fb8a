"""`GET /campaigns/{id}/results/export?format=csv|xlsx&by=&language=`: a campaign's aggregate
results as a file, for everyone who may read results (RESULTS_READ, a viewer too): the very
counts `getResults` gives — read by its `read_results`, small cells withheld by the one
suppression function — with the survey's texts in `language` beside the ids, shares, and never
a participant's word or pseudonym (bot.records.results_files).

A few hundred lines whatever the number of respondents: made in memory, sent as it is made.
Audited (`results_exported`, the count of questions) before the file leaves: a file that
reaches the client is always recorded.

`GET /campaigns/{id}/results/breakdowns`: what `by` may name for this campaign (the language,
the channel, and the choice and scale questions whose cross-tabs it keeps), for a client or a
page to offer only breakdowns that exist.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import Call, FileResponse, FileStream, Operations
from bot.api.operations.common import CampaignPath, campaign_owned, checked_language, export_note
from bot.api.operations.results import read_results
from bot.api.problems import INVALID_REQUEST, NOT_FOUND, ApiError
from bot.records import tally
from bot.records.export_files import FILE_MEDIA_TYPES
from bot.records.results import BY_CHANNEL, BY_LANGUAGE
from bot.records.results_files import results_csv, results_xlsx

operations = Operations()

MEDIA_TYPES = {chosen: FILE_MEDIA_TYPES[chosen] for chosen in ("csv", "xlsx")}


class ResultsExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "xlsx"] = Field(default="csv", description="csv or xlsx")
    by: str | None = Field(
        default=None,
        max_length=32,
        description="break each question down by `language`, `channel` or a choice question",
    )
    language: str | None = Field(
        default=None,
        max_length=16,
        description="the language of the questions' and options' texts (one of the campaign's; "
        "by default its first)",
    )


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/results/export",
    "exportResults",
    "Aggregate results as a CSV or XLSX file, small cells withheld",
    permission=Permission.RESULTS_READ,
    path_model=CampaignPath,
    query=ResultsExportQuery,
    response=FileResponse(
        tuple(MEDIA_TYPES.values()),
        "one line per count: the campaign's, each option's and status's of each question, and "
        "with `by` each cell and total of its breakdown; a withheld count reads `<minimum`",
    ),
    errors=(NOT_FOUND, INVALID_REQUEST),
    tag="results",
)
async def export_results(call: Call) -> FileStream:
    """The counts of `getResults` with the same `by`, as a file. No personal data: counts,
    shares and the survey's texts."""
    campaign_id = call.path_as(CampaignPath).campaign_id
    query = call.query_as(ResultsExportQuery)
    campaign, found = await read_results(call, campaign_id, query.by)
    survey = campaign.survey
    language = checked_language(survey, query.language)
    pieces: AsyncIterator[str | bytes]
    if query.format == "csv":
        pieces = results_csv(found, survey, language)
    else:
        pieces = results_xlsx(found, survey, language, export_note(call))
    caller = call.caller
    details: dict[str, str | int] = {"format": query.format, "to": call.face}
    if query.by is not None:
        details["by"] = query.by
    await call.services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.RESULTS_EXPORTED,
        target=f"campaign:{campaign_id}",
        count=len(found.questions),
        address=caller.address,
        details=details,
    )
    suffix = f"-by-{query.by}" if query.by else ""
    return FileStream(
        media_type=MEDIA_TYPES[query.format],
        filename=f"{campaign_id}-results{suffix}.{query.format}",
        chunks=_bytes(pieces),
    )


async def _bytes(pieces: AsyncIterator[str | bytes]) -> AsyncGenerator[bytes, None]:
    async for piece in pieces:
        yield piece.encode() if isinstance(piece, str) else piece


class BreakdownChoiceOut(BaseModel):
    by: str = Field(description="what to give as `by`")
    kind: Literal["language", "channel", "question"]
    text: dict[str, str] = Field(
        description="a question's text in each of the campaign's languages"
    )


class BreakdownsOut(BaseModel):
    """The breakdowns `getResults` and `exportResults` take for this campaign."""

    items: list[BreakdownChoiceOut]


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/results/breakdowns",
    "listBreakdowns",
    "The breakdowns a campaign's results can be given by",
    permission=Permission.RESULTS_READ,
    path_model=CampaignPath,
    response=BreakdownsOut,
    errors=(NOT_FOUND,),
    tag="results",
)
async def list_breakdowns(call: Call) -> BreakdownsOut:
    campaign_id = call.path_as(CampaignPath).campaign_id
    await campaign_owned(call, campaign_id, Permission.RESULTS_READ)
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    survey = campaign.survey
    crossed = tally.tallied(survey).crossed
    return BreakdownsOut(
        items=[
            BreakdownChoiceOut(by=BY_LANGUAGE, kind="language", text={}),
            BreakdownChoiceOut(by=BY_CHANNEL, kind="channel", text={}),
            *(
                BreakdownChoiceOut(by=question.id, kind="question", text=dict(question.text))
                for question in survey.questions
                if question.id in crossed
            ),
        ]
    )
