"""`GET /campaigns/{id}/responses`: individual responses, a page at a time, each participant
named only by the organisation's pseudonym. Personal-level data: it needs `responses:read`,
and every page is audited with how many respondents (and free-text answers) it showed.

Free text is included only when asked for (`free_text=true`): most uses of responses need the
choices alone, and a participant's own words are what could identify them.

The walk goes over each shard's respondent set with SSCAN, whose cursor survives between
requests: every respondent who had started before the first page appears; one who starts
meanwhile may or may not. A page ends inside an SSCAN batch by remembering the last
participant shown of it (batches are read sorted), so pages never overlap within a batch; in the
rare case Redis resizes a set between two pages, a respondent may appear twice: dedupe by
`participant`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.access.pseudonyms import Pseudonyms
from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import Call, Operations
from bot.api.operations.common import CampaignPath, campaign_owned, moment, pseudonyms_of
from bot.api.pages import (
    DEFAULT_LIMIT,
    MAX_CURSOR,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
    position_field,
)
from bot.api.problems import INVALID_CURSOR, NOT_FOUND, ApiError
from bot.records.export import Respondent, TextLoss, load_respondents
from bot.storage.replies import text
from dialogues.events import AnswerOutcome
from dialogues.model import QuestionKind

operations = Operations()


class ResponsesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(
        default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="respondents per page"
    )
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR)
    free_text: bool = Field(default=False, description="include the words of free-text answers")


class AnswerOut(BaseModel):
    outcome: AnswerOutcome
    value: str | int | float | list[str] | None = Field(
        description="option id(s), a number, or the words (free text, when asked for)"
    )
    free_text: bool = Field(description="a free-text answer (its words only with free_text)")
    lost: TextLoss | None = Field(description="why the words cannot be shown")


class RespondentOut(BaseModel):
    participant: str = Field(description="the organisation's pseudonym of the participant")
    language: str
    completed: bool | None
    started_at: dt.datetime | None
    updated_at: dt.datetime | None
    answers: dict[str, AnswerOut]


class ResponsePage(BaseModel):
    """A page of a campaign's respondents."""

    items: list[RespondentOut]
    next_cursor: str | None


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/responses",
    "listResponses",
    "Individual responses, pseudonymous",
    permission=Permission.RESPONSES_READ,
    path_model=CampaignPath,
    query=ResponsesQuery,
    response=ResponsePage,
    errors=(NOT_FOUND, INVALID_CURSOR),
    tag="responses",
)
async def list_responses(call: Call) -> ResponsePage:
    campaign_id = call.path_as(CampaignPath).campaign_id
    query = call.query_as(ResponsesQuery)
    await campaign_owned(call, campaign_id, Permission.RESPONSES_READ)
    campaign = await call.services.campaigns.get(campaign_id)
    texts = (
        {str(q.id) for q in campaign.survey.questions if q.kind is QuestionKind.TEXT}
        if campaign is not None
        else set()
    )
    pseudonyms = await pseudonyms_of(call)
    walk = _Walk.start(call, campaign_id, query.cursor)
    participant_ids = await walk.page(query.limit, pseudonyms)
    services = call.services
    found = await load_respondents(
        services.redis, services.schema, services.crypto, campaign_id, participant_ids
    )
    items = [_respondent(r, pseudonyms, texts, query.free_text) for r in found]
    worded = [
        [a for a in item.answers.values() if a.free_text and a.value is not None] for item in items
    ]
    await audit_read(
        call,
        campaign_id,
        [item.participant for item in items],
        [item.participant for item, words in zip(items, worded, strict=True) if words],
        sum(len(words) for words in worded),
    )
    return ResponsePage(items=items, next_cursor=walk.cursor())


