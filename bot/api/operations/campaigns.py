"""Campaigns: list, read, upload a survey file, open and close."""

from __future__ import annotations

import asyncio
import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import SURVEY_BODY_BYTES, Call, Operations, TextBody
from bot.api.operations.common import CampaignPath, campaign_owned
from bot.api.pages import PageQuery, decode_cursor, encode_cursor, position_field
from bot.api.problems import (
    CONFLICT,
    INVALID_CURSOR,
    INVALID_SURVEY,
    NOT_FOUND,
    UNREVIEWED_TRANSLATIONS,
    ApiError,
    ErrorItem,
    file_error_item,
    form_error_item,
)
from bot.conversation.campaign import Campaign, CampaignStatus
from bot.loop.ledger import DecisionLedger
from bot.loop.report import promise_of
from bot.records.campaigns import CampaignOwnedElsewhereError
from bot.records.progress import ProgressBy, campaign_progress
from bot.records.sheets import XLSX_MEDIA_TYPE
from bot.records.translation_import import note_opening, refused_languages
from bot.records.translations import DraftsAccepted
from bot.records.xlsform_files import import_workbook
from dialogues import SurveyDefinitionError
from dialogues.translations import LanguageStatus, ReviewState

operations = Operations()
SURVEY_TYPES = ("application/yaml", "text/yaml", "text/plain")
# An XLSForm (KoboToolbox, ODK) is made into a survey file first (docs/xlsform.md).
WORKBOOK_TYPES = (XLSX_MEDIA_TYPE, "application/vnd.ms-excel")


class GroupProgressOut(BaseModel):
    """How far the people of one language or channel got (of the sessions kept: people erased
    since are no longer counted here, as in results)."""

    value: str = Field(description="the language or the channel")
    started: int | None
    completed: int | None
    dropped_off: int | None = Field(description="started, not completed (still going or gone)")
    dropped_off_share: float | None = Field(description="dropped_off / started")


class TranslationOut(BaseModel):
    """One campaign language: how many of the texts people read in it are translated, and who
    vouched for them (docs/translations.md)."""

    language: str
    translated: int = Field(description="texts with a translation (campaign and Sauti's own)")
    total: int
    state: ReviewState = Field(
        description="source (the language it was written in), reviewed, unreviewed, or "
        "machine-drafted"
    )
    reviewer: str | None = Field(description="who reviewed it, when state is reviewed")
    reviewed_at: dt.datetime | None


class MachineDraftedOut(BaseModel):
    """The campaign was opened accepting languages that were not ready, which still are not."""

    accepted_by: str
    accepted_at: dt.datetime
    languages: dict[str, str] = Field(description="language -> what it lacked when opened")


class OpenQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accept_machine_drafted: bool = Field(
        default=False,
        description="open even though some languages are machine-drafted, unreviewed or "
        "incomplete; the campaign is then marked as such",
    )


class CampaignOut(BaseModel):
    """A campaign and how far it got."""

    id: str
    title: dict[str, str]  # by language
    languages: list[str]
    status: CampaignStatus
    revision: str
    questions: int
    # Counts of people: null when withheld as a small cell (or to protect one), as results are.
    started: int | None
    completed: int | None
    dropped_off: int | None = Field(description="started, not completed (still going or gone)")
    dropped_off_share: float | None = Field(description="dropped_off / started")
    answers: int | None
    by_language: list[GroupProgressOut]
    by_channel: list[GroupProgressOut]
    report_back_by: dt.date | None = Field(
        description="the date participants were promised an answer by (the survey's)"
    )
    overdue: bool = Field(description="that date passed with no decision published")
    translations: list[TranslationOut] = Field(
        description="each language's completeness and review, in the survey's order"
    )
    machine_drafted: MachineDraftedOut | None = Field(
        description="set while the campaign shows text accepted as machine-drafted"
    )


class CampaignPage(BaseModel):
    """A page of the organisation's campaigns, by id."""

    items: list[CampaignOut]
    next_cursor: str | None


async def _described(call: Call, campaign: Campaign) -> CampaignOut:
    services = call.services
    survey = campaign.survey
    progress = await campaign_progress(
        services.redis, services.schema, survey, minimum=services.min_cell
    )
    overall = progress.overall
    statuses = await services.translations.statuses(campaign)
    return CampaignOut(
        id=campaign.id,
        title=dict(survey.title),
        languages=list(survey.languages),
        status=campaign.status,
        revision=survey.revision,
        questions=survey.answerable_count,
        started=overall.started.count,
        completed=overall.completed.count,
        dropped_off=overall.dropped_off.count,
        dropped_off_share=overall.dropped_off_share,
        answers=progress.answers.count,
        by_language=_rows(progress.by_language),
        by_channel=_rows(progress.by_channel),
        report_back_by=survey.report_back_by,
        overdue=await _overdue(call, campaign),
        translations=[_translation(status) for status in statuses],
        machine_drafted=_drafted(await services.translations.drafts_shown(campaign, statuses)),
    )


