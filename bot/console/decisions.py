"""A campaign's decisions: the list (status, versions, published, progress), one decision's
page (the exact notice each language reads, who would be told by language and channel, who
not and why, the publication's progress with its ETA, the reactions and concerns), and
publishing behind an explicit confirmation. The form that composes a decision is
`bot.console.decision_form`."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from babel import Locale, UnknownLocaleError

from bot.access.roles import Permission
from bot.api.operations.decision_models import DecisionDetailOut, ProgressOut, PublishOut
from bot.api.operations.decision_preview import PreviewOut
from bot.api.operations.loop import DecisionOut, DecisionPage
from bot.api.problems import CONFLICT, MISSING_TRANSLATIONS, ApiError
from bot.console.declare import Pages
from bot.console.i18n import N_
from bot.console.view import View
from bot.conversation.decisions.decision import DecisionStatus
from bot.loop.publisher import PublicationStatus
from bot.settings.limits import WhatsAppLimits

pages = Pages()
MAX_LISTED = 500  # decisions shown on a campaign's list (a campaign has a handful)

STATUS_LABELS = {
    DecisionStatus.ADOPTED: N_("adopted"),
    DecisionStatus.PARTLY_ADOPTED: N_("partly adopted"),
    DecisionStatus.NOT_ADOPTED: N_("not adopted"),
    DecisionStatus.UNDER_REVIEW: N_("under review"),
}
PUBLICATION_LABELS = {
    PublicationStatus.PLANNING.value: N_("planning"),
    PublicationStatus.REFUSED.value: N_("refused: a translation is missing"),
    PublicationStatus.PUBLISHING.value: N_("publishing"),
    # Every notice handed to its channel (the channel's own delivery is not known here).
    PublicationStatus.DONE.value: N_("all handed to their channel"),
    "not published": N_("not published"),
}
CHANNEL_LABELS = {"telegram": N_("Telegram"), "whatsapp": N_("WhatsApp"), "webchat": N_("Web chat")}
EXCLUSION_LABELS = {
    "no_consent": N_("did not ask to hear back"),
    "consent_outdated": N_("agreed to an older wording of the question: asked again first"),
    "opted_out": N_("said stop"),
    "erased": N_("erased their data"),
    "unreachable": N_("cannot be reached (blocked Sauti, or refused by the platform)"),
    "hidden": N_("left with a quick exit"),
    "already told": N_("already told this version"),
}
MISSING_LABELS = {  # the completeness check's items, by field
    "title": N_("no title in this language"),
    "message": N_("no message in this language: its readers would get another language's"),
    "rationale": N_("no rationale in this language: people are owed why"),
}
DONE = {
    "published": N_("Publishing has started: the notices go out at the channels' pace."),
    "saved": N_("The decision is saved."),
    "already": N_("This version was published already: nothing new was sent."),
}


def decision_path(view: View) -> dict[str, str]:
    info = view.request.match_info
    return {"campaign_id": info["campaign_id"], "decision_id": info["decision_id"]}


def in_language(texts: dict[str, str], language: str) -> str:
    """A text in the reader's language when the decision has it, else its first."""
    return texts.get(language) or next(iter(texts.values()), "")


def labels(view: View) -> dict[str, Any]:
    """What the decision templates need to name statuses, channels and reasons."""
    return {
        "status_labels": STATUS_LABELS,
        "publication_labels": PUBLICATION_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "exclusion_labels": EXCLUSION_LABELS,
        "withheld": view.gettext("fewer than %(n)s", n=view.services.min_cell),
        "missing_labels": MISSING_LABELS,
        "label": lambda found, key, fallback=None: _label(view, found, key, fallback),
        "in_language": in_language,
        "language_name": lambda code: language_name(code, view.language.code),
    }


def _label(view: View, found: Mapping[str, str], key: str, fallback: str | None) -> str:
    """The translated label of `key`, else the fallback (or the key) untranslated: only the
    catalogue's own ids go through gettext, whose result a template takes as safe HTML."""
    if key in found:
        return view.gettext(found[key])
    return key if fallback is None else fallback


def language_name(code: str, reader: str) -> str:
    """A campaign language's name in the reader's language ("Swahili", "swahili")."""
    try:
        name = Locale.parse(code).get_display_name(reader)
    except (ValueError, UnknownLocaleError):
        return code
    return name or code


