"""The triage queue of free-text answers and concerns about decisions (bot.records.triage):
read newest first, flag urgent or safety, link to a decision.

`GET /campaigns/{id}/triage` shows participants' own words, so it needs `responses:read` (the
permission the decision's reactions ask to show its written concerns), and every page is
audited as a read of responses and of free text (first/last pseudonym and a
digest, as `listResponses`). `POST /campaigns/{id}/triage/marks` changes one item's flags and
link (`themes:write`: marking free text is the same work as tagging its themes), each change
audited. A safety flag raises the organisation's alert (`bot.api.operations.alerts`).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import Call, Operations
from bot.api.operations.common import CampaignPath, campaign_owned, pseudonyms_of
from bot.api.operations.responses import audit_read
from bot.api.pages import (
    DEFAULT_LIMIT,
    MAX_CURSOR,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
    position_field,
)
from bot.api.problems import INVALID_CURSOR, INVALID_REQUEST, NOT_FOUND, ApiError, ErrorItem
from bot.conversation.campaign import Campaign
from bot.conversation.decisions.decision import DECISION_ID
from bot.conversation.decisions.rules import THEME
from bot.loop.themes import Responses, ThemeError
from bot.records.cases import find_case
from bot.records.export import TextLoss
from bot.records.triage import Flag, ItemKind, Position, TriageFilter, TriageItem, TriageQueue
from bot.records.triage_items import CONCERN, triage_item
from bot.records.triage_marks import Mark, Marked, mark_item

operations = Operations()


class TriageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page")
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR)
    flag: Flag | None = Field(default=None, description="urgent, safety, or unflagged only")
    theme: str | None = Field(default=None, pattern=THEME.pattern, description="tagged with it")
    decision: str | None = Field(
        default=None, pattern=DECISION_ID.pattern, description="linked to this decision"
    )


class TriageItemOut(BaseModel):
    kind: ItemKind = Field(description="a free-text answer, or a concern about a decision")
    response_id: str = Field(
        description="an answer's <pseudonym>/<question id> (as tagAnswer names it), or a "
        "concern's case reference (C-…)"
    )
    participant: str = Field(description="the organisation's pseudonym of the participant")
    question: str = Field(description="the question's id ('' for a concern)")
    question_text: str = Field(description="the question, in the campaign's default language")
    about_decision: str | None = Field(description="a concern's: the decision it is about")
    text: str | None = Field(description="what they wrote; null when lost (see `lost`)")
    lost: TextLoss | None
    at: dt.datetime = Field(description="when they wrote it")
    themes: list[str]
    urgent: bool
    safety: bool
    alert_open: bool = Field(description="flagged safety and not yet acknowledged")
    decision: str | None = Field(description="the decision it is linked to")


class TriagePage(BaseModel):
    """Free-text answers, newest first. A filtered page may hold fewer items than asked for
    (even none) and still have a `next_cursor`: it looked at as many as one page may."""

    items: list[TriageItemOut]
    next_cursor: str | None


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/triage",
    "listTriage",
    "Free-text answers to triage, newest first",
    permission=Permission.RESPONSES_READ,
    path_model=CampaignPath,
    query=TriageQuery,
    response=TriagePage,
    errors=(NOT_FOUND, INVALID_CURSOR),
    tag="triage",
)
async def list_triage(call: Call) -> TriagePage:
    campaign = await _campaign(call, Permission.RESPONSES_READ)
    query = call.query_as(TriageQuery)
    after = _position(call, campaign.id, query.cursor)
    queue = await _queue(call, campaign)
    wanted = TriageFilter(flag=query.flag, theme=query.theme, decision=query.decision)
    found, following = await queue.page(after, query.limit, wanted)
    items = [triage_out(campaign, item) for item in found]
    # A page is a read of responses (every item it named) and of free text (those whose words
    # it showed), as a page of `listResponses` is.
    worded = [item.participant for item in items if item.text is not None]
    await audit_read(call, campaign.id, [item.participant for item in items], worded, len(worded))
    return TriagePage(items=items, next_cursor=_cursor(campaign.id, following))


class MarkChange(BaseModel):
    """Flags to set (true) or clear (false) on one item, and the decision to link it to
    ('' unlinks); what is left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    response_id: str = Field(min_length=1, max_length=128, description="<pseudonym>/<question>")
    urgent: bool | None = None
    safety: bool | None = Field(default=None, description="true raises a safety alert")
    decision: str | None = Field(
        default=None, max_length=32, description="a decision id of the campaign; '' unlinks"
    )

    @model_validator(mode="after")
    def _says_something(self) -> MarkChange:
        if self.urgent is None and self.safety is None and self.decision is None:
            raise ValueError("give urgent, safety or decision")
        return self


class ItemMarks(BaseModel):
    """An item's marks, now."""

    response_id: str
    urgent: bool
    safety: bool
    alert_open: bool
    decision: str | None


