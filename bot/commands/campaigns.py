"""`sauti campaign load|list|open|close`: the campaign lifecycle (and `export`, `results`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from bot.access.roles import Permission
from bot.app import App
from bot.audit.entry import AuditAction
from bot.commands.common import as_operator, organisation_for, with_app
from bot.commands.export import register_export
from bot.commands.results import register_results, register_results_export
from bot.commands.survey import read_file
from bot.commands.translations import records_of
from bot.conversation.campaign import Campaign, CampaignStatus
from bot.records.campaigns import CampaignOwnedElsewhereError
from bot.records.stats import campaign_counters
from bot.records.suppression import suppress_completion, suppress_count
from bot.records.tally import COMPLETED, SESSIONS
from bot.records.translation_import import note_opening, refusal, refused_languages
from bot.runtime.retention import holding
from dialogues import SurveyDefinitionError, parse

ACCEPT_HELP = (
    "open even though some languages are machine-drafted, unreviewed or incomplete "
    "(marked as such wherever the team sees the campaign)"
)


def register(parser: argparse.ArgumentParser) -> None:
    campaign = parser.add_subparsers(title="campaign commands")
    load = campaign.add_parser("load", help="store (or update) a campaign from a survey file")
    load.add_argument("file", type=Path)
    load.add_argument("--open", action="store_true", help="open it for answers right away")
    load.add_argument(
        "--org", help="the organisation it belongs to (needed when there are several)"
    )
    load.add_argument(
        "--force",
        action="store_true",
        help="keep personal-level data longer than the people who joined were told",
    )
    load.add_argument("--accept-machine-drafted", action="store_true", help=ACCEPT_HELP)
    load.set_defaults(handler=_load)
    listing = campaign.add_parser("list", help="campaigns with their status and counts")
    listing.add_argument("--org", help="only this organisation's campaigns")
    listing.set_defaults(handler=_list)
    for name, status in (("open", CampaignStatus.OPEN), ("close", CampaignStatus.CLOSED)):
        command = campaign.add_parser(name, help=f"{name} a campaign for answers")
        command.add_argument("campaign_id")
        if status is CampaignStatus.OPEN:
            command.add_argument("--accept-machine-drafted", action="store_true", help=ACCEPT_HELP)
        command.set_defaults(handler=_set_status, status=status)
    register_export(campaign)
    register_results(campaign)
    register_results_export(campaign)


def _load(args: argparse.Namespace) -> int:
    source = read_file(args.file)
    if source is None:
        return 1

    async def work(app: App) -> int:
        org = await organisation_for(app, args.org)
        if org is None:
            return 1
        if not await _retention_kept(app, source, args.force):
            return 1
        try:
            if args.open and not await _may_open(app, source, org, args.accept_machine_drafted):
                return 1
            campaign = await app.campaigns.load(source, org=org, open_now=args.open)
        except SurveyDefinitionError as error:
            print(f"{args.file}: {error}", file=sys.stderr)
            return 1
        except CampaignOwnedElsewhereError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        drafted = await _note_opening(app, campaign) if args.open else {}
        await as_operator(
            app,
            org,
            Permission.CAMPAIGNS_MANAGE,
            AuditAction.CAMPAIGN_LOADED,
            target=f"campaign:{campaign.id}",
            details={"status": campaign.status.value, **drafted},
        )
        print(f"campaign '{campaign.id}' loaded for '{org}' ({campaign.status.value})")
        return 0

    return with_app(work)


async def _may_open(app: App, source: str, org: str, accept: bool) -> bool:
    """Whether the survey may be opened as loaded: every language complete and reviewed, or
    machine-drafted text accepted. Says why not. A file with mistakes goes on to the load,
    which lists them."""
    try:
        survey = parse(source)
    except SurveyDefinitionError:
        return True
    unready = await refused_languages(records_of(app), Campaign(survey, CampaignStatus.CLOSED, org))
    if unready and not accept:
        print(f"sauti: campaign '{survey.id}' not opened: {refusal(unready)}", file=sys.stderr)
        return False
    return True


async def _note_opening(app: App, campaign: Campaign) -> dict[str, str | int]:
    """Opened: the acceptance of machine-drafted text marked (or cleared when none is shown).
    The audit entry's detail naming the languages that went out not ready, if any."""
    records = records_of(app)
    unready = await refused_languages(records, campaign)
    await note_opening(records, campaign.id, unready, by="operator", now_ms=int(time.time() * 1000))
    for status in unready:
        print(
            f"warning: '{status.language}' is shown as it is: {status.missing()}", file=sys.stderr
        )
    return {"machine_drafted": ",".join(s.language for s in unready)} if unready else {}


