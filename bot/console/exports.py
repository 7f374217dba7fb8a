"""A campaign's exports: what the signed-in role may download, chosen on one page, and the
download links themselves.

Everyone who reads results may download them aggregated (`exportResults`: CSV or XLSX, a
breakdown, the survey's texts in one of its languages; small cells withheld). Only a role that
may export responses (`exportResponses`) sees the personal-level files, with a warning that
they hold personal data and that the download is recorded; the operation refuses anyone else
anyway. A download is a plain GET form: the console route runs the same operation for the
signed-in person and streams its file as the API does (bot.api.files), audit included.
"""

from __future__ import annotations

from aiohttp import web
from babel import Locale, UnknownLocaleError

from bot.access.roles import Permission
from bot.api.declare import FileStream
from bot.api.files import stream_file
from bot.api.operations.campaigns import CampaignOut
from bot.api.operations.results_export import BreakdownsOut
from bot.console.campaigns import title_in
from bot.console.declare import Pages
from bot.console.site import SECURITY_HEADERS
from bot.console.view import View

pages = Pages()
MAX_QUESTION_CHARS = 70  # a question's text as a breakdown's choice: its start


@pages.get("/console/campaigns/{campaign_id}/exports", permission=Permission.RESULTS_READ)
async def exports(view: View) -> web.StreamResponse:
    campaign_id = view.request.match_info["campaign_id"]
    path = {"campaign_id": campaign_id}
    campaign: CampaignOut = await view.invoke("getCampaign", path=path)
    breakdowns: BreakdownsOut = await view.invoke("listBreakdowns", path=path)
    reader = view.language.code
    questions = [
        (item.by, _shortened(item.text.get(reader) or next(iter(item.text.values()), item.by)))
        for item in breakdowns.items
        if item.kind == "question"
    ]
    return view.render(
        "exports.html",
        view.gettext("Exports"),
        campaign=campaign,
        campaign_title=title_in(campaign, reader),
        languages=[(code, _language_name(code, reader)) for code in campaign.languages],
        questions=questions,
        minimum=view.services.min_cell,
        banners=await view.site.banners_for(view),
    )


@pages.get("/console/campaigns/{campaign_id}/exports/results", permission=Permission.RESULTS_READ)
async def download_results(view: View) -> web.StreamResponse:
    return await _download(view, "exportResults", ("format", "by", "language"))


@pages.get(
    "/console/campaigns/{campaign_id}/exports/responses", permission=Permission.EXPORTS_CREATE
)
async def download_responses(view: View) -> web.StreamResponse:
    return await _download(view, "exportResponses", ("format", "language"))


async def _download(view: View, operation_id: str, names: tuple[str, ...]) -> web.StreamResponse:
    """The operation's file for the signed-in person, from the form's fields (an empty one is
    not given: "no breakdown"). A refusal before the first byte is an error page."""
    sent = view.request.query
    query = {name: sent[name] for name in names if sent.get(name)}
    path = {"campaign_id": view.request.match_info["campaign_id"]}
    found: FileStream = await view.invoke(operation_id, path=path, query=query)
    return await stream_file(view.request, found, headers=SECURITY_HEADERS)


def _language_name(code: str, reader: str) -> str:
    """A campaign language's name in the reader's language ("swahili" in French), else its code."""
    try:
        name = Locale.parse(reader).languages.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    return f"{name[:1].upper()}{name[1:]} ({code})" if name else code


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_QUESTION_CHARS:
        return text
    return text[: MAX_QUESTION_CHARS - 1].rstrip() + "…"