@pages.get("/console/campaigns/{campaign_id}/decisions", permission=Permission.LOOP_READ)
async def decision_list(view: View) -> web.StreamResponse:
    campaign_id = view.request.match_info["campaign_id"]
    campaign = await view.invoke("getCampaign", path={"campaign_id": campaign_id})
    decisions: list[DecisionOut] = []
    cursor: str | None = None
    while len(decisions) < MAX_LISTED:
        query = {"campaign": campaign_id, "limit": "100", **({"cursor": cursor} if cursor else {})}
        page: DecisionPage = await view.invoke("listDecisions", query=query)
        decisions += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    progress: dict[str, ProgressOut] = {}
    for decision in decisions:
        if decision.published_version:
            path = {"campaign_id": campaign_id, "decision_id": decision.id}
            progress[decision.id] = await view.invoke("getDecisionProgress", path=path)
    return view.render(
        "decisions.html",
        view.gettext("Decisions"),
        campaign=campaign,
        decisions=decisions,
        progress=progress,
        banners=await view.site.banners_for(view),
        **labels(view),
    )


@pages.get(
    "/console/campaigns/{campaign_id}/decisions/{decision_id}", permission=Permission.LOOP_READ
)
async def decision_page(view: View) -> web.StreamResponse:
    path = decision_path(view)
    # The operations run at once: the page is mostly their round trips to Redis.
    decision, preview, reactions = await asyncio.gather(
        view.invoke("getDecision", path=path),
        _preview(view, path),
        view.invoke("getDecisionReactions", path=path),
    )
    progress: ProgressOut | None = None
    if decision.published_version:
        progress = await view.invoke("getDecisionProgress", path=path)
    done = DONE.get(view.request.query.get("done", ""))
    return view.render(
        "decision.html",
        in_language(decision.title, view.language.code),
        notice=view.gettext(done) if done else None,
        decision=decision,
        preview=preview,
        progress=progress,
        reactions=reactions,
        whatsapp_body_chars=WhatsAppLimits().max_body_chars,
        banners=await view.site.banners_for(view),
        **labels(view),
    )


async def _preview(view: View, path: dict[str, str]) -> PreviewOut | None:
    """The kept preview (a new count started when it is stale), for those who draft."""
    if not view.may(Permission.DECISIONS_DRAFT):
        return None
    preview: PreviewOut = await view.invoke("previewDecision", path=path)
    return preview


PUBLISH = "/console/campaigns/{campaign_id}/decisions/{decision_id}/publish"


@pages.get(PUBLISH, permission=Permission.DECISIONS_PUBLISH)
async def publish_confirmation(view: View) -> web.StreamResponse:
    return await _confirmation(view)


async def _confirmation(view: View, problem: str | None = None) -> web.StreamResponse:
    path = decision_path(view)
    decision: DecisionDetailOut = await view.invoke("getDecision", path=path)
    # The counts the confirmation names are current ones (counted now unless they were a
    # moment ago), never a kept count from before the last answers or edit.
    preview: PreviewOut = await view.invoke("previewDecision", path=path, query={"current": "true"})
    return view.render(
        "decision_publish.html",
        view.gettext("Publish this decision?"),
        status=400 if problem else 200,
        problem=problem,
        decision=decision,
        preview=preview,
        already=decision.published_version == decision.version,
        banners=await view.site.banners_for(view),
        **labels(view),
    )


@pages.post(PUBLISH, permission=Permission.DECISIONS_PUBLISH)
async def publish(view: View) -> web.StreamResponse:
    form = await view.form()
    if form.get("confirm") != "yes":
        return await _confirmation(view, view.gettext("Tick the box to confirm: nothing was sent."))
    confirmed = form.get("version")
    if not confirmed.isdigit() or not 1 <= int(confirmed) <= 2**31:
        return await _confirmation(view, view.gettext(_CHANGED))
    path = decision_path(view)
    body = {
        "allow_missing_translations": form.get("allow_missing_translations") == "yes",
        "version": int(confirmed),  # what the page showed is what is sent, or nothing is
    }
    try:
        published: PublishOut = await view.invoke("publishDecision", path=path, body=body)
    except ApiError as error:
        if error.kind is CONFLICT:
            return await _confirmation(view, view.gettext(_CHANGED))
        if error.kind is MISSING_TRANSLATIONS:
            return await _confirmation(view, view.gettext(_LACKING))
        raise
    where = f"/console/campaigns/{path['campaign_id']}/decisions/{path['decision_id']}"
    raise view.redirect(f"{where}?done={'already' if published.already_published else 'published'}")


_CHANGED = N_(
    "This decision changed since this page was opened: another version was saved. Nothing was "
    "sent. Check what would be sent now, and confirm again."
)
_LACKING = N_(
    "Some people to tell read a language this decision lacks: nothing was sent. Add the "
    "missing texts, or tick the box to send them the default language's text."
)
