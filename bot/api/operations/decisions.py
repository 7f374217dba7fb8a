"""Decisions of a campaign: upload a decision file, read one, preview, publish, follow its
publication — what `sauti decision load|show|preview|publish|progress` do (docs/decisions.md).

A decision file's response ids are the organisation's pseudonyms (`p-…`); the ledger looks them
up among the campaign's respondents when the file is stored. Nothing here names a participant
otherwise: the preview's sample answers go by pseudonym, and its counts by language and
channel are withheld where small (bot.api.operations.decision_preview).
"""

from __future__ import annotations

import asyncio

from bot.access.roles import Permission
from bot.api.audit import AuditAction
from bot.api.declare import SURVEY_BODY_BYTES, Call, Operations, TextBody
from bot.api.operations.common import (
    CampaignPath,
    campaign_owned,
    pseudonyms_of,
)
from bot.api.operations.decision_detail import decision_detail
from bot.api.operations.decision_models import (
    DecisionDetailOut,
    DecisionPath,
    PreviewQuery,
    ProgressOut,
    ProgressQuery,
    PublishIn,
    PublishOut,
    StoredOut,
)
from bot.api.operations.decision_preview import Counted, PreviewOut, preview_out, reach_of
from bot.api.operations.decision_progress import progress_out
from bot.api.problems import (
    CONFLICT,
    INVALID_DECISION,
    MISSING_TRANSLATIONS,
    NOT_FOUND,
    ApiError,
    ErrorItem,
    file_error_item,
)
from bot.api.services import DecisionTools
from bot.conversation.campaign import Campaign
from bot.conversation.decisions.decision import (
    DecisionDefinitionError,
    LoopError,
    campaign_of,
    parse_decision,
)
from bot.loop.ledger import StoredDecision
from bot.loop.preview import Viewpoint, build_preview
from bot.loop.progress import publication_progress
from bot.loop.publisher import MissingTranslationsError, NoSuchDecisionError
from dialogues.errors import Problem
from dialogues.problem_codes import ProblemCode
from dialogues.yaml_source import read_yaml

operations = Operations()
DECISION_TYPES = ("application/yaml", "text/yaml", "text/plain")


def decision_tools(call: Call) -> DecisionTools:
    tools = call.services.decisions
    if tools is None:  # a wiring mistake of ours (bot.web gives them)
        raise RuntimeError("the API was given no decision tools")
    return tools


async def campaign_for(call: Call, campaign_id: str, permission: Permission) -> Campaign:
    await campaign_owned(call, campaign_id, permission)
    campaign = await call.services.campaigns.get(campaign_id)
    if campaign is None:
        raise ApiError(NOT_FOUND, "no such campaign")
    return campaign


async def _stored(
    call: Call, path: DecisionPath, permission: Permission, version: int | None = None
) -> tuple[Campaign, StoredDecision]:
    """The campaign and the decision (a version of it, default the latest), once the caller
    may act on them with `permission`."""
    campaign = await campaign_for(call, path.campaign_id, permission)
    try:
        stored = (
            await decision_tools(call).ledger().get(path.campaign_id, path.decision_id, version)
        )
    except DecisionDefinitionError as error:
        raise no_longer_fits(error) from None
    if stored is None:
        raise ApiError(NOT_FOUND, "no such decision (or version)")
    return campaign, stored


def no_longer_fits(error: DecisionDefinitionError) -> ApiError:
    return ApiError(
        CONFLICT,
        "the stored decision no longer fits the campaign's survey: upload it again",
        errors=_items(error.problems),
        code="decision_no_longer_fits",
    )


def _items(problems: tuple[Problem, ...] | list[Problem]) -> list[ErrorItem]:
    return [file_error_item(problem) for problem in problems]


def invalid_decision(problems: tuple[Problem, ...] | list[Problem]) -> ApiError:
    count = len(problems)
    return ApiError(
        INVALID_DECISION,
        f"{count} problem{'s' if count != 1 else ''} in the decision file",
        errors=_items(sorted(problems, key=lambda p: p.line if p.line is not None else 0)),
    )


def _misfiled(source: str, campaign: Campaign, named: str | None) -> list[Problem]:
    """Every mistake of a file that does not name the path's campaign, checked against that
    campaign's survey. The campaign it names is never looked up: it may be another
    organisation's."""
    problems: list[Problem] = []
    try:
        parse_decision(source, campaign.survey)
    except DecisionDefinitionError as error:
        problems += error.problems
    if named is not None:
        line = read_yaml(source).lines.get("campaign")
        message = f"the file is for campaign '{named}', not '{campaign.id}'"
        problems.append(
            Problem(
                "campaign",
                message,
                line,
                code=ProblemCode.FILE_FOR_OTHER_CAMPAIGN,
                params={"named": named, "campaign": campaign.id},
            )
        )
    elif not any(problem.path == "campaign" for problem in problems):
        problems.append(
            Problem(
                "campaign",
                f"must be this campaign's id, '{campaign.id}'",
                code=ProblemCode.NOT_THIS_CAMPAIGN,
                params={"campaign": campaign.id},
            )
        )
    return problems


