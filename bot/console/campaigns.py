"""The campaigns: the organisation's list (the console's home), and one campaign's overview
with the ways into its results, free text, decisions and exports (each shown only to a role
that may open it)."""

from __future__ import annotations

from aiohttp import web

from bot.access.roles import Permission
from bot.api.operations.campaigns import CampaignOut, CampaignPage
from bot.console.declare import Pages
from bot.console.i18n import N_
from bot.console.view import View
from bot.conversation.campaign import CampaignStatus

pages = Pages()
STATUS_LABELS = {CampaignStatus.OPEN: N_("open"), CampaignStatus.CLOSED: N_("closed")}
DONE = {  # what the page says after a change it made (`?done=`)
    "opened": N_("The campaign is open: people can join and answer."),
    "closed": N_("The campaign is closed: nobody can answer any more."),
}
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


@pages.get("/console/campaigns/{campaign_id}", permission=Permission.CAMPAIGNS_READ)
async def campaign_overview(view: View) -> web.StreamResponse:
    campaign_id = view.request.match_info["campaign_id"]
    campaign: CampaignOut = await view.invoke("getCampaign", path={"campaign_id": campaign_id})
    done = DONE.get(view.request.query.get("done", ""))
    return view.render(
        "campaign.html",
        title_in(campaign, view.language.code),
        notice=view.gettext(done) if done else None,
        campaign=campaign,
        status_labels=STATUS_LABELS,
        banners=await view.site.banners_for(view),
    )


@pages.post("/console/campaigns/{campaign_id}/open", permission=Permission.CAMPAIGNS_MANAGE)
async def open_campaign(view: View) -> web.StreamResponse:
    return await _set_status(view, "openCampaign", "opened")


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
