"""`GET /campaigns/{id}/export?format=csv|xlsx|json`: a campaign's responses as a file, the very
file `sauti campaign export --labels` writes (bot.records.export_files), participants named only
by the organisation's pseudonym of them. CSV and XLSX carry each choice's label beside its id
(in `language`, by default the campaign's first; `labels=false` for ids alone), cells a
spreadsheet would run as formulas made inert; CSV starts with a byte order mark.

A campaign may have a million respondents: the file is streamed as it is read, never built in
memory (nor on disk: the XLSX is zipped as it goes, bot.records.sheets); rows are gathered into
blocks of about `BLOCK_CHARS` so that a million rows are not a million writes. Each write waits
while the client is slow to read.

The export is audited (`export_created`, with the format and `to: api`) when the stream ends,
however it ends: the count is of the respondents whose rows were handed to the connection (for XLSX:
to the compression, which holds back some tens of KB), so a client that goes away halfway is
recorded with what it had. The file is finished for the client
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
from bot.api.operations.common import (
    CampaignPath,
    campaign_owned,
    checked_language,
    export_note,
    pseudonyms_of,
)
from bot.api.problems import NOT_FOUND, RATE_LIMITED, ApiError
from bot.records.export import Respondent, TextLoss, respondents
from bot.records.export_files import (
    FILE_MEDIA_TYPES,
    csv_text,
    json_text,
    named_by,
    written,
    xlsx_bytes,
)
from bot.storage import scripts
from dialogues.events import AnswerOutcome

operations = Operations()

BLOCK_CHARS = 64 * 1024
LEASE_SECONDS = 30 * 60
RETRY_SECONDS = 30
MEDIA_TYPES = FILE_MEDIA_TYPES
Format = Literal["csv", "xlsx", "json"]


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Format = Field(default="csv", description="csv, xlsx or json")
    labels: bool = Field(
        default=True,
        description="CSV and XLSX: each choice question's option labels in a `<question>_label` "
        "column beside its ids",
    )
    language: str | None = Field(
        default=None,
        max_length=16,
        description="the labels' language (one of the campaign's; by default its first)",
    )


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
    "Every response, as a CSV, XLSX or JSON file",
    permission=Permission.EXPORTS_CREATE,
    path_model=CampaignPath,
    query=ExportQuery,
    response=FileResponse(
        tuple(MEDIA_TYPES.values()),
        "the campaign's responses, one row (CSV, XLSX) or object (JSON) per respondent",
        json_model=ExportFile,
    ),
    errors=(NOT_FOUND, RATE_LIMITED),
    tag="exports",
)
async def export_responses(call: Call) -> FileStream:
    """Free text included, decrypted. CSV and XLSX cells a spreadsheet would run as a formula
    stay text (CSV: an apostrophe; XLSX: the quote-prefix style). Audited when the stream
    ends; one export at a time per organisation (429 with `Retry-After` meanwhile)."""
    campaign_id = call.path_as(CampaignPath).campaign_id
    query = call.query_as(ExportQuery)
    await campaign_owned(call, campaign_id, Permission.EXPORTS_CREATE)
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    survey = campaign.survey
    language = checked_language(survey, query.language)
    pseudonyms = await pseudonyms_of(call)
    services = call.services
    rows = _Counting(
        named_by(
            pseudonyms, respondents(services.redis, services.schema, services.crypto, campaign_id)
        )
    )
    labels = language if query.labels else None
    pieces: AsyncIterator[str | bytes]
    if query.format == "csv":
        pieces = csv_text(survey, rows.rows(), labels=labels, bom=True)
    elif query.format == "xlsx":
        pieces = xlsx_bytes(survey, rows.rows(), export_note(call), labels=labels)
    else:
        pieces = json_text(survey, rows.rows())
    export = _Export(call, campaign_id, query.format, await _lease(call))
    return FileStream(
        media_type=MEDIA_TYPES[query.format],
        filename=f"{campaign_id}.{query.format}",
        chunks=export.blocks(rows, pieces),
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
            code="export_running",
            headers={"Retry-After": str(RETRY_SECONDS)},
        )
    return owner


class _Counting:
    """The respondents, counted as they are read."""

    def __init__(self, rows: AsyncIterator[Respondent]) -> None:
        self._rows = rows
        self.pulled = 0

    async def rows(self) -> AsyncIterator[Respondent]:
        async for row in self._rows:
            self.pulled += 1
            yield row


class _Export:
    """One export being streamed: how many respondents' rows are out, and its end."""

    def __init__(self, call: Call, campaign_id: str, chosen: str, owner: str) -> None:
        self._call = call
        self._campaign_id = campaign_id
        self._format = chosen
        self._owner = owner
        self.sent = 0  # respondents whose rows were handed to the connection

    async def blocks(
        self, counting: _Counting, pieces: AsyncIterator[str | bytes]
    ) -> AsyncGenerator[bytes, None]:
        block: list[bytes] = []
        size = 0
        # Each piece of the file is the row of the respondent read just before it (or the
        # header, the brackets, a zip's parts): the rows in a block are those read when it is
        # complete.
        async for piece in pieces:
            data = piece.encode() if isinstance(piece, str) else piece
            block.append(data)
            size += len(data)
            if size >= BLOCK_CHARS:
                in_block = counting.pulled
                yield b"".join(block)  # returns once the server has written it
                self.sent = in_block
                block, size = [], 0
        if block:
            yield b"".join(block)
        self.sent = counting.pulled

    async def ended(self) -> None:
        """The audit entry, with what was sent; then the organisation may export again."""
        services, caller = self._call.services, self._call.caller
        try:
            await services.audit.record(
                caller.org,
                actor=caller.actor,
                action=AuditAction.EXPORT_CREATED,
                target=f"campaign:{self._campaign_id}",
                count=written(self._format, self.sent),  # an XLSX holds what fits
                address=caller.address,
                details={"format": self._format, "to": self._call.face},
            )
        finally:
            key = services.schema.export_lease(caller.org)
            await scripts.RELEASE_LEASE(services.redis, [key], [self._owner])
