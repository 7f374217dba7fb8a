"""The grievance desk: the cases list (safety-flagged first, then urgent, then overdue, with the
time left to answer each; filtered by status, category and campaign), one case (what the participant
wrote — an audited read —, its steps, and a form to step it that tells the participant in
their language) and the desk report. Every figure and every change is the API's own
(listCases, getCase, stepCase, getCaseReport)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.access.roles import Permission
from bot.api.operations.campaigns import CampaignOut, CampaignPage
from bot.api.operations.case_report import CaseReportOut
from bot.api.operations.cases import CaseDetail, CaseOut, CasePage, StepOut
from bot.api.problems import ApiError
from bot.console.declare import Pages
from bot.console.i18n import N_
from bot.console.problems import explain
from bot.console.view import Banner, View
from bot.records.cases import NEXT, UNCATEGORISED, CaseStatus, Category, Urgency

pages = Pages()
PAGE_SIZE = "50"
MAX_CAMPAIGNS = "100"  # campaigns offered in the filter (the API's largest page)

STATUS_LABELS = {
    CaseStatus.RECEIVED: N_("received"),
    CaseStatus.UNDER_REVIEW: N_("under review"),
    CaseStatus.RESOLVED: N_("resolved"),
    CaseStatus.ESCALATED: N_("escalated"),
    CaseStatus.REOPENED: N_("reopened"),
}
CATEGORY_LABELS = {
    Category.ACCESS.value: N_("Access and coverage"),
    Category.BILLING.value: N_("Billing and mobile money"),
    Category.CONDUCT.value: N_("Staff and agent conduct"),
    Category.PRIVACY.value: N_("Privacy and personal data"),
    Category.LAND.value: N_("Sites, land and environment"),
    Category.SAFETY.value: N_("Safety"),
    Category.OTHER.value: N_("Other"),
    UNCATEGORISED: N_("Not categorised"),
    "all": N_("All cases"),
}
URGENCY_LABELS = {
    Urgency.NORMAL: N_("normal"),
    Urgency.URGENT: N_("urgent"),
    Urgency.SAFETY: N_("safety at stake"),
}
CHANNEL_LABELS = {"webchat": N_("Web chat"), "telegram": "Telegram", "whatsapp": "WhatsApp"}
KIND_LABELS = {"feedback": N_("feedback"), "concern": N_("concern about a decision")}
# How the participant heard of a step (StepOut.delivered), as the page says it.
TOLD = {
    "inbox": N_("The participant will read it in their web chat."),
    "outbox": N_("The message is on its way to the participant."),
    "stop": N_("Not sent: the participant asked for no more messages."),
    "exit": N_("Not sent: the participant left with a quick exit."),
    "erased": N_("Not sent: the participant erased their data."),
    "retention": N_("Not sent: who raised it was removed after the retention period."),
}


@pages.get("/console/cases", permission=Permission.CASES_READ)
async def desk(view: View) -> web.StreamResponse:
    asked = view.request.query
    filters = {
        name: asked[name]
        for name in ("status", "category", "campaign")
        if asked.get(name, "").strip()
    }
    query = {"limit": PAGE_SIZE, **filters}
    if asked.get("cursor"):
        query["cursor"] = asked["cursor"]
    page: CasePage = await view.invoke("listCases", query=query)
    following = None
    if page.next_cursor is not None:
        following = urlencode({**filters, "cursor": page.next_cursor})
    return view.render(
        "cases.html",
        view.gettext("Grievance desk"),
        cases=page.items,
        moved=page.moved,
        filters=filters,
        following=following,
        campaigns=await _campaigns(view),
        **_labels(view),
        banners=await view.site.banners_for(view),
    )


# Declared before the case's own page: "report" is no case reference.
@pages.get("/console/cases/report", permission=Permission.CASES_READ)
async def report(view: View) -> web.StreamResponse:
    campaign = view.request.query.get("campaign", "").strip()
    found: CaseReportOut = await view.invoke(
        "getCaseReport", query={"campaign": campaign} if campaign else {}
    )
    return view.render(
        "case_report.html",
        view.gettext("Grievance desk report"),
        report=found,
        campaign=campaign,
        campaigns=await _campaigns(view),
        days=lambda seconds: _days(view, seconds),
        **_labels(view),
        banners=await view.site.banners_for(view),
    )


@pages.get("/console/cases/{reference}", permission=Permission.CASES_READ)
async def case_page(view: View) -> web.StreamResponse:
    done = view.request.query.get("told", "")
    notice = None
    if view.request.query.get("done") == "stepped":
        notice = view.gettext("The case moved on.")
        if done in TOLD:
            notice += " " + view.gettext(TOLD[done])
    return await _case(view, notice=notice)


@pages.post("/console/cases/{reference}/steps", permission=Permission.CASES_STEP)
async def step(view: View) -> web.StreamResponse:
    form = await view.form()
    reference = view.request.match_info["reference"]
    body: dict[str, Any] = {"status": form.get("status"), "message": form.get("message")}
    for name in ("category", "urgency"):
        if form.get(name):
            body[name] = form.get(name)
    if form.get("expected_steps").isdigit():
        body["expected_steps"] = int(form.get("expected_steps"))
    try:
        stepped: StepOut = await view.invoke("stepCase", path={"reference": reference}, body=body)
    except ApiError as error:
        # The page again, with the problem and everything they wrote kept.
        explained = explain(error, view.language)
        return await _case(
            view, problem=explained.message, problems=explained.mistakes,
            kept=dict(form.fields.items()), status=error.kind.status,
        )  # fmt: skip
    told = _told(stepped.delivered)
    raise view.redirect(f"/console/cases/{stepped.case.reference}?done=stepped&told={told}")


async def _case(
    view: View,
    *,
    notice: str | None = None,
    problem: str | None = None,
    problems: Sequence[str] = (),
    kept: Mapping[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    reference = view.request.match_info["reference"]
    case: CaseDetail = await view.invoke("getCase", path={"reference": reference})
    language = view.site.languages.get(case.language)
    return view.render(
        "case.html",
        view.gettext("Case %(reference)s", reference=case.reference),
        status=status,
        notice=notice,
        case=case,
        next_statuses=sorted(NEXT[case.status], key=list(CaseStatus).index),
        categories=[category.value for category in Category],
        urgencies=list(Urgency),
        language_name=language.name if language is not None else case.language,
        problem=problem,
        problems=list(problems),
        kept=kept or {},
        **_labels(view),
        banners=await view.site.banners_for(view),
    )


def _labels(view: View) -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "category_labels": CATEGORY_LABELS,
        "urgency_labels": URGENCY_LABELS,
        "kind_labels": KIND_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "countdown": lambda case: countdown(view, case),
        "withheld": view.gettext("fewer than %(n)s", n=view.services.min_cell),
    }


async def _campaigns(view: View) -> list[CampaignOut]:
    """The campaigns to filter by (a role that may not list campaigns filters by none)."""
    if not view.may(Permission.CAMPAIGNS_READ):
        return []
    page: CampaignPage = await view.invoke("listCampaigns", query={"limit": MAX_CAMPAIGNS})
    return page.items


def countdown(view: View, case: CaseOut) -> str:
    """The time left to answer, in days and hours; once overdue, by how much."""
    left = case.due_in_seconds
    if left is None:
        return view.gettext("no answer owed now")
    hours = abs(left) // 3600
    time = view.gettext("%(days)s d %(hours)s h", days=hours // 24, hours=hours % 24)
    if left < 0:
        return view.gettext("Overdue by %(time)s", time=time)
    return view.gettext("%(time)s left", time=time)


def _days(view: View, seconds: int | None) -> str:
    """A time of the report, in days with one decimal ("–" when too few cases)."""
    if seconds is None:
        return "–"
    return view.language.number(round(seconds / 86400, 1))


def _told(delivered: str) -> str:
    """StepOut.delivered as one of TOLD's keys."""
    for key, words in (
        ("inbox", "web chat inbox"),
        ("outbox", "reply outbox"),
        ("stop", "said stop"),
        ("exit", "quick exit"),
        ("erased", "erased"),
        ("retention", "retention"),
    ):
        if words in delivered:
            return key
    return ""


async def safety_banner(view: View) -> Sequence[Banner]:
    """Open cases where someone's safety is at stake, above every page of those who answer
    them (the desk lists them first)."""
    if not view.may(Permission.CASES_READ):
        return []
    flagged = await _open_safety_cases(view)
    if not flagged:
        return []
    text = view.language.ngettext(
        "%(n)s open case puts someone's safety at stake.",
        "%(n)s open cases put someone's safety at stake.",
        flagged,
    ) % {"n": flagged}
    return [Banner(text, "/console/cases", view.gettext("Open the desk"), urgent=True)]


async def _open_safety_cases(view: View) -> int:
    """How many open cases of the organisation are flagged `safety`: the desk's own count,
    read from its index on every page, so it is never behind a step."""
    page: CasePage = await view.invoke("listCases", query={"limit": "1"})
    return page.open_safety
