"""The campaigns: the organisation's list (the console's home) with how far each got and
whether its promise is overdue; one campaign's overview (started, completed and dropped off by
language and channel) with the ways into its results, free text, decisions and exports (each
shown only to a role that may open it); and a survey file uploaded, as a new campaign or a new
version of one (YAML, or an XLSForm workbook), every mistake shown with its line, or with
its sheet, row and column."""

from __future__ import annotations

import asyncio

from aiohttp import web
from babel import Locale, UnknownLocaleError

from bot.access.roles import Permission
from bot.api.operations.campaigns import CampaignOut, CampaignPage
from bot.api.problems import (
    CONFLICT,
    INVALID_SURVEY,
    UNREVIEWED_TRANSLATIONS,
    ApiError,
    ErrorItem,
)
from bot.console.declare import Pages
from bot.console.file_problems import file_mistakes
from bot.console.i18n import N_
from bot.console.view import Form, View
from bot.conversation.campaign import CampaignStatus
from bot.records.xlsform_files import import_workbook, looks_like_workbook
from dialogues import SurveyDefinitionError, parse
from dialogues.translations import ReviewState

pages = Pages()
READY = (ReviewState.SOURCE, ReviewState.REVIEWED)
STATUS_LABELS = {CampaignStatus.OPEN: N_("open"), CampaignStatus.CLOSED: N_("closed")}
DONE = {  # what the page says after a change it made (`?done=`)
    "opened": N_("The campaign is open: people can join and answer."),
    "closed": N_("The campaign is closed: nobody can answer any more."),
    "loaded": N_("The survey file was stored: this is the campaign as it is now."),
}
REVIEW_LABELS = {
    ReviewState.SOURCE: N_("Source language"),
    ReviewState.REVIEWED: N_("Reviewed (declared in the survey file)"),
    ReviewState.UNREVIEWED: N_("Not reviewed"),
    ReviewState.MACHINE_DRAFTED: N_("Machine-drafted"),
}
CHANNEL_NAMES = {"webchat": N_("Web chat"), "telegram": "Telegram", "whatsapp": "WhatsApp"}
MAX_LISTED = 1000  # campaigns shown on the list (pages of the API's largest size)


@pages.get("/console/campaigns", permission=Permission.CAMPAIGNS_READ)
async def campaign_list(view: View) -> web.StreamResponse:
    campaigns: list[CampaignOut] = []
    cursor: str | None = None
    while len(campaigns) < MAX_LISTED:
        query = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page: CampaignPage = await view.invoke("listCampaigns", query=query)
        campaigns += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    return view.render(
        "campaigns.html",
        view.gettext("Campaigns"),
        campaigns=campaigns,
        status_labels=STATUS_LABELS,
        banners=await view.site.banners_for(view),
    )


# Declared before the campaign's own page: its path would take "new" for a campaign id.
@pages.get("/console/campaigns/new", permission=Permission.CAMPAIGNS_MANAGE)
async def new_campaign(view: View) -> web.StreamResponse:
    return await _new_page(view, [])


@pages.post("/console/campaigns/new", permission=Permission.CAMPAIGNS_MANAGE)
async def upload_new_campaign(view: View) -> web.StreamResponse:
    form = await view.form()
    text, problems = _survey_text(view, form)
    if text is not None:
        loaded, problems = await _load(view, text)
        if loaded is not None:
            raise view.redirect(f"/console/campaigns/{loaded.id}?done=loaded")
    return await _new_page(view, problems, status=422)


@pages.get("/console/campaigns/{campaign_id}", permission=Permission.CAMPAIGNS_READ)
async def campaign_overview(view: View) -> web.StreamResponse:
    done = DONE.get(view.request.query.get("done", ""))
    return await _overview(view, notice=view.gettext(done) if done else None)


@pages.post("/console/campaigns/{campaign_id}/upload", permission=Permission.CAMPAIGNS_MANAGE)
async def upload_new_version(view: View) -> web.StreamResponse:
    """A new version of this campaign's survey: a file naming another campaign is refused here
    (from this page it would change another campaign, or make one)."""
    form = await view.form()
    campaign_id = view.request.match_info["campaign_id"]
    text, problems = _survey_text(view, form)
    if text is not None:
        named = await _survey_id(text)
        if named is not None and named != campaign_id:
            message = view.gettext(
                "This file is the survey of the campaign '%(named)s', not of this one. "
                "Upload it as a new campaign instead.",
                named=named,
            )
            problems = [ErrorItem(location="id", message=message)]
        else:
            loaded, problems = await _load(view, text)
            if loaded is not None:
                raise view.redirect(f"/console/campaigns/{campaign_id}?done=loaded")
    return await _overview(view, problems=problems, status=422)


async def _overview(
    view: View, *, notice: str | None = None, problems: list[ErrorItem] | None = None,
    status: int = 200, open_refused: bool = False,
) -> web.StreamResponse:  # fmt: skip
    campaign_id = view.request.match_info["campaign_id"]
    campaign: CampaignOut = await view.invoke("getCampaign", path={"campaign_id": campaign_id})
    reader = view.language.code
    return view.render(
        "campaign.html",
        title_in(campaign, reader),
        status=status,
        notice=notice,
        campaign=campaign,
        status_labels=STATUS_LABELS,
        by_language=[(language_name(row.value, reader), row) for row in campaign.by_language],
        by_channel=[
            (view.gettext(CHANNEL_NAMES.get(row.value, row.value)), row)
            for row in campaign.by_channel
        ],
        translations=[(language_name(row.language, reader), row) for row in campaign.translations],
        translations_ready=all(
            row.translated == row.total and row.state in READY for row in campaign.translations
        ),
        review_labels=REVIEW_LABELS,
        open_refused=open_refused,
        ready_states=READY,
        upload_action=f"/console/campaigns/{campaign_id}/upload",
        problems=file_mistakes(problems or [], view.language),
        problem_summary=_summary(view, problems or []),
        banners=await view.site.banners_for(view),
    )