@operations.add(
    "POST",
    "/campaigns/{campaign_id}/decisions",
    "uploadDecision",
    "Store a decision file (a new version when it changed)",
    permission=Permission.DECISIONS_DRAFT,
    path_model=CampaignPath,
    body=TextBody(DECISION_TYPES, "the decision file (YAML, docs/decisions.md), as it is"),
    response=StoredOut,
    errors=(NOT_FOUND, INVALID_DECISION, CONFLICT),
    max_body_bytes=SURVEY_BODY_BYTES,
    tag="decisions",
)
async def upload_decision(call: Call) -> StoredOut:
    """The file's `campaign` must be this campaign. A file with mistakes is refused with every
    one and its line (`invalid-decision`), response ids that name no respondent of the
    campaign included. A file that differs from the latest version is stored as a new version
    (`new_version`); the same file again changes nothing. Either answer is 200."""
    campaign_id = call.path_as(CampaignPath).campaign_id
    campaign = await campaign_for(call, campaign_id, Permission.DECISIONS_DRAFT)
    source = call.text_body()
    named = campaign_of(source)
    if named != campaign_id:
        raise invalid_decision(_misfiled(source, campaign, named))
    ledger = decision_tools(call).ledger()
    try:
        stored, new = await ledger.load(source, int(call.services.clock() * 1000))
    except DecisionDefinitionError as error:
        raise invalid_decision(error.problems) from None
    except LoopError as error:  # its reference is taken (about one in a trillion): rename it
        raise ApiError(CONFLICT, str(error)) from None
    return StoredOut(new_version=new, decision=await decision_detail(call, stored, campaign))


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/decisions/{decision_id}",
    "getDecision",
    "One decision: versions, status, titles, publication",
    permission=Permission.LOOP_READ,
    path_model=DecisionPath,
    response=DecisionDetailOut,
    errors=(NOT_FOUND, CONFLICT),
    tag="decisions",
)
async def get_decision(call: Call) -> DecisionDetailOut:
    """A stored decision that no longer fits its campaign's survey (the survey changed) is a
    `conflict` listing why: upload it again."""
    path = call.path_as(DecisionPath)
    campaign, stored = await _stored(call, path, Permission.LOOP_READ)
    return await decision_detail(call, stored, campaign)


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/decisions/{decision_id}/preview",
    "previewDecision",
    "What publishing the decision now would do",
    permission=Permission.DECISIONS_DRAFT,
    path_model=DecisionPath,
    query=PreviewQuery,
    response=PreviewOut,
    errors=(NOT_FOUND, CONFLICT),
    tag="decisions",
)
async def preview_decision(call: Call) -> PreviewOut:
    """Who would be told (by language and channel, small counts null) and who not, by reason;
    missing messages, quiet hours, WhatsApp template gaps; a few linked answers by response
    id (label only). Nothing is sent. Reading the sample answers is recorded.

    Counting walks every respondent, so the last count is kept and answered at once with when
    it was made (`counted_at`). When the decision or the answers changed since, or it is older
    than SAUTI_LOOP_PREVIEW_FRESH_SECONDS, it is not `current` and one new count starts in the
    background (`updating`), whoever asks meanwhile; `current=true` waits for a current one.
    The words of the notices are always the present version's."""
    path = call.path_as(DecisionPath)
    wait = call.query_as(PreviewQuery).current
    campaign, stored = await _stored(call, path, Permission.DECISIONS_DRAFT)
    services, tools = call.services, decision_tools(call)
    publisher = tools.publisher(services.clock)
    survey = campaign.survey
    limits = publisher.limits()
    if tools.previews is None:  # a wiring mistake of ours (bot.web gives it)
        raise RuntimeError("the API was given no preview cache")
    # Read at once (their round trips travel together): a page view is mostly round trips.
    counted, zone_name, pseudonyms = await asyncio.gather(
        tools.previews.counted(stored, limits, current=wait),
        publisher.campaign_zone(stored.campaign_id),
        pseudonyms_of(call),  # the caller's: the campaign's owner
    )
    preview = await build_preview(
        services.redis,
        publisher.schema,
        stored,
        survey,
        limits,
        Viewpoint(
            quiet=publisher.quiet,
            zone_name=zone_name,
            pseudonyms=pseudonyms,
            templates=tools.templates(survey.languages),
        ),
        counts=counted.counts,
    )
    shown_ids = [sample.response_id for sample in preview.samples]
    caller = call.caller
    # A read of those answers, recorded once per person and answers shown: not again each
    # time the console's page fetches itself while its counts are made.
    first = await tools.previews.first_view(stored, caller.actor, shown_ids) if shown_ids else None
    if first is not None:
        try:
            await services.audit.record(
                caller.org,
                actor=caller.actor,
                action=AuditAction.RESPONSES_READ,
                target=f"decision:{stored.campaign_id}/{stored.id}",
                count=len(preview.samples),
                address=caller.address,
                details={"what": "preview"},
            )
        except BaseException:  # not recorded: the next view records it
            await services.redis.delete(first)
            raise
    shown = Counted(counted.counted_ms, current=counted.current, updating=counted.updating)
    return preview_out(preview, survey, services.min_cell, tools.template_book(), shown)


