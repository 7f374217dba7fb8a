"""`GET /campaigns/{id}/results`: a campaign's aggregate results, per question, optionally
broken down by another question, the language or the channel — small cells withheld by the one
suppression function the command line uses too (bot.records.results, bot.records.suppression).
A withheld count is `null`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncGenerator

from pydantic import BaseModel, ConfigDict, Field

from bot.access.roles import Permission
from bot.api.declare import Call, EventsResponse, EventStream, Operations, ServerEvent
from bot.api.operations.common import CampaignPath, campaign_owned
from bot.api.problems import INVALID_REQUEST, NOT_FOUND, RATE_LIMITED, ApiError, ErrorItem
from bot.api.services import ApiServices
from bot.conversation.campaign import Campaign
from bot.records.results import (
    Breakdown,
    CampaignResults,
    QuestionResults,
    UnknownBreakdownError,
    campaign_results,
)
from bot.records.snapshots import read_snapshot
from bot.records.suppression import Cell
from bot.storage.errors import STORAGE_FAILURE
from dialogues import Survey
from dialogues.model import QuestionKind

log = logging.getLogger(__name__)

operations = Operations()
Count = int | None  # None: withheld
POLL_SECONDS = 1.0  # a live stream asks Redis whether the results changed this often, at most


class ResultsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str | None = Field(
        default=None,
        max_length=32,
        description="break each question down by `language`, `channel` or a choice question",
    )


class OptionOut(BaseModel):
    option_id: str
    text: dict[str, str] = Field(
        description="its label by language; empty for yes/no and a scale's steps"
    )
    count: Count


class BreakdownOut(BaseModel):
    by: str
    rows: list[str]
    columns: list[str]
    cells: list[list[Count]]
    row_totals: list[Count]
    column_totals: list[Count]
    total: Count


class QuestionOut(BaseModel):
    question_id: str
    kind: QuestionKind
    text: dict[str, str] = Field(description="the question by language")
    options: list[OptionOut]
    answered: Count
    skipped: Count
    declined: Count
    asked: Count = Field(description="asked it: answered, skipped, declined or stopped here")
    stopped_here: Count = Field(
        description="drop-off: their session waits on it, never answered, not completed "
        "(still going, or gone)"
    )
    breakdown: BreakdownOut | None


class ResultsOut(BaseModel):
    """Aggregate results; a count of null is withheld (below `minimum`, or protecting one)."""

    campaign_id: str
    minimum: int
    by: str | None
    started: Count
    completed: Count
    questions: list[QuestionOut]
    version: int = Field(
        description="the results snapshot these figures are of: `watchResults` says when a new "
        "one is taken (not a count of anything)"
    )
    needed: int = Field(
        description="how many more people must answer (or change or erase their answers) "
        "before the next snapshot moves the figures; 0 when nobody is waiting. Figures move "
        "only by at least `minimum` people at once, so that no one answer can be worked out "
        "by comparing two readings"
    )


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/results",
    "getResults",
    "Aggregate results, small cells withheld",
    permission=Permission.RESULTS_READ,
    path_model=CampaignPath,
    query=ResultsQuery,
    response=ResultsOut,
    errors=(NOT_FOUND,),
    tag="results",
)
async def get_results(call: Call) -> ResultsOut:
    campaign_id = call.path_as(CampaignPath).campaign_id
    campaign, found = await read_results(call, campaign_id, call.query_as(ResultsQuery).by)
    return _results(found, campaign.survey)


async def read_results(
    call: Call, campaign_id: str, by: str | None
) -> tuple[Campaign, CampaignResults]:
    """The campaign and its results as the caller may see them (RESULTS_READ): 404 for a
    campaign not theirs, 400 for a breakdown it does not keep. `exportResults` reads here too,
    so its file holds the very counts this operation gives."""
    await campaign_owned(call, campaign_id, Permission.RESULTS_READ)
    services = call.services
    campaign = await services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    try:
        found = await campaign_results(
            services.redis, services.schema, campaign.survey, by=by, minimum=services.min_cell
        )
    except UnknownBreakdownError as error:
        raise ApiError(
            INVALID_REQUEST,
            "the campaign keeps no breakdown of that name",
            errors=[
                ErrorItem(
                    location="query.by",
                    message=str(error),
                    code="unknown_breakdown",
                    params={"name": by or ""},
                )
            ],
        ) from None
    return campaign, found


def _results(found: CampaignResults, survey: Survey) -> ResultsOut:
    return ResultsOut(
        campaign_id=found.campaign_id,
        minimum=found.minimum,
        by=found.by,
        started=_n(found.started),
        completed=_n(found.completed),
        questions=[_question(question, survey) for question in found.questions],
        version=found.version,
        needed=found.needed,
    )


def _question(question: QuestionResults, survey: Survey) -> QuestionOut:
    asked = survey.question(question.question_id)
    labels: dict[str, dict[str, str]] = {}
    if asked is not None:
        labels = {o.id: dict(o.text) for o in asked.options}
    return QuestionOut(
        question_id=question.question_id,
        kind=question.kind,
        text=dict(asked.text) if asked is not None else {},
        options=[
            OptionOut(option_id=o.option_id, text=labels.get(o.option_id, {}), count=_n(o.count))
            for o in question.options
        ],
        answered=_n(question.answered),
        skipped=_n(question.skipped),
        declined=_n(question.declined),
        asked=_n(question.asked),
        stopped_here=_n(question.stopped_here),
        breakdown=_breakdown(question.breakdown) if question.breakdown is not None else None,
    )


def _breakdown(breakdown: Breakdown) -> BreakdownOut:
    table = breakdown.table
    return BreakdownOut(
        by=breakdown.by,
        rows=list(breakdown.rows),
        columns=list(breakdown.columns),
        cells=[[_n(cell) for cell in row] for row in table.cells],
        row_totals=[_n(cell) for cell in table.row_totals],
        column_totals=[_n(cell) for cell in table.column_totals],
        total=_n(table.total),
    )


def _n(cell: Cell) -> Count:
    return cell.count


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/results/events",
    "watchResults",
    "Live: an event whenever a new results snapshot is taken",
    permission=Permission.RESULTS_READ,
    path_model=CampaignPath,
    response=EventsResponse(
        "Server-sent events: first `results` with the current snapshot's `version`, then one "
        "each time a new snapshot is taken (then read the results again): never for a single "
        "answer, as a snapshot waits for at least `minimum` people; a comment line every 15 "
        "seconds when nothing changes. The stream ends after SAUTI_API_EVENTS_SECONDS, within 15 "
        "seconds of the caller no longer being allowed (signed out, token revoked, role "
        "removed), or when the server shuts down: a browser's EventSource opens it again by "
        "itself."
    ),
    errors=(NOT_FOUND, RATE_LIMITED),
    tag="results",
)
async def watch_results(call: Call) -> EventStream:
    """The version is the number of the results snapshot readers see (bot.records.snapshots):
    it moves only once at least the minimum cell size of people have changed the results,
    never for one answer; it says nothing else. At most SAUTI_API_EVENTS_PER_CALLER streams
    open at once per caller: one more is answered 429."""
    campaign_id = call.path_as(CampaignPath).campaign_id
    await campaign_owned(call, campaign_id, Permission.RESULTS_READ)
    services = call.services
    if await services.campaigns.get(campaign_id) is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    version = await _snapshot_number(services, campaign_id)
    release = services.live.take(call.caller.actor, services.settings.events_per_caller)
    return EventStream(_changes(services, campaign_id, version), ended=release)


async def _changes(
    services: ApiServices, campaign_id: str, version: int
) -> AsyncGenerator[ServerEvent | None, None]:
    """The version now, then each new one; None after each look that found nothing new (the
    server then checks the client is still there). Ends after the stream's time, at shutdown,
    or when Redis cannot be reached (the browser comes back later)."""
    yield _version_event(version)
    until = time.monotonic() + services.settings.events_seconds
    while time.monotonic() < until:
        if await services.live.closed_within(POLL_SECONDS):
            return
        try:
            now = await _snapshot_number(services, campaign_id)
        except STORAGE_FAILURE:
            log.warning("live results: Redis unavailable, stream ended")
            return
        if now == version:
            yield None
        else:
            version = now
            yield _version_event(version)


async def _snapshot_number(services: ApiServices, campaign_id: str) -> int:
    """The campaign's snapshot number, a new snapshot taken first when enough people wait."""
    state, _ = await read_snapshot(
        services.redis, services.schema, campaign_id, [], minimum=services.min_cell
    )
    return state.number


def _version_event(version: int) -> ServerEvent:
    return ServerEvent("results", json.dumps({"version": version}))