async def _new_page(view: View, problems: list[ErrorItem], status: int = 200) -> web.StreamResponse:
    return view.render(
        "campaign_new.html",
        view.gettext("New campaign"),
        status=status,
        upload_action="/console/campaigns/new",
        problems=file_mistakes(problems, view.language),
        problem_summary=_summary(view, problems),
        banners=await view.site.banners_for(view),
    )


def _survey_text(view: View, form: Form) -> tuple[str | bytes | None, list[ErrorItem]]:
    """The uploaded file as text, or a workbook's bytes (an XLSForm), or why there is none."""
    content = form.file("survey")
    if not content:
        return None, [ErrorItem(location="(file)", message=view.gettext("Choose a survey file."))]
    if looks_like_workbook(content):
        return content, []
    try:
        return content.decode("utf-8"), []
    except UnicodeDecodeError:
        message = view.gettext("The file is not UTF-8 text: save it as UTF-8 and upload it again.")
        return None, [ErrorItem(location="(file)", message=message)]


async def _survey_id(text: str | bytes) -> str | None:
    """The campaign id the file names; None when it cannot be read (loading it says why)."""
    if isinstance(text, bytes):
        survey = (await asyncio.to_thread(import_workbook, text)).survey
        return survey.id if survey is not None else None
    try:
        return parse(text).id
    except SurveyDefinitionError:
        return None


async def _load(view: View, text: str | bytes) -> tuple[CampaignOut | None, list[ErrorItem]]:
    """The campaign as stored, or every mistake the API found (with its line)."""
    try:
        loaded: CampaignOut = await view.invoke("loadCampaign", body=text)
    except ApiError as error:
        if error.kind not in (INVALID_SURVEY, CONFLICT):
            raise
        return None, list(error.errors or [ErrorItem(location="(file)", message=error.detail)])
    return loaded, []


def _summary(view: View, problems: list[ErrorItem]) -> str:
    if not problems:
        return ""
    return view.language.ngettext(
        "Nothing was changed: the file has %(count)s mistake.",
        "Nothing was changed: the file has %(count)s mistakes.",
        len(problems),
    ) % {"count": view.language.number(len(problems))}


@pages.post("/console/campaigns/{campaign_id}/open", permission=Permission.CAMPAIGNS_MANAGE)
async def open_campaign(view: View) -> web.StreamResponse:
    """Opened when every language is ready; else refused with what each lacks. Ticking the
    box asks once more, naming the languages, before machine-drafted text goes out."""
    form = await view.form()
    campaign_id = view.request.match_info["campaign_id"]
    accepted = form.get("accept_machine_drafted")
    if accepted == "yes":
        return await _confirm_drafts(view, campaign_id)
    query = {"accept_machine_drafted": "true"} if accepted == "confirmed" else {}
    try:
        await view.invoke("openCampaign", path={"campaign_id": campaign_id}, query=query)
    except ApiError as error:
        if error.kind is not UNREVIEWED_TRANSLATIONS:
            raise
        return await _overview(view, status=409, open_refused=True)
    raise view.redirect(f"/console/campaigns/{campaign_id}?done=opened")


async def _confirm_drafts(view: View, campaign_id: str) -> web.StreamResponse:
    campaign: CampaignOut = await view.invoke("getCampaign", path={"campaign_id": campaign_id})
    reader = view.language.code
    lacking = [
        language_name(row.language, reader)
        for row in campaign.translations
        if row.translated < row.total or row.state not in READY
    ]
    return view.render(
        "confirm.html",
        view.gettext("Open with machine-drafted text?"),
        question=view.gettext(
            "People choosing %(languages)s will read text no native speaker has reviewed, or "
            "some of it in the default language. The campaign is marked as such wherever "
            "your team sees it.",
            languages=", ".join(lacking),
        ),
        action=f"/console/campaigns/{campaign_id}/open",
        fields={"accept_machine_drafted": "confirmed"},
        confirm=view.gettext("Open it as it is"),
        back=f"/console/campaigns/{campaign_id}",
        banners=await view.site.banners_for(view),
    )


@pages.post("/console/campaigns/{campaign_id}/close", permission=Permission.CAMPAIGNS_MANAGE)
async def close_campaign(view: View) -> web.StreamResponse:
    return await _set_status(view, "closeCampaign", "closed")


async def _set_status(view: View, operation_id: str, done: str) -> web.StreamResponse:
    await view.form()
    campaign_id = view.request.match_info["campaign_id"]
    await view.invoke(operation_id, path={"campaign_id": campaign_id})
    raise view.redirect(f"/console/campaigns/{campaign_id}?done={done}")


def title_in(campaign: CampaignOut, language: str) -> str:
    """The campaign's title in the reader's language when it has one, else its first."""
    if language in campaign.title:
        return campaign.title[language]
    return next(iter(campaign.title.values()), campaign.id)


def language_name(code: str, reader: str) -> str:
    """A language's name in the reader's language ("Swahili", "swahili"), else its code."""
    try:
        return Locale.parse(code).get_display_name(reader) or code
    except (ValueError, UnknownLocaleError):
        return code