def _translation(status: LanguageStatus) -> TranslationOut:
    return TranslationOut(
        language=status.language,
        translated=status.translated,
        total=status.total,
        state=status.state,
        reviewer=status.reviewer,
        reviewed_at=_moment(status.reviewed_at_ms),
    )


def _drafted(accepted: DraftsAccepted | None) -> MachineDraftedOut | None:
    if accepted is None:
        return None
    return MachineDraftedOut(
        accepted_by=accepted.by,
        accepted_at=dt.datetime.fromtimestamp(accepted.at_ms / 1000, dt.UTC),
        languages=accepted.languages,
    )


def _moment(at_ms: int | None) -> dt.datetime | None:
    return None if at_ms is None else dt.datetime.fromtimestamp(at_ms / 1000, dt.UTC)


def _rows(by: ProgressBy) -> list[GroupProgressOut]:
    return [
        GroupProgressOut(
            value=value,
            started=row.started.count,
            completed=row.completed.count,
            dropped_off=row.dropped_off.count,
            dropped_off_share=row.dropped_off_share,
        )
        for value, row in zip(by.values, by.rows, strict=True)
    ]


async def _overdue(call: Call, campaign: Campaign) -> bool:
    """The promised date passed with no decision published: the ledger is read only then."""
    services = call.services
    due = campaign.survey.report_back_by
    today = dt.datetime.fromtimestamp(services.clock(), dt.UTC).date()
    if due is None or today <= due:
        return False
    ledger = DecisionLedger(services.redis, services.schema, services.campaigns)
    return (await promise_of(ledger, campaign, today)).overdue


async def _campaign(call: Call, campaign_id: str) -> Campaign:
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    return campaign


@operations.add(
    "GET",
    "/campaigns",
    "listCampaigns",
    "The organisation's campaigns",
    permission=Permission.CAMPAIGNS_READ,
    query=PageQuery,
    response=CampaignPage,
    errors=(INVALID_CURSOR,),
    tag="campaigns",
)
async def list_campaigns(call: Call) -> CampaignPage:
    """Campaigns by id, with their status and how many started and completed them."""
    query = call.query_as(PageQuery)
    after = ""
    if query.cursor is not None:
        after = position_field(decode_cursor("campaigns", query.cursor), "after", str)
    ids = [cid for cid in await call.services.campaigns.ids(call.caller.org) if cid > after]
    page = ids[: query.limit]
    items = []
    for campaign_id in page:
        campaign = await call.services.campaigns.get(campaign_id)
        if campaign is not None:
            items.append(await _described(call, campaign))
    more = len(ids) > query.limit
    return CampaignPage(
        items=items, next_cursor=encode_cursor("campaigns", {"after": page[-1]}) if more else None
    )


@operations.add(
    "GET",
    "/campaigns/{campaign_id}",
    "getCampaign",
    "One campaign",
    permission=Permission.CAMPAIGNS_READ,
    path_model=CampaignPath,
    response=CampaignOut,
    errors=(NOT_FOUND,),
    tag="campaigns",
)
async def get_campaign(call: Call) -> CampaignOut:
    campaign_id = call.path_as(CampaignPath).campaign_id
    await campaign_owned(call, campaign_id, Permission.CAMPAIGNS_READ)
    return await _described(call, await _campaign(call, campaign_id))