async def audit_read(
    call: Call, campaign_id: str, named: list[str], worded: list[str], words_shown: int
) -> None:
    """A page of personal data read: a read of responses (every participant it `named`), and
    of free text when it showed any (`words_shown` answers' words, of the `worded`
    participants)."""
    caller = call.caller
    await call.services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.RESPONSES_READ,
        target=f"campaign:{campaign_id}",
        count=len(named),
        address=caller.address,
        details=records_read(named),
    )
    if words_shown:
        await call.services.audit.record(
            caller.org,
            actor=caller.actor,
            action=AuditAction.FREE_TEXT_READ,
            target=f"campaign:{campaign_id}",
            count=words_shown,
            address=caller.address,
            details=records_read(worded),
        )


def records_read(pseudonyms: list[str]) -> dict[str, str | int] | None:
    """Which records a page held, as far as an audit entry may say: the first and last
    pseudonyms of the page (the organisation's own names for them, nothing it has not seen) and
    a digest of them all, which a list of suspected pseudonyms can be checked against."""
    if not pseudonyms:
        return None
    ordered = sorted(pseudonyms)
    digest = hashlib.sha256("\n".join(ordered).encode()).hexdigest()[:32]
    return {"first": ordered[0], "last": ordered[-1], "records": digest}


def _respondent(
    respondent: Respondent, pseudonyms: Pseudonyms, texts: set[str], words: bool
) -> RespondentOut:
    answers = {}
    for question, answer in respondent.answers.items():
        free = question in texts or answer.lost is not None
        value: Any = answer.value
        if isinstance(value, tuple):
            value = list(value)
        answers[question] = AnswerOut(
            outcome=answer.outcome,
            value=value if words or not free else None,
            free_text=free,
            lost=answer.lost if words else None,
        )
    return RespondentOut(
        participant=pseudonyms.of(respondent.participant_id),
        language=respondent.language,
        completed=respondent.completed,
        started_at=moment(respondent.started_at),
        updated_at=moment(respondent.updated_at),
        answers=answers,
    )


class _Walk:
    """Where a walk over a campaign's respondent sets is: shard, SSCAN cursor, and the last
    participant shown of the current batch — by the organisation's pseudonym, and a batch is
    ordered by pseudonym: the cursor goes to the client, and an internal id in it would leave
    the server (and link one person across organisations)."""

    def __init__(self, call: Call, campaign_id: str, shard: int, scan: int, after: str) -> None:
        self._call = call
        self._campaign_id = campaign_id
        self.shard, self.scan, self.after = shard, scan, after

    @classmethod
    def start(cls, call: Call, campaign_id: str, cursor: str | None) -> _Walk:
        if cursor is None:
            return cls(call, campaign_id, 0, 0, "")
        position = decode_cursor(f"responses:{campaign_id}", cursor)
        shard = position_field(position, "shard", int)
        scan = position_field(position, "scan", int)
        after = position_field(position, "after", str)
        if not 0 <= shard < call.services.schema.shards or not 0 <= scan < 2**64:
            raise ApiError(INVALID_CURSOR, "that cursor is damaged: start again")
        return cls(call, campaign_id, shard, scan, after)

    @property
    def done(self) -> bool:
        return self.shard >= self._call.services.schema.shards

    async def page(self, limit: int, pseudonyms: Pseudonyms) -> list[str]:
        services = self._call.services
        found: list[str] = []
        while not self.done and len(found) < limit:
            key = services.schema.respondents(self.shard, self._campaign_id)
            following, members = await services.redis.sscan(key, self.scan, count=limit)
            named = sorted((pseudonyms.of(text(member)), text(member)) for member in set(members))
            batch = [(seen, pid) for seen, pid in named if seen > self.after]
            room = limit - len(found)
            if len(batch) > room:
                found += [pid for _, pid in batch[:room]]
                self.after = batch[room - 1][0]  # the same batch again next time, past this one
                break
            found += [pid for _, pid in batch]
            self.after = ""
            if int(following) == 0:
                self.shard, self.scan = self.shard + 1, 0
            else:
                self.scan = int(following)
        return found

    def cursor(self) -> str | None:
        if self.done:
            return None
        position = {"shard": self.shard, "scan": self.scan, "after": self.after}
        return encode_cursor(f"responses:{self._campaign_id}", position)