async def _retention_kept(app: App, source: str, force: bool) -> bool:
    """A reloaded survey that changes how long a campaign keeps personal-level data: people
    who already joined read the old number in its data notice. Shorter: said, and loaded.
    Longer goes against what they were told: refused unless `force`. False when refused."""
    try:
        survey = parse(source)
        existing = await app.campaigns.get(survey.id)
    except SurveyDefinitionError:  # the load says what is wrong with it
        return True
    if existing is None or not await holding(app.redis, app.schema, survey.id):
        return True
    told = existing.retention_days
    days = survey.retention_days
    if days is None:
        days = app.settings.privacy.retention_days
    if days == told:
        return True
    said = f"campaign '{survey.id}': people who already joined were told {told} days"
    if days < told:
        print(f"warning: {said}; their personal-level data now goes after {days}", file=sys.stderr)
        return True
    if not force:
        print(
            f"sauti: {said}; keeping their personal-level data {days} days goes against what "
            f"they were told. Keep retention_days: {told}, or load with --force once they "
            "have been told the new period",
            file=sys.stderr,
        )
        return False
    print(f"warning: {said}; their personal-level data is now kept {days} days", file=sys.stderr)
    return True


def _list(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        if args.org is not None and await app.organisations().get(args.org) is None:
            print(f"sauti: no organisation '{args.org}' (sauti org list)", file=sys.stderr)
            return 1
        ids = await app.campaigns.ids(args.org)
        minimum = app.settings.privacy.min_cell
        if not ids:
            print("no campaigns yet: sauti campaign load FILE")
        for campaign_id in ids:
            campaign = await app.campaigns.get(campaign_id)
            if campaign is None:
                continue
            counts = await campaign_counters(app.redis, app.schema, campaign_id, minimum=minimum)
            # As the API counts them: those whose answers are stored (someone who erased their
            # data is out), completed and still going making up those who started (one line,
            # protected as one); small counts read `<minimum`. From the latest results snapshot.
            started, completed = counts[SESSIONS], counts[COMPLETED]
            progress = suppress_completion(started, completed, minimum)
            answers = suppress_count(counts.get("answers", 0), minimum)
            accepted = await records_of(app).drafts_shown(campaign)
            print(
                f"{campaign_id}\t{campaign.org}\t{campaign.status.value}"
                f"\tstarted {progress.total.label(minimum)}"
                f"\tcompleted {progress.cells[0].label(minimum)}\tanswers {answers.label(minimum)}"
                + (f"\tmachine-drafted: {', '.join(accepted.languages)}" if accepted else "")
            )
        return 0

    return with_app(work)


def _set_status(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        org = await app.campaigns.owner(args.campaign_id)
        opened = args.status is CampaignStatus.OPEN
        existing = await app.campaigns.get(args.campaign_id) if org is not None else None
        if opened and existing is not None:
            unready = await refused_languages(records_of(app), existing)
            if unready and not args.accept_machine_drafted:
                print(
                    f"sauti: campaign '{existing.id}' stays closed: {refusal(unready)}",
                    file=sys.stderr,
                )
                return 1
        if org is None or not await app.campaigns.set_status(args.campaign_id, args.status):
            print(f"sauti: no campaign '{args.campaign_id}'", file=sys.stderr)
            return 1
        drafted = await _note_opening(app, existing) if opened and existing is not None else {}
        await as_operator(
            app,
            org,
            Permission.CAMPAIGNS_MANAGE,
            AuditAction.CAMPAIGN_OPENED if opened else AuditAction.CAMPAIGN_CLOSED,
            target=f"campaign:{args.campaign_id}",
            details=drafted,
        )
        print(f"campaign '{args.campaign_id}' is {args.status.value}")
        campaign = await app.campaigns.get(args.campaign_id)
        until = campaign.kept_until_ms if campaign is not None else None
        if campaign is not None and until is not None:
            day = dt.datetime.fromtimestamp(until / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M")
            print(
                f"its personal-level data is kept {campaign.retention_days} days, until {day} "
                "UTC, then erased (sauti retention report)"
            )
        return 0

    return with_app(work)
