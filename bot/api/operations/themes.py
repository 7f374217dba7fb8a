"""Themes on free-text answers (bot.loop.themes), which decision rules link to.

`POST /campaigns/{id}/themes` tags (and untags) one free-text answer, named by the response id
the organisation sees: `<pseudonym>/<question id>`, the participant as the export and the
responses list name them. `GET /campaigns/{id}/themes` counts the answers per theme: an
aggregate, so each count goes through the suppression every aggregate does
(bot.records.suppression), a small one withheld as `null`.
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.access.roles import Permission
from bot.api.declare import Call, Operations
from bot.api.operations.common import CampaignPath, campaign_owned, pseudonyms_of
from bot.api.problems import INVALID_REQUEST, NOT_FOUND, ApiError, ErrorItem
from bot.conversation.campaign import Campaign
from bot.loop.themes import Responses, ThemeError, check_themes, theme_counts
from bot.records.suppression import suppress_counts

operations = Operations()

MAX_THEMES = 20  # per request: more than any one answer needs
Theme = str


class ThemeChange(BaseModel):
    """Themes to add to one free-text answer, and themes to take off it."""

    model_config = ConfigDict(extra="forbid")

    response_id: str = Field(
        min_length=1, max_length=128, description="<pseudonym>/<question id>, e.g. p-…/story"
    )
    add: list[Theme] = Field(
        default_factory=list,
        max_length=MAX_THEMES,
        description="lower-case letters, digits, - or _ (at most 40 characters each)",
    )
    remove: list[Theme] = Field(default_factory=list, max_length=MAX_THEMES)

    @model_validator(mode="after")
    def _says_something(self) -> ThemeChange:
        if not self.add and not self.remove:
            raise ValueError("give at least one theme to add or remove")
        return self


class AnswerThemes(BaseModel):
    """A free-text answer's themes, now."""

    response_id: str
    themes: list[Theme]


class ThemeCount(BaseModel):
    theme: Theme
    answers: int | None = Field(description="answers tagged with it; null: withheld")


class ThemeCounts(BaseModel):
    """Answers per theme over the campaign; a count below `minimum` is withheld (null)."""

    campaign_id: str
    minimum: int
    themes: list[ThemeCount]


async def _campaign(call: Call, permission: Permission) -> Campaign:
    campaign_id = call.path_as(CampaignPath).campaign_id
    await campaign_owned(call, campaign_id, permission)
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    return campaign


@operations.add(
    "POST",
    "/campaigns/{campaign_id}/themes",
    "tagAnswer",
    "Add or remove themes on one free-text answer",
    permission=Permission.THEMES_WRITE,
    path_model=CampaignPath,
    body=ThemeChange,
    response=AnswerThemes,
    errors=(NOT_FOUND,),
    tag="themes",
)
async def tag_answer(call: Call) -> AnswerThemes:
    """Themes in `add` are added, then those in `remove` taken off. A response id that is
    malformed, names nobody in the campaign, or a question that is not free text, is refused
    (422) with the field at fault; nothing is changed."""
    change = call.body_as(ThemeChange)
    campaign = await _campaign(call, Permission.THEMES_WRITE)
    added = _themes(change.add, "body.add")
    removed = _themes(change.remove, "body.remove")
    if set(added) & set(removed):
        raise _refused(
            "body.remove", "a theme cannot be both added and removed", "theme_both_ways", ""
        )
    services = call.services
    responses = Responses(services.redis, services.schema, campaign, await pseudonyms_of(call))
    try:
        await responses.answer(change.response_id)  # well-formed and found, before any change
        now: tuple[str, ...] = ()
        if added:
            now = await responses.tag(change.response_id, added)
        if removed:
            now = await responses.untag(change.response_id, removed)
    except ThemeError as error:
        raise _refused(
            "body.response_id", str(error), "unknown_answer", change.response_id
        ) from None
    return AnswerThemes(response_id=change.response_id.strip(), themes=list(now))


def _themes(themes: list[str], location: str) -> list[str]:
    try:
        return check_themes(themes)
    except ThemeError as error:
        raise _refused(location, str(error), "not_accepted", "") from None


def _refused(location: str, message: str, code: str, name: str) -> ApiError:
    """A 422 about one field; `code` says why (and `name` what was given) to a page in its
    reader's language."""
    item = ErrorItem(location=location, message=message, code=code, params={"name": name})
    return ApiError(INVALID_REQUEST, message, errors=[item])


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/themes",
    "countThemes",
    "Answers per theme, small counts withheld",
    permission=Permission.RESULTS_READ,
    path_model=CampaignPath,
    response=ThemeCounts,
    errors=(NOT_FOUND,),
    tag="themes",
)
async def count_themes(call: Call) -> ThemeCounts:
    """An answer may carry several themes, so the counts add up to nothing shown: each is
    withheld on its own when small. Shown counts come first, largest first; withheld ones
    follow by name, so their order says nothing of their size."""
    campaign = await _campaign(call, Permission.RESULTS_READ)
    services = call.services
    counts = await theme_counts(services.redis, services.schema, campaign.id)
    return ThemeCounts(
        campaign_id=campaign.id,
        minimum=services.min_cell,
        themes=_ordered(counts, services.min_cell),
    )


def _ordered(counts: Counter[str], minimum: int) -> list[ThemeCount]:
    return [
        ThemeCount(theme=theme, answers=cell.count)
        for theme, cell in suppress_counts(counts, minimum)
    ]