@operations.add(
    "POST",
    "/campaigns/{campaign_id}/decisions/{decision_id}/publish",
    "publishDecision",
    "Publish the decision's latest version",
    permission=Permission.DECISIONS_PUBLISH,
    path_model=DecisionPath,
    body=PublishIn,
    response=PublishOut,
    errors=(NOT_FOUND, CONFLICT, MISSING_TRANSLATIONS),
    tag="decisions",
)
async def publish_decision(call: Call) -> PublishOut:
    """Plans who is told and starts the publication; the publisher role of `sauti run` sends
    it. Refused with `missing-translations` (409, nothing sent) while someone to tell reads a
    language without a message, unless `allow_missing_translations`; with `conflict` (409,
    nothing sent) when `version` is given and another version is the latest by now. A version
    published before answers 200 with `already_published`, and nothing new is recorded."""
    path = call.path_as(DecisionPath)
    body = call.body_as(PublishIn)
    await _stored(call, path, Permission.DECISIONS_PUBLISH)
    publisher = decision_tools(call).publisher(call.services.clock)
    try:
        published = await publisher.publish(
            path.campaign_id,
            path.decision_id,
            allow_missing=body.allow_missing_translations,
            version=body.version,
        )
    except MissingTranslationsError as error:
        raise _missing(error) from None
    except NoSuchDecisionError:
        raise ApiError(NOT_FOUND, "no such decision") from None
    except DecisionDefinitionError as error:
        raise no_longer_fits(error) from None
    except LoopError as error:
        raise ApiError(CONFLICT, str(error)) from None
    stored = published.stored
    counts = await publisher.planned_counts(stored)
    if not published.already:
        caller = call.caller
        await call.services.audit.record(
            caller.org,
            actor=caller.actor,
            action=AuditAction.DECISION_PUBLISHED,
            target=f"decision:{stored.campaign_id}/{stored.id}",
            count=counts.told,
            address=caller.address,
            details={"version": stored.version},
        )
    return PublishOut(
        campaign_id=stored.campaign_id,
        decision_id=stored.id,
        version=stored.version,
        status=published.status,
        already_published=published.already,
        told=reach_of(counts, call.services.min_cell).told.count,
    )


def _missing(error: MissingTranslationsError) -> ApiError:
    """Which languages lack a message. How many people read each is left to the preview,
    which withholds the small groups among them."""
    languages = sorted(error.languages)
    return ApiError(
        MISSING_TRANSLATIONS,
        f"no message (or rationale) in {', '.join(languages)}: add them and upload the file "
        "again, or publish with allow_missing_translations",
        errors=[
            ErrorItem(
                location=f"message.{language}",
                message=f"some of the people to tell read {language} (the preview says how many)",
            )
            for language in languages
        ],
    )


@operations.add(
    "GET",
    "/campaigns/{campaign_id}/decisions/{decision_id}/progress",
    "getDecisionProgress",
    "How far the decision's publication has come",
    permission=Permission.LOOP_READ,
    path_model=DecisionPath,
    query=ProgressQuery,
    response=ProgressOut,
    errors=(NOT_FOUND, CONFLICT),
    tag="decisions",
)
async def get_decision_progress(call: Call) -> ProgressOut:
    """Of the latest published version unless `version` says which; a decision never
    published answers with status `not published`."""
    path = call.path_as(DecisionPath)
    version = call.query_as(ProgressQuery).version
    _, stored = await _stored(call, path, Permission.LOOP_READ, version)
    if version is None and stored.published_version not in (0, stored.version):
        _, stored = await _stored(call, path, Permission.LOOP_READ, stored.published_version)
    services = call.services
    rates = decision_tools(call).send_rates
    progress = await publication_progress(services.redis, services.schema, stored, rates)
    return progress_out(stored, progress, services.min_cell, services.clock())
