"""The organisation's audit log, newest first, a page at a time, filtered by who, what and
when (a GET form, so a filtered page can be bookmarked and shared), with whether its hash
chain verifies at the top. It runs the API's `listAudit` and `verifyAudit`: reading the log
here is recorded in it, as over the API."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.access.roles import Permission
from bot.api.operations.audit import AuditPageOut, VerificationOut
from bot.api.problems import ApiError
from bot.audit import AuditAction
from bot.console.declare import Pages
from bot.console.i18n import N_
from bot.console.problems import explain
from bot.console.view import View

pages = Pages()
PAGE_SIZE = "50"
FILTERS = ("actor", "action", "from", "to")
ACTION_LABELS = {
    AuditAction.SIGN_IN: N_("signed in"),
    AuditAction.SIGN_IN_FAILED: N_("sign-in refused"),
    AuditAction.SIGN_OUT: N_("signed out"),
    AuditAction.SIGN_OUT_EVERYWHERE: N_("signed out everywhere"),
    AuditAction.RESPONSES_READ: N_("read responses"),
    AuditAction.FREE_TEXT_READ: N_("read free text"),
    AuditAction.EXPORT_CREATED: N_("exported responses"),
    AuditAction.STAFF_ADDED: N_("added a member"),
    AuditAction.STAFF_INVITATION_ACCEPTED: N_("joined: accepted an invitation"),
    AuditAction.STAFF_REMOVED: N_("removed a member"),
    AuditAction.ROLE_CHANGED: N_("changed a role"),
    AuditAction.TOKEN_CREATED: N_("made a token"),
    AuditAction.TOKEN_REVOKED: N_("revoked a token"),
    AuditAction.DECISION_PUBLISHED: N_("published a decision"),
    AuditAction.CASE_STEPPED: N_("stepped a case"),
    AuditAction.CAMPAIGN_LOADED: N_("loaded a campaign"),
    AuditAction.CAMPAIGN_OPENED: N_("opened a campaign"),
    AuditAction.CAMPAIGN_CLOSED: N_("closed a campaign"),
    AuditAction.AUDIT_READ: N_("read the audit log"),
    AuditAction.RETENTION_ERASED: N_("erased data past retention"),
}


@pages.get("/console/audit", permission=Permission.AUDIT_READ)
async def audit_log(view: View) -> web.StreamResponse:
    chosen = {name: view.request.query.get(name, "").strip() for name in FILTERS}
    query = {"order": "newest", "limit": PAGE_SIZE, **_filters(chosen)}
    cursor = view.request.query.get("cursor", "")
    if cursor:
        query["cursor"] = cursor
    verdict: VerificationOut = await view.invoke("verifyAudit")
    page: AuditPageOut | None = None
    problems: list[str] = []
    try:
        page = await view.invoke("listAudit", query=query)
    except ApiError as refused:  # a filter the log cannot take: the form says which
        explained = explain(refused, view.language)
        problems = explained.mistakes or [explained.message]
    return view.render(
        "audit.html",
        view.gettext("Audit log"),
        verdict=verdict,
        page=page,
        problems=problems,
        chosen=chosen,
        filtered=any(chosen.values()),
        action_labels=ACTION_LABELS,
        newest=[(name, value) for name, value in chosen.items() if value],
        older=_older(chosen, page.next_cursor) if page and page.next_cursor else None,
        banners=await view.site.banners_for(view),
    )


def _filters(chosen: Mapping[str, str]) -> dict[str, str]:
    """The API's query for what the form chose: an address alone names a staff member."""
    query = {name: value for name, value in chosen.items() if value}
    actor = query.get("actor", "")
    if "@" in actor and not actor.lower().startswith("staff:"):
        query["actor"] = f"staff:{actor}"
    return query


def _older(chosen: Mapping[str, str], cursor: str) -> list[tuple[str, str]]:
    """The next page's query: the same filters, further back."""
    return [*((name, value) for name, value in chosen.items() if value), ("cursor", cursor)]
