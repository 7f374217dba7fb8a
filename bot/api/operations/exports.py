"""`GET /campaigns/{id}/export?format=csv|json`: a campaign's responses as a file, the very text
`sauti campaign export` writes (bot.records.export_files), participants named only by the
organisation's pseudonym of them.

A campaign may have a million respondents: the file is streamed as it is read, never built in
memory; rows are gathered into blocks of about `BLOCK_CHARS` so that a million rows are not a
million writes. Each write waits while the client is slow to read.

The export is audited (`export_created`, with the format and `to: api`) when the stream ends,
however it ends: the count is of the respondents whose rows were handed to the connection, so a
client that goes away halfway is recorded with what it had. The file is finished for the client
only once that entry is written.

One export at a time per organisation: a large export reads every respondent and decrypts
every free-text answer, minutes of the server's work, and one request of the rate limit would
start it. A lease in Redis (shared by every web process) says one is under way; a second is
answered 429 with `Retry-After`. The lease expires after `LEASE_SECONDS` should its process
die; an export still running then no longer holds another back.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import Call, FileResponse, FileStream, Operations
from bot.api.operations.common import CampaignPath, campaign_owned, pseudonyms_of
from bot.api.problems import NOT_FOUND, RATE_LIMITED, ApiError
from bot.records.export import Respondent, TextLoss, respondents
from bot.records.export_files import csv_text, json_text, named_by
from bot.storage import scripts
from dialogues import Survey
from dialogues.events import AnswerOutcome

operations = Operations()

BLOCK_CHARS = 64 * 1024
LEASE_SECONDS = 30 * 60
RETRY_SECONDS = 30
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "json"] = Field(default="csv", description="csv or json")


class ExportedAnswerOut(BaseModel):
    outcome: AnswerOutcome
    value: str | int | float | list[str] | None = Field(
        description="option id(s), a number, the words of a free-text answer"
    )
    lost: TextLoss | None = Field(default=None, description="why the words cannot be shown")


class ExportedRespondentOut(BaseModel):
    participant: str = Field(description="the organisation's pseudonym of the participant")
    language: str
    status: Literal["completed", "in progress"] | None
    started_at: str | None
    updated_at: str | None
    answers: dict[str, ExportedAnswerOut | None] = Field(
        description="every answerable question; null: not asked"
    )


class ExportFile(RootModel[list[ExportedRespondentOut]]):
    """A campaign's respondents, one object each (the JSON export)."""


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/export",
    "exportResponses",
    "Every response, as a CSV or JSON file",
    permission=Permission.EXPORTS_CREATE,
    path_model=CampaignPath,
    query=ExportQuery,
    response=FileResponse(
        tuple(MEDIA_TYPES.values()),
        "the campaign's responses, one row (CSV) or object (JSON) per respondent",
        json_model=ExportFile,
    ),
    errors=(NOT_FOUND, RATE_LIMITED),
    tag="exports",
)
async def export_responses(call: Call) -> FileStream:
    """Free text included, decrypted. CSV cells a spreadsheet would run as a formula start
    with an apostrophe. Audited when the stream ends; one export at a time per organisation
    (429 with `Retry-After` meanwhile)."""
    campaign_id = call.path_as(CampaignPath).campaign_id
    chosen = call.query_as(ExportQuery).format
    await campaign_owned(call, campaign_id, Permission.EXPORTS_CREATE)
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    pseudonyms = await pseudonyms_of(call)
    services = call.services
    rows = named_by(
        pseudonyms, respondents(services.redis, services.schema, services.crypto, campaign_id)
    )
    export = _Export(call, campaign_id, chosen, await _lease(call))
    return FileStream(
        media_type=MEDIA_TYPES[chosen],
        filename=f"{campaign_id}.{chosen}",
        chunks=export.blocks(campaign.survey, rows),
        ended=export.ended,
    )


async def _lease(call: Call) -> str:
    """This export's hold on the organisation's one export at a time; taken last, once nothing
    can fail before the stream (and its `ended`, which gives it back) begins."""
    owner = secrets.token_hex(8)
    key = call.services.schema.export_lease(call.caller.org)
    if not await call.services.redis.set(key, owner, nx=True, ex=LEASE_SECONDS):
        raise ApiError(
            RATE_LIMITED,
            "an export of your organisation is under way: one at a time",
            headers={"Retry-After": str(RETRY_SECONDS)},
        )
    return owner


class _Export:
    """One export being streamed: how many respondents' rows are out, and its end."""

    def __init__(self, call: Call, campaign_id: str, chosen: str, owner: str) -> None:
        self._call = call
        self._campaign_id = campaign_id
        self._format = chosen
        self._owner = owner
        self._pulled = 0  # respondents read
        self.sent = 0  # respondents whose rows were handed to the connection

    async def blocks(
        self, survey: Survey, rows: AsyncIterator[Respondent]
    ) -> AsyncGenerator[str, None]:
        text = csv_text if self._format == "csv" else json_text
        block: list[str] = []
        size = 0
        # Each piece of the text is the row of the respondent read just before it (or the
        # header, the brackets): the rows in a block are those read when it is complete.
        async for piece in text(survey, self._counting(rows)):
            block.append(piece)
            size += len(piece)
            if size >= BLOCK_CHARS:
                in_block = self._pulled
                yield "".join(block)  # returns once the server has written it
                self.sent = in_block
                block, size = [], 0
        if block:
            yield "".join(block)
        self.sent = self._pulled

    async def _counting(self, rows: AsyncIterator[Respondent]) -> AsyncIterator[Respondent]:
        async for row in rows:
            self._pulled += 1
            yield row

    async def ended(self) -> None:
        """The audit entry, with what was sent; then the organisation may export again."""
        services, caller = self._call.services, self._call.caller
        try:
            await services.audit.record(
                caller.org,
                actor=caller.actor,
                action=AuditAction.EXPORT_CREATED,
                target=f"campaign:{self._campaign_id}",
                count=self.sent,
                address=caller.address,
                details={"format": self._format, "to": "api"},
            )
        finally:
            key = services.schema.export_lease(caller.org)
            await scripts.RELEASE_LEASE(services.redis, [key], [self._owner])