@operations.add(
    "POST",
    "/campaigns",
    "loadCampaign",
    "Store (or update) a campaign from a survey file",
    permission=Permission.CAMPAIGNS_MANAGE,
    body=TextBody(
        SURVEY_TYPES,
        "the survey file (YAML, docs/survey-spec.md), as it is; or an XLSForm workbook "
        "(xlsx or xls, docs/xlsform.md), each of its mistakes located at its sheet, row and "
        "column",
        binary_media_types=WORKBOOK_TYPES,
    ),
    response=CampaignOut,
    errors=(INVALID_SURVEY, CONFLICT),
    max_body_bytes=SURVEY_BODY_BYTES,
    tag="campaigns",
)
async def load_campaign(call: Call) -> CampaignOut:
    """A new campaign starts closed; an existing one of the organisation keeps its status. A
    file with mistakes is refused with every mistake and its line (`invalid-survey`)."""
    caller = call.caller
    text = await _survey_text(call.file_body())
    try:
        campaign = await call.services.campaigns.load(text, org=caller.org)
    except SurveyDefinitionError as error:
        raise ApiError(
            INVALID_SURVEY,
            str(error).splitlines()[0],
            errors=[file_error_item(problem) for problem in error.problems],
        ) from None
    except CampaignOwnedElsewhereError:
        raise ApiError(
            CONFLICT,
            "another organisation uses this campaign id: give the survey another id",
            code="campaign_elsewhere",
        ) from None
    await call.services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.CAMPAIGN_LOADED,
        target=f"campaign:{campaign.id}",
        address=caller.address,
        details={"revision": campaign.survey.revision},
    )
    return await _described(call, campaign)


async def _survey_text(body: str | bytes) -> str:
    """The survey file, made from the workbook when the body is one."""
    if isinstance(body, str):
        return body
    # Reading a workbook takes a while (an unzip, XML): not on the event loop.
    result = await asyncio.to_thread(import_workbook, body)
    if result.text is None:
        count = len(result.problems)
        raise ApiError(
            INVALID_SURVEY,
            f"{count} problem{'s' if count != 1 else ''} in the XLSForm",
            errors=[form_error_item(problem) for problem in result.problems],
        )
    return result.text


async def _set_status(
    call: Call,
    status: CampaignStatus,
    action: AuditAction,
    details: dict[str, str | int] | None = None,
) -> CampaignOut:
    caller = call.caller
    campaign_id = call.path_as(CampaignPath).campaign_id
    await campaign_owned(call, campaign_id, Permission.CAMPAIGNS_MANAGE)
    if not await call.services.campaigns.set_status(campaign_id, status):
        raise ApiError(NOT_FOUND, "no such campaign")
    await call.services.audit.record(
        caller.org,
        actor=caller.actor,
        action=action,
        target=f"campaign:{campaign_id}",
        address=caller.address,
        details=details,
    )
    return await _described(call, await _campaign(call, campaign_id))


@operations.add(
    "POST",
    "/campaigns/{campaign_id}/open",
    "openCampaign",
    "Open a campaign for answers",
    permission=Permission.CAMPAIGNS_MANAGE,
    path_model=CampaignPath,
    query=OpenQuery,
    response=CampaignOut,
    errors=(NOT_FOUND, UNREVIEWED_TRANSLATIONS),
    tag="campaigns",
)
async def open_campaign(call: Call) -> CampaignOut:
    """Refused (`unreviewed-translations`, each language with what it lacks) while a language
    is incomplete or not reviewed, unless `accept_machine_drafted`."""
    campaign_id = call.path_as(CampaignPath).campaign_id
    await campaign_owned(call, campaign_id, Permission.CAMPAIGNS_MANAGE)
    campaign = await _campaign(call, campaign_id)
    records = call.services.translations
    unready = await refused_languages(records, campaign)
    if unready and not call.query_as(OpenQuery).accept_machine_drafted:
        raise ApiError(
            UNREVIEWED_TRANSLATIONS,
            "some languages are incomplete or not reviewed: have them reviewed "
            "(docs/translations.md), or accept machine-drafted text (accept_machine_drafted)",
            errors=[
                ErrorItem(location=status.language, message=status.missing()) for status in unready
            ],
        )
    # The audit entry says which languages went out not ready (the mark says it to the team).
    drafted: dict[str, str | int] | None = (
        {"machine_drafted": ",".join(s.language for s in unready)} if unready else None
    )
    opened = await _set_status(call, CampaignStatus.OPEN, AuditAction.CAMPAIGN_OPENED, drafted)
    now_ms = int(call.services.clock() * 1000)
    await note_opening(records, campaign_id, unready, by=call.caller.actor, now_ms=now_ms)
    if unready:  # described again: the mark is part of what the caller sees
        return await _described(call, await _campaign(call, campaign_id))
    return opened


@operations.add(
    "POST",
    "/campaigns/{campaign_id}/close",
    "closeCampaign",
    "Close a campaign for answers",
    permission=Permission.CAMPAIGNS_MANAGE,
    path_model=CampaignPath,
    response=CampaignOut,
    errors=(NOT_FOUND,),
    tag="campaigns",
)
async def close_campaign(call: Call) -> CampaignOut:
    return await _set_status(call, CampaignStatus.CLOSED, AuditAction.CAMPAIGN_CLOSED)
