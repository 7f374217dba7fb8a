"""Safety alerts: a free-text answer flagged `safety` (bot.api.operations.triage) raises one
for its organisation until a staff member acknowledges it.

`GET /alerts` tells anyone of the organisation that there are open alerts and how many, per
campaign — never what was written. A role that reads responses also sees which items (by
response id, with the campaign): that names participants by pseudonym, so it is audited as a
read of responses (`items=false` asks for the counts alone, as the console's banner does).
`POST /campaigns/{id}/alerts/acknowledge` closes one (`themes:write`, audited); the item keeps
its safety flag.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pydantic import BaseModel, ConfigDict, Field

from bot.access.permissions import can
from bot.access.pseudonyms import Pseudonyms
from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import Call, Operations
from bot.api.operations.common import CampaignPath, campaign_owned, pseudonyms_of
from bot.api.operations.responses import records_read
from bot.api.problems import NOT_FOUND, ApiError
from bot.records.triage_items import is_answer, parse_item
from bot.records.triage_marks import SafetyAlert, acknowledge, open_alerts

operations = Operations()


class AlertOut(BaseModel):
    campaign_id: str
    response_id: str = Field(description="the item flagged: <pseudonym>/<question id>, or C-…")
    raised_at: dt.datetime


class CampaignAlerts(BaseModel):
    campaign_id: str
    open: int


class AlertsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: bool = Field(
        default=True, description="false: the counts only (a banner's question; not audited)"
    )


class AlertsOut(BaseModel):
    """The organisation's open safety alerts: how many, in which campaigns, and — for a role
    that reads responses — which items (oldest first); `alerts` is null for the other roles,
    and when `items=false` was asked."""

    open: int
    campaigns: list[CampaignAlerts]
    alerts: list[AlertOut] | None


@operations.add(
    "GET",
    "/alerts",
    "listAlerts",
    "Open safety alerts of the organisation",
    permission=Permission.CAMPAIGNS_READ,
    query=AlertsQuery,
    response=AlertsOut,
    tag="triage",
)
async def list_alerts(call: Call) -> AlertsOut:
    found = await organisation_alerts(call)
    per_campaign = Counter(alert.campaign_id for alert in found)
    campaigns = [CampaignAlerts(campaign_id=c, open=n) for c, n in sorted(per_campaign.items())]
    if not call.query_as(AlertsQuery).items or not can(call.caller, Permission.RESPONSES_READ):
        return AlertsOut(open=len(found), campaigns=campaigns, alerts=None)
    pseudonyms = await pseudonyms_of(call)
    alerts = [_alert_out(alert, pseudonyms) for alert in found]
    if alerts:
        caller = call.caller
        await call.services.audit.record(
            caller.org,
            actor=caller.actor,
            action=AuditAction.RESPONSES_READ,
            target=f"alerts:{caller.org}",
            count=len(alerts),
            address=caller.address,
            details=records_read([a.response_id.partition("/")[0] for a in alerts]),
        )
    return AlertsOut(open=len(alerts), campaigns=campaigns, alerts=alerts)


async def organisation_alerts(call: Call) -> list[SafetyAlert]:
    """The open alerts of the caller's organisation's campaigns."""
    services = call.services
    campaign_ids = await services.campaigns.ids(call.caller.org)
    return await open_alerts(services.redis, services.schema, campaign_ids)


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    response_id: str = Field(min_length=1, max_length=128, description="the item of the alert")


class Acknowledged(BaseModel):
    response_id: str
    open: int = Field(description="the organisation's open alerts left")


@operations.add(
    "POST",
    "/campaigns/{campaign_id}/alerts/acknowledge",
    "acknowledgeAlert",
    "Acknowledge a safety alert",
    permission=Permission.THEMES_WRITE,
    path_model=CampaignPath,
    body=Acknowledgement,
    response=Acknowledged,
    errors=(NOT_FOUND,),
    tag="triage",
)
async def acknowledge_alert(call: Call) -> Acknowledged:
    """The alert closes (audited: `alert_acknowledged`); the item keeps its safety flag. An
    item without an open alert is not found (404): acknowledged already, or never raised."""
    campaign_id = call.path_as(CampaignPath).campaign_id
    await campaign_owned(call, campaign_id, Permission.THEMES_WRITE)
    response_id = call.body_as(Acknowledgement).response_id.strip()
    services = call.services
    pseudonyms = await pseudonyms_of(call)
    found = [
        alert
        for alert in await open_alerts(services.redis, services.schema, [campaign_id])
        if _response_id(alert, pseudonyms) == response_id
    ]
    if not found or not await acknowledge(services.redis, services.schema, found[0]):
        raise ApiError(NOT_FOUND, f"no open safety alert on {response_id}")
    caller = call.caller
    await services.audit.record(
        caller.org,
        actor=caller.actor,
        action=AuditAction.ALERT_ACKNOWLEDGED,
        target=f"campaign:{campaign_id}",
        count=1,
        address=caller.address,
        details={"response": response_id},
    )
    return Acknowledged(response_id=response_id, open=len(await organisation_alerts(call)))


def _response_id(alert: SafetyAlert, pseudonyms: Pseudonyms) -> str:
    if not is_answer(alert.item):
        return alert.item  # a concern's case reference
    participant_id, question_id = parse_item(alert.item)
    return f"{pseudonyms.of(participant_id)}/{question_id}"


def _alert_out(alert: SafetyAlert, pseudonyms: Pseudonyms) -> AlertOut:
    return AlertOut(
        campaign_id=alert.campaign_id,
        response_id=_response_id(alert, pseudonyms),
        raised_at=dt.datetime.fromtimestamp(alert.raised_ms / 1000, dt.UTC),
    )
