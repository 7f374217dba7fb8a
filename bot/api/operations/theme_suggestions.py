"""Suggested themes for free-text answers (bot.loop.theme_suggestions), which staff accept or
dismiss one by one: a suggestion is never applied on its own.

`GET /campaigns/{id}/themes/suggestions` takes the same query as `listTriage` and answers for
the answers of that same page, so a page of the queue and its suggestions line up. Learning
reads the words of the tagged answers, so it needs `themes:write` (the roles that tag, all of
which read responses), and each call is audited (`themes_suggested`: how many answers it
learnt from, which it suggested for). `POST /campaigns/{id}/themes/suggestions` accepts one
suggestion (the theme is tagged, as `tagAnswer` tags it) or dismisses it (it is not suggested
again for that answer); each is audited (`theme_suggestion_decided`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import Call, Operations
from bot.api.operations.common import CampaignPath, campaign_owned, pseudonyms_of
from bot.api.operations.responses import records_read
from bot.api.operations.themes import _refused, _themes
from bot.api.operations.triage import TriageQuery, _cursor, _position, _queue
from bot.api.problems import INVALID_CURSOR, NOT_FOUND, ApiError
from bot.conversation.campaign import Campaign
from bot.loop.theme_suggestions import dismiss, learnt_suggester, suggest
from bot.loop.themes import Responses, ThemeError
from bot.records.triage import TriageFilter
from bot.records.triage_marks import Marked

operations = Operations()


class SuggestionOut(BaseModel):
    theme: str
    confidence: float = Field(description="how sure the model is, from 0.5 to 1")


class AnswerSuggestionsOut(BaseModel):
    """The themes suggested for one free-text answer of the page."""

    response_id: str = Field(description="<pseudonym>/<question id>, as listTriage names it")
    themes: list[str] = Field(description="the themes it has now (never suggested)")
    suggestions: list[SuggestionOut] = Field(description="most likely first; at most three")


class TooFew(BaseModel):
    theme: str
    tagged: int = Field(description="answers tagged with it so far")


class SuggestionPage(BaseModel):
    """Suggestions for the answers of one page of the triage queue (only those with any). A
    theme is suggested once `minimum` answers are tagged with it and `minimum` without it."""

    minimum: int
    learnt_from: int = Field(description="tagged answers the suggestions were learnt from")
    ready: list[str] = Field(description="themes that can be suggested")
    too_few: list[TooFew] = Field(description="tagged themes not suggested yet, and why")
    items: list[AnswerSuggestionsOut]
    next_cursor: str | None


class SuggestionDecision(BaseModel):
    """Accept (tag the answer with the theme) or dismiss (never suggest it for that answer)."""

    model_config = ConfigDict(extra="forbid")

    response_id: str = Field(min_length=1, max_length=128, description="<pseudonym>/<question>")
    theme: str = Field(min_length=1, max_length=40)
    accept: bool


class DecidedSuggestion(BaseModel):
    response_id: str
    themes: list[str] = Field(description="the answer's themes now")
    accepted: bool


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/themes/suggestions",
    "suggestThemes",
    "Themes suggested for a page of free-text answers, learnt from those tagged",
    permission=Permission.THEMES_WRITE,
    path_model=CampaignPath,
    query=TriageQuery,
    response=SuggestionPage,
    errors=(NOT_FOUND, INVALID_CURSOR),
    tag="themes",
)
async def suggest_themes(call: Call) -> SuggestionPage:
    """Learnt for this request from the tagged answers among the newest 5,000 of the queue,
    in memory, and forgotten after it."""
    campaign = await _campaign(call)
    query = call.query_as(TriageQuery)
    after = _position(call, campaign.id, query.cursor)
    queue = await _queue(call, campaign)
    wanted = TriageFilter(flag=query.flag, theme=query.theme, decision=query.decision)
    found, following = await queue.page(after, query.limit, wanted)
    suggester = await learnt_suggester(queue)
    services = call.services
    suggested = [
        answer
        for answer in await suggest(services.redis, services.schema, campaign.id, suggester, found)
        if answer.suggestions
    ]
    readiness = suggester.readiness
    learnt = suggester.learnt_from
    await _audit(
        call,
        campaign.id,
        AuditAction.THEMES_SUGGESTED,
        len(suggested),
        {**(records_read([a.item.pseudonym for a in suggested]) or {}), "learnt": learnt},
    )
    return SuggestionPage(
        minimum=readiness.minimum,
        learnt_from=learnt,
        ready=list(readiness.ready),
        too_few=[TooFew(theme=theme, tagged=n) for theme, n in readiness.too_few.items()],
        items=[
            AnswerSuggestionsOut(
                response_id=answer.item.response_id,
                themes=list(answer.item.themes),
                suggestions=[
                    SuggestionOut(theme=s.theme, confidence=s.confidence)
                    for s in answer.suggestions
                ],
            )
            for answer in suggested
        ],
        next_cursor=_cursor(campaign.id, following),
    )


@operations.add(
    "POST",
    "/campaigns/{campaign_id}/themes/suggestions",
    "decideThemeSuggestion",
    "Accept a suggested theme (it is tagged) or dismiss it (it is not suggested again)",
    permission=Permission.THEMES_WRITE,
    path_model=CampaignPath,
    body=SuggestionDecision,
    response=DecidedSuggestion,
    errors=(NOT_FOUND,),
    tag="themes",
)
async def decide_theme_suggestion(call: Call) -> DecidedSuggestion:
    """A response id that names no free-text answer of the campaign, or a theme that is not
    one, is refused (422) with the field at fault; nothing is changed."""
    decision = call.body_as(SuggestionDecision)
    campaign = await _campaign(call)
    [theme] = _themes([decision.theme], "body.theme")
    services = call.services
    responses = Responses(services.redis, services.schema, campaign, await pseudonyms_of(call))
    response_id = decision.response_id.strip()
    try:
        answer = await responses.answer(response_id)
        if decision.accept:
            now = await responses.tag(response_id, [theme])
        else:
            if await dismiss(services.redis, services.schema, campaign.id, answer, theme) is (
                Marked.GONE
            ):
                raise ThemeError(f"no free-text answer {response_id} (erased, or withdrawn)")
            now = await responses.themes_of(response_id)
    except ThemeError as error:
        raise _refused("body.response_id", str(error), "unknown_answer", response_id) from None
    await _audit(
        call,
        campaign.id,
        AuditAction.THEME_SUGGESTION_DECIDED,
        1,
        {
            "response": response_id,
            "theme": theme,
            "to": "accepted" if decision.accept else "dismissed",
        },
    )
    return DecidedSuggestion(response_id=response_id, themes=list(now), accepted=decision.accept)


async def _campaign(call: Call) -> Campaign:
    campaign_id = call.path_as(CampaignPath).campaign_id
    await campaign_owned(call, campaign_id, Permission.THEMES_WRITE)
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    return campaign


async def _audit(
    call: Call, campaign_id: str, action: AuditAction, count: int, details: dict[str, str | int]
) -> None:
    caller = call.caller
    await call.services.audit.record(
        caller.org,
        actor=caller.actor,
        action=action,
        target=f"campaign:{campaign_id}",
        count=count,
        address=caller.address,
        details=details,
    )
