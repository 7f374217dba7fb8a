"""What several operations share: finding a campaign of the caller's organisation, naming
participants by the organisation's pseudonyms, and what the export files need of a call (the
labels' language, the About sheet's note)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from bot.access.organisations import Organisation
from bot.access.permissions import NotFoundError
from bot.access.pseudonyms import Pseudonyms
from bot.access.roles import Permission
from bot.api.declare import Call
from bot.api.problems import INVALID_REQUEST, ApiError, ErrorItem
from bot.api.services import StaffTools
from bot.records.export_files import ExportNote, label_language
from dialogues import Survey

CAMPAIGN_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"  # as the survey loader checks ids


class CampaignPath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: str = Field(pattern=CAMPAIGN_ID)


async def campaign_owned(call: Call, campaign_id: str, permission: Permission) -> str:
    """The campaign's id once the caller may act on it with `permission`; another
    organisation's campaign is not found, exactly as a missing one."""
    owner = await call.services.campaigns.owner(campaign_id)
    if owner is None:
        raise NotFoundError(campaign_id)
    call.authorize(permission, owner=owner)
    return campaign_id


async def organisation_of(call: Call) -> Organisation:
    organisation = await call.services.organisations.get(call.caller.org)
    if organisation is None:  # removed after the token was made
        raise NotFoundError(call.caller.org)
    return organisation


async def pseudonyms_of(call: Call) -> Pseudonyms:
    return Pseudonyms(call.services.crypto, await organisation_of(call))


def staff_tools(call: Call) -> StaffTools:
    tools = call.services.staff_tools
    if tools is None:  # a wiring mistake of ours (bot.web gives them)
        raise RuntimeError("the API was given no staff tools")
    return tools


def moment(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def checked_language(survey: Survey, language: str | None) -> str:
    """The labels' language, or a 400 naming the campaign's languages."""
    try:
        return label_language(survey, language)
    except ValueError as error:
        raise ApiError(
            INVALID_REQUEST,
            "the campaign is not in that language",
            errors=[
                ErrorItem(
                    location="query.language",
                    message=str(error),
                    code="unknown_language",
                    params={"name": language or ""},
                )
            ],
        ) from None


def export_note(call: Call) -> ExportNote:
    """What a file's About sheet says of the export: when, and the caller's role (never who)."""
    role = call.caller.role
    return ExportNote(
        exported_at=call.services.clock(),
        exported_by="operator" if role is None else role.value,
        minimum=call.services.min_cell,
    )
