"""An organisation's panel and invitations to its campaigns (bot.panels): the panel's counts,
an invitation's preview, and the invitation itself. Counts only, each through the one
small-cell suppression function; no participant appears. Sending is audited (`panel_invited`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.access.roles import Permission
from bot.api.declare import Call, Operations
from bot.api.problems import CONFLICT, INVALID_REQUEST, NOT_FOUND, ApiError, ErrorItem
from bot.audit.entry import AuditAction
from bot.conversation.campaign import Campaign
from bot.panels.census import count_panel
from bot.panels.inviting import InvitationCounts, Inviter
from bot.panels.members import PanelReader
from bot.panels.segment import Segment, SegmentError, parse_segment
from bot.panels.shown import shown_invitation, shown_panel

operations = Operations()
_SEGMENT = "profile attributes, e.g. 'language=sw area=north group=displaced'; '' the panel"


class SegmentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: str = Field(default="", max_length=500, description=_SEGMENT)


class CampaignPath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: str


class CountOut(BaseModel):
    """A count of people; null when withheld as a small cell."""

    value: str
    count: int | None


class PanelOut(BaseModel):
    """The panel's members (who may be contacted again now), by attribute."""

    members: int | None
    by_language: list[CountOut]
    by_channel: list[CountOut]
    by_area: list[CountOut] = Field(description="'' : not told")
    by_group: list[CountOut] = Field(description="one person may be in several groups")


class InvitationOut(BaseModel):
    """What inviting the segment does (or did): counts of people, null when withheld."""

    campaign_id: str
    segment: str
    members: int | None = Field(description="panel members in the segment")
    invited: int | None
    by_language: list[CountOut]
    by_channel: list[CountOut]
    left_out: list[CountOut] = Field(description="by reason (docs/panels.md)")
    held_for_quiet_hours: int | None = Field(description="a later send invites them")


def _segment(call: Call) -> Segment:
    text = call.query_as(SegmentQuery).segment
    try:
        return parse_segment(text)
    except SegmentError as error:
        raise ApiError(
            INVALID_REQUEST, str(error), errors=[ErrorItem(location="segment", message=str(error))]
        ) from None


def _inviter(call: Call) -> Inviter:
    inviter = call.services.inviter
    if inviter is None:  # a server built without it (tests of other parts)
        raise ApiError(CONFLICT, "invitations are not available on this server")
    return inviter


async def _open_campaign(call: Call, permission: Permission) -> Campaign:
    campaign_id = call.path_as(CampaignPath).campaign_id
    owner = await call.services.campaigns.owner(campaign_id)
    if owner is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    call.authorize(permission, owner=owner)
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    if not campaign.is_open:
        raise ApiError(CONFLICT, "the campaign is closed: open it first")
    return campaign


def _pairs(pairs: list[tuple[str, int | None]]) -> list[CountOut]:
    return [CountOut(value=value, count=count) for value, count in pairs]


def _out(
    campaign: Campaign, segment: Segment, counts: InvitationCounts, minimum: int
) -> InvitationOut:
    shown = shown_invitation(counts, minimum)
    return InvitationOut(
        campaign_id=campaign.id,
        segment=str(segment),
        members=shown.members,
        invited=shown.invited,
        by_language=_pairs(shown.by_language),
        by_channel=_pairs(shown.by_channel),
        left_out=_pairs(shown.excluded),
        held_for_quiet_hours=shown.held,
    )


@operations.add(
    "GET",
    "/panel",
    "getPanel",
    "The organisation's panel, by attribute",
    permission=Permission.PANEL_READ,
    query=SegmentQuery,
    response=PanelOut,
    errors=(INVALID_REQUEST,),
    tag="panels",
)
async def get_panel(call: Call) -> PanelOut:
    """Members who may be contacted again now, by language, channel, area and group."""
    segment = _segment(call)
    inviter = _inviter(call)
    services = call.services
    scope = await inviter.scope(call.caller.org)
    reader = PanelReader(services.redis, services.schema)
    counts = await count_panel(reader, services.schema.shards, scope, segment, inviter.batch)
    shown = shown_panel(counts, services.min_cell)
    return PanelOut(
        members=shown.members,
        by_language=_pairs(shown.by["language"]),
        by_channel=_pairs(shown.by["channel"]),
        by_area=_pairs(shown.by["area"]),
        by_group=_pairs(shown.groups),
    )


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/invitations/preview",
    "previewInvitation",
    "Who inviting a panel segment to the campaign would reach, and who not and why",
    permission=Permission.PANEL_READ,
    path_model=CampaignPath,
    query=SegmentQuery,
    response=InvitationOut,
    errors=(NOT_FOUND, CONFLICT, INVALID_REQUEST),
    tag="panels",
)
async def preview_invitation(call: Call) -> InvitationOut:
    """Nothing is written or sent."""
    segment = _segment(call)
    campaign = await _open_campaign(call, Permission.PANEL_READ)
    now_ms = int(call.services.clock() * 1000)
    counts = await _inviter(call).preview(campaign, segment, now_ms)
    return _out(campaign, segment, counts, call.services.min_cell)


@operations.add(
    "POST",
    "/campaigns/{campaign_id}/invitations",
    "sendInvitation",
    "Invite a panel segment to the campaign",
    permission=Permission.PANEL_INVITE,
    path_model=CampaignPath,
    query=SegmentQuery,
    response=InvitationOut,
    errors=(NOT_FOUND, CONFLICT, INVALID_REQUEST),
    tag="panels",
)
async def send_invitation(call: Call) -> InvitationOut:
    """Invites each member of the segment who may be invited now, once ever per campaign; the
    sender role of `sauti run` delivers them at bulk priority. Sending again invites only those
    not yet invited (people in their quiet hours, say)."""
    segment = _segment(call)
    campaign = await _open_campaign(call, Permission.PANEL_INVITE)
    now_ms = int(call.services.clock() * 1000)
    counts = await _inviter(call).send(campaign, segment, now_ms)
    caller = call.caller
    await call.services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.PANEL_INVITED,
        target=f"campaign:{campaign.id}",
        count=counts.invited_total,
        address=caller.address,
        details={"segment": str(segment) or "(whole panel)"},
    )
    return _out(campaign, segment, counts, call.services.min_cell)
