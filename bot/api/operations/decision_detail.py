"""One stored decision as the API describes it: its versions and publication, its texts, the
completeness check, and its linking rule as the picks the console's form shows again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.access.permissions import can
from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import Call
from bot.api.operations.common import moment
from bot.api.operations.decision_models import (
    VERSIONS_SHOWN,
    DecisionDetailOut,
    LinkIn,
    PickIn,
    PublicationOut,
    VersionOut,
)
from bot.api.problems import ErrorItem
from bot.api.services import DecisionTools
from bot.conversation.campaign import Campaign
from bot.conversation.decisions.compose import ALL, Pick, ThemePick, incomplete, picks_of
from bot.conversation.decisions.values import optional_text
from bot.loop.ledger import StoredDecision
from bot.loop.publisher import PublicationStatus
from bot.records.suppression import suppress_count
from bot.records.triage_marks import linked_answers
from dialogues.yaml_source import read_yaml


def _tools(call: Call) -> DecisionTools:
    tools = call.services.decisions
    if tools is None:  # a wiring mistake of ours (bot.web gives them)
        raise RuntimeError("the API was given no decision tools")
    return tools


async def decision_detail(
    call: Call, stored: StoredDecision, campaign: Campaign
) -> DecisionDetailOut:
    services = call.services
    schema = services.schema
    key = schema.decision(stored.campaign_id, stored.id)
    shown = list(range(stored.version, max(0, stored.version - VERSIONS_SHOWN), -1))
    published = stored.published_version
    numbers = shown + ([published] if published and published not in shown else [])
    pipe = services.redis.pipeline(transaction=False)
    for number in numbers:
        pipe.hget(key, f"at:{number}")
        pipe.hmget(schema.publication(stored.ref, number), ["status", "started", "finished"])
    replies: list[Any] = await pipe.execute()
    versions, publication = [], None
    for n, number in enumerate(numbers):
        stored_at, (status, started, finished) = replies[2 * n], replies[2 * n + 1]
        state = _status(status)
        if number in shown:
            versions.append(VersionOut(version=number, stored_at=_ms(stored_at), publication=state))
        if number == published:
            publication = PublicationOut(
                version=number,
                status=state,
                started_at=_ms(started),
                finished_at=_ms(finished),
            )
    decision = stored.decision
    return DecisionDetailOut(
        id=stored.id,
        campaign_id=stored.campaign_id,
        ref=stored.ref,
        version=stored.version,
        status=decision.status,
        title=dict(decision.title),
        message=dict(decision.message),
        rationale=dict(decision.rationale) if decision.rationale is not None else None,
        you_told_us=dict(decision.you_told_us) if decision.you_told_us is not None else None,
        link=await _link(call, stored),
        changes=dict(decision.changes) if decision.changes is not None else None,
        effective=decision.effective,
        message_languages=sorted(decision.message),
        languages_without_message=list(decision.missing_messages(campaign.survey.languages)),
        incomplete=[
            ErrorItem(location=problem.path, message=problem.message)
            for problem in incomplete(decision, campaign.survey.languages)
        ],
        published_version=stored.published_version,
        publication=publication,
        versions=versions,
        linked_answers=suppress_count(
            await linked_answers(services.redis, schema, stored.campaign_id, stored.id),
            services.min_cell,
        ).count,
    )


async def _link(call: Call, stored: StoredDecision) -> LinkIn | None:
    """The rule as picks, and the response ids as the file gives them (the organisation's
    pseudonyms: the stored decision holds the participants they name, never shown). The ids
    name participants: only a caller who may read responses gets them, and that is audited."""
    found = picks_of(stored.decision.rule)
    if found is None:
        return None
    picks, match = found
    source = await _tools(call).ledger().source(stored.campaign_id, stored.id, stored.version)
    links = read_yaml(source).value.get("linked_to") if source else None
    responses = links.get("responses") if isinstance(links, dict) else None
    named = [str(r) for r in responses] if isinstance(responses, list) else []
    if named and not can(call.caller, Permission.RESPONSES_READ):
        named = []
    elif named:
        caller = call.caller
        await call.services.audit.record(
            caller.org,
            actor=caller.actor,
            action=AuditAction.RESPONSES_READ,
            target=f"decision:{stored.campaign_id}/{stored.id}",
            count=len(named),
            address=caller.address,
            details={"what": "decision link"},
        )
    return LinkIn(
        picks=[_pick_out(pick) for pick in picks],
        match="all" if match == ALL else "any",
        responses=named,
    )


def _pick_out(pick: Pick) -> PickIn:
    if isinstance(pick, ThemePick):
        return PickIn(theme=pick.theme, question=pick.question)
    return PickIn(
        question=pick.question,
        options=list(pick.options),
        every=pick.every,
        at_least=pick.at_least,
        at_most=pick.at_most,
        answered=pick.answered,
    )


def _status(raw: bytes | None) -> PublicationStatus | None:
    text = optional_text(raw)
    return PublicationStatus(text) if text in set(PublicationStatus) else None


def _ms(raw: bytes | None) -> dt.datetime | None:
    text = optional_text(raw)
    return moment(int(text) / 1000) if text and text.isdigit() else None