@operations.add(
    "POST",
    "/campaigns/{campaign_id}/triage/marks",
    "markTriageItem",
    "Flag a free-text answer urgent or safety, or link it to a decision",
    permission=Permission.THEMES_WRITE,
    path_model=CampaignPath,
    body=MarkChange,
    response=ItemMarks,
    errors=(NOT_FOUND,),
    tag="triage",
)
async def mark_triage_item(call: Call) -> ItemMarks:
    """Each change is audited (`triage_marked`). A safety flag set opens a safety alert for the
    organisation (`GET /alerts`) until someone acknowledges it; clearing the flag closes it. A
    response id that names no free-text answer in the queue, or a decision the campaign does
    not have, is refused (422) with the field at fault; nothing is changed."""
    change = call.body_as(MarkChange)
    campaign = await _campaign(call, Permission.THEMES_WRITE)
    services = call.services
    shard, item = await _item_named(call, campaign, change.response_id)
    if change.decision:
        await _check_decision(call, campaign.id, change.decision)
    response_id = change.response_id.strip()
    for mark, value in _changes(change, str(int(services.clock() * 1000))):
        done = await mark_item(
            services.redis, services.schema, campaign.id, shard, item, mark, value
        )
        if done is Marked.GONE:
            raise _refused(
                "body.response_id",
                f"no free-text answer {response_id} to triage",
                "unknown_answer",
                response_id,
            )
        if done is Marked.ALERT_RAISED and services.metrics is not None:
            services.metrics.safety_alerts.inc()
        if done is not Marked.UNCHANGED:
            await _audit_mark(call, campaign.id, response_id, mark, value)
    now = await (await _queue(call, campaign)).item(shard, item)
    if now is None:  # erased meanwhile
        raise _refused(
            "body.response_id",
            f"no free-text answer {response_id} to triage",
            "unknown_answer",
            response_id,
        )
    return ItemMarks(
        response_id=response_id,
        urgent=now.urgent,
        safety=now.safety,
        alert_open=now.alert_open,
        decision=now.decision,
    )


async def _item_named(call: Call, campaign: Campaign, response_id: str) -> tuple[int, str]:
    """(shard, item) of a response id: `<pseudonym>/<question id>` (looked up as tagAnswer
    does), or a concern's case reference. Else a 422."""
    services = call.services
    reference = response_id.strip().upper()
    if CONCERN.match(reference):
        case = await find_case(services.redis, services.schema, reference)
        if case is None or case.campaign_id != campaign.id or case.kind != "concern":
            raise _refused(
                "body.response_id",
                f"no concern {reference} in '{campaign.id}'",
                "unknown_answer",
                reference,
            )
        return case.shard, reference
    responses = Responses(services.redis, services.schema, campaign, await pseudonyms_of(call))
    try:
        participant_id, question_id = await responses.answer(response_id)
    except ThemeError as error:
        raise _refused("body.response_id", str(error), "unknown_answer", response_id) from None
    return services.schema.shard_of(participant_id), triage_item(participant_id, question_id)


def _changes(change: MarkChange, now_ms: str) -> list[tuple[Mark, str]]:
    """(mark, value) of each change asked for: a flag's value is the time it was set ('':
    cleared), a link's the decision id ('': unlinked)."""
    changes = []
    if change.urgent is not None:
        changes.append((Mark.URGENT, now_ms if change.urgent else ""))
    if change.safety is not None:
        changes.append((Mark.SAFETY, now_ms if change.safety else ""))
    if change.decision is not None:
        changes.append((Mark.DECISION, change.decision))
    return changes


def triage_out(campaign: Campaign, item: TriageItem) -> TriageItemOut:
    question = campaign.survey.question(item.question_id)
    language = campaign.survey.default_language
    return TriageItemOut(
        kind=item.kind,
        about_decision=item.about_decision,
        response_id=item.response_id,
        participant=item.pseudonym,
        question=item.question_id,
        question_text=question.text.get(language, "") if question is not None else "",
        text=item.text,
        lost=item.lost,
        at=dt.datetime.fromtimestamp(item.at_ms / 1000, dt.UTC),
        themes=list(item.themes),
        urgent=item.urgent,
        safety=item.safety,
        alert_open=item.alert_open,
        decision=item.decision,
    )


async def _campaign(call: Call, permission: Permission) -> Campaign:
    campaign_id = call.path_as(CampaignPath).campaign_id
    await campaign_owned(call, campaign_id, permission)
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    return campaign


async def _queue(call: Call, campaign: Campaign) -> TriageQueue:
    services = call.services
    pseudonyms = await pseudonyms_of(call)
    return TriageQueue(services.redis, services.schema, services.crypto, campaign.id, pseudonyms)


async def _check_decision(call: Call, campaign_id: str, decision_id: str) -> None:
    services = call.services
    known = DECISION_ID.match(decision_id) and await services.redis.sismember(
        services.schema.decisions(campaign_id), decision_id
    )
    if not known:
        raise _refused(
            "body.decision",
            f"'{campaign_id}' has no decision '{decision_id}'",
            "unknown_decision",
            decision_id,
        )


def _position(call: Call, campaign_id: str, cursor: str | None) -> Position | None:
    if cursor is None:
        return None
    position = decode_cursor(f"triage:{campaign_id}", cursor)
    ms = position_field(position, "t", int)
    shard = position_field(position, "s", int)
    name = position_field(position, "n", str)
    if not 0 <= shard < call.services.schema.shards or ms < 0 or len(name) > 64:
        raise ApiError(INVALID_CURSOR, "that cursor is damaged: start again")
    return Position(ms, shard, name)


def _cursor(campaign_id: str, position: Position | None) -> str | None:
    if position is None:
        return None
    where = {"t": position.ms, "s": position.shard, "n": position.name}
    return encode_cursor(f"triage:{campaign_id}", where)


async def _audit_mark(
    call: Call, campaign_id: str, response_id: str, mark: Mark, value: str
) -> None:
    caller = call.caller
    if mark is Mark.DECISION:
        name, to = "decision", value or "none"
    else:
        name, to = ("urgent" if mark is Mark.URGENT else "safety"), "on" if value else "off"
    await call.services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.TRIAGE_MARKED,
        target=f"campaign:{campaign_id}",
        count=1,
        address=caller.address,
        details={"response": response_id, "mark": name, "to": to},
    )


def _refused(location: str, message: str, code: str, name: str) -> ApiError:
    """A 422 about one field; `code` says why (and `name` what was given) to a page in its
    reader's language."""
    item = ErrorItem(location=location, message=message, code=code, params={"name": name})
    return ApiError(INVALID_REQUEST, message, errors=[item])
