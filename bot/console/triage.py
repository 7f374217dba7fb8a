"""Free-text triage: a campaign's free-text answers, newest first, with filters; each answer's
themes (add, remove), urgent and safety flags, its link to a decision and, when flagged safety,
its open alert to acknowledge. And the banner every page shows while the organisation has open
safety alerts.

Beside each answer, for those who tag, the themes suggested for it (`suggestThemes`, learnt
from the answers already tagged) with Accept and Dismiss (`decideThemeSuggestion`); the page says
when no theme has enough tagged answers to be suggested yet.

Everything goes through the API's operations (`listTriage`, `markTriageItem`, `tagAnswer`,
`acknowledgeAlert`, `listAlerts`, `suggestThemes`, `decideThemeSuggestion`): the same
permission checks and the same audit entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from bot.access.roles import Permission
from bot.api.operations.alerts import AlertsOut
from bot.api.operations.campaigns import CampaignOut
from bot.api.operations.loop import DecisionOut, DecisionPage
from bot.api.operations.theme_suggestions import SuggestionPage
from bot.api.operations.triage import TriagePage
from bot.console.campaigns import title_in
from bot.console.declare import Pages
from bot.console.i18n import N_
from bot.console.view import Banner, Form, View

pages = Pages()
PAGE_SIZE = "20"
FILTERS = ("flag", "theme", "decision", "cursor")  # what the page's address may say
FLAG_LABELS = {
    "": N_("All answers"),
    "urgent": N_("Flagged urgent"),
    "safety": N_("Flagged as a safety concern"),
    "unflagged": N_("Not flagged"),
}
DONE = {  # what the page says after a change it made (`?done=`)
    "urgent-on": N_("The answer is flagged urgent."),
    "urgent-off": N_("The answer is no longer flagged urgent."),
    "safety-on": N_("The answer is flagged as a safety concern: the organisation sees an alert."),
    "safety-off": N_("The safety flag is cleared, and its alert closed."),
    "linked": N_("The link to a decision is saved."),
    "themes": N_("The themes are saved."),
    "acknowledged": N_("The safety alert is acknowledged."),
    "accepted": N_("The suggested theme is added."),
    "dismissed": N_("The suggestion is dismissed: it will not be suggested for this answer again."),
}
_THEMES = re.compile(r"[\s,]+")


@pages.get("/console/campaigns/{campaign_id}/triage", permission=Permission.RESPONSES_READ)
async def triage_queue(view: View) -> web.StreamResponse:
    campaign_id = view.request.match_info["campaign_id"]
    campaign: CampaignOut = await view.invoke("getCampaign", path={"campaign_id": campaign_id})
    shown = _filters(view.request.query.items())
    found: TriagePage = await view.invoke(
        "listTriage", path={"campaign_id": campaign_id}, query={"limit": PAGE_SIZE, **shown}
    )
    decisions = await _decisions(view, campaign_id)
    suggested = await _suggestions(view, campaign_id, shown)
    done = DONE.get(view.request.query.get("done", ""))
    following = {k: v for k, v in shown.items() if k != "cursor"}
    return view.render(
        "triage.html",
        view.gettext("Free-text triage"),
        notice=view.gettext(done) if done else None,
        campaign=campaign,
        campaign_title=title_in(campaign, view.language.code),
        page=found,
        shown=shown,
        back=urlencode(shown),
        flag_labels=FLAG_LABELS,
        decisions=decisions,
        suggested=suggested,
        suggestions={item.response_id: item.suggestions for item in suggested.items}
        if suggested
        else {},
        next_query=urlencode({**following, "cursor": found.next_cursor})
        if found.next_cursor
        else None,
        first_query=urlencode(following) if "cursor" in shown else None,
        anchor=anchor,
        banners=await view.site.banners_for(view),
    )


@pages.post("/console/campaigns/{campaign_id}/triage/mark", permission=Permission.THEMES_WRITE)
async def mark(view: View) -> web.StreamResponse:
    form = await view.form()
    campaign_id = view.request.match_info["campaign_id"]
    response_id = form.get("response_id")
    body: dict[str, object] = {"response_id": response_id}
    done = None
    for flag in ("urgent", "safety"):
        if form.get(flag) in ("on", "off"):
            body[flag] = form.get(flag) == "on"
            done = f"{flag}-{form.get(flag)}"
    if "link" in form.fields:
        body["decision"] = form.get("link")
        done = "linked"
    if done is None:
        raise view.redirect(_back(campaign_id, form, response_id))
    await view.invoke("markTriageItem", path={"campaign_id": campaign_id}, body=body)
    raise view.redirect(_back(campaign_id, form, response_id, done))


@pages.post("/console/campaigns/{campaign_id}/triage/themes", permission=Permission.THEMES_WRITE)
async def themes(view: View) -> web.StreamResponse:
    form = await view.form()
    campaign_id = view.request.match_info["campaign_id"]
    response_id = form.get("response_id")
    added = [theme for theme in _THEMES.split(form.get("add")) if theme]
    removed = [theme for theme in form.getall("remove") if theme]
    if added or removed:
        body = {"response_id": response_id, "add": added, "remove": removed}
        await view.invoke("tagAnswer", path={"campaign_id": campaign_id}, body=body)
        raise view.redirect(_back(campaign_id, form, response_id, "themes"))
    raise view.redirect(_back(campaign_id, form, response_id))


@pages.post(
    "/console/campaigns/{campaign_id}/triage/suggestion", permission=Permission.THEMES_WRITE
)
async def suggestion(view: View) -> web.StreamResponse:
    """Accept (the theme is added) or dismiss one suggested theme."""
    form = await view.form()
    campaign_id = view.request.match_info["campaign_id"]
    response_id = form.get("response_id")
    choice = form.get("decision")
    if choice not in ("accept", "dismiss"):
        raise view.redirect(_back(campaign_id, form, response_id))
    body = {"response_id": response_id, "theme": form.get("theme"), "accept": choice == "accept"}
    await view.invoke("decideThemeSuggestion", path={"campaign_id": campaign_id}, body=body)
    done = "accepted" if choice == "accept" else "dismissed"
    raise view.redirect(_back(campaign_id, form, response_id, done))


@pages.post(
    "/console/campaigns/{campaign_id}/triage/acknowledge", permission=Permission.THEMES_WRITE
)
async def acknowledge(view: View) -> web.StreamResponse:
    form = await view.form()
    campaign_id = view.request.match_info["campaign_id"]
    response_id = form.get("response_id")
    body = {"response_id": response_id}
    await view.invoke("acknowledgeAlert", path={"campaign_id": campaign_id}, body=body)
    raise view.redirect(_back(campaign_id, form, response_id, "acknowledged"))


async def safety_banners(view: View) -> list[Banner]:
    """One banner per campaign with open safety alerts: how many, to every role; a link to
    the flagged answers for those who may read them."""
    if not view.may(Permission.CAMPAIGNS_READ):
        return []
    found: AlertsOut = await view.invoke("listAlerts", query={"items": "false"})
    banners = []
    for campaign in found.campaigns:
        shown: CampaignOut = await view.invoke(
            "getCampaign", path={"campaign_id": campaign.campaign_id}
        )
        text = view.language.ngettext(
            "%(n)s safety alert is open in “%(campaign)s”.",
            "%(n)s safety alerts are open in “%(campaign)s”.",
            campaign.open,
        ) % {"n": campaign.open, "campaign": title_in(shown, view.language.code)}
        link = None
        if view.may(Permission.RESPONSES_READ):
            link = f"/console/campaigns/{campaign.campaign_id}/triage?flag=safety"
        banners.append(Banner(text, link, view.gettext("See the flagged answers"), urgent=True))
    return banners


def anchor(response_id: str) -> str:
    """The id of an answer's place on the page (a response id holds only letters, digits,
    `-`, `_` and one `/`)."""
    return "item-" + re.sub(r"[^A-Za-z0-9_-]", "-", response_id)


async def _decisions(view: View, campaign_id: str) -> list[DecisionOut]:
    """The campaign's decisions, for the link select (those who may change links)."""
    if not (view.may(Permission.THEMES_WRITE) and view.may(Permission.LOOP_READ)):
        return []
    found: DecisionPage = await view.invoke(
        "listDecisions", query={"campaign": campaign_id, "limit": "200"}
    )
    return found.items


async def _suggestions(
    view: View, campaign_id: str, shown: dict[str, str]
) -> SuggestionPage | None:
    """The themes suggested for this page's answers (those who may tag them)."""
    if not view.may(Permission.THEMES_WRITE):
        return None
    found: SuggestionPage = await view.invoke(
        "suggestThemes", path={"campaign_id": campaign_id}, query={"limit": PAGE_SIZE, **shown}
    )
    return found


def _filters(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The filters and cursor the address (or a form's `back`) names, empty ones left out."""
    return {name: value for name, value in pairs if name in FILTERS and value}


def _back(campaign_id: str, form: Form, response_id: str, done: str | None = None) -> str:
    """The page the change was made on, at the answer changed."""
    query = _filters(parse_qsl(form.get("back")))
    if done is not None:
        query["done"] = done
    where = f"/console/campaigns/{campaign_id}/triage"
    if query:
        where += f"?{urlencode(query)}"
    return f"{where}#{anchor(response_id)}"
