"""`sauti campaign load|list|open|close`: the campaign lifecycle (and `export`, `results`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bot.access.roles import Permission
from bot.app import App
from bot.audit.entry import AuditAction
from bot.commands.common import as_operator, organisation_for, with_app
from bot.commands.export import register_export
from bot.commands.results import register_results, register_results_export
from bot.commands.survey import read_file
from bot.conversation.campaign import CampaignStatus
from bot.records.campaigns import CampaignOwnedElsewhereError
from bot.records.stats import campaign_counters
from bot.records.suppression import suppress_count, suppress_distribution
from bot.runtime.retention import holding
from dialogues import SurveyDefinitionError, parse


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
    load.set_defaults(handler=_load)
    listing = campaign.add_parser("list", help="campaigns with their status and counts")
    listing.add_argument("--org", help="only this organisation's campaigns")
    listing.set_defaults(handler=_list)
    for name, status in (("open", CampaignStatus.OPEN), ("close", CampaignStatus.CLOSED)):
        command = campaign.add_parser(name, help=f"{name} a campaign for answers")
        command.add_argument("campaign_id")
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
            campaign = await app.campaigns.load(source, org=org, open_now=args.open)
        except SurveyDefinitionError as error:
            print(f"{args.file}: {error}", file=sys.stderr)
            return 1
        except CampaignOwnedElsewhereError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        await as_operator(
            app,
            org,
            Permission.CAMPAIGNS_MANAGE,
            AuditAction.CAMPAIGN_LOADED,
            target=f"campaign:{campaign.id}",
            details={"status": campaign.status.value},
        )
        print(f"campaign '{campaign.id}' loaded for '{org}' ({campaign.status.value})")
        return 0

    return with_app(work)


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
            counts = await campaign_counters(app.redis, app.schema, campaign_id)
            started, completed = counts.get("started", 0), counts.get("completed", 0)
            # As the API counts them: completed and still going make up those who started
            # (one line, protected as one); small counts read `<minimum`.
            progress = suppress_distribution(
                [min(completed, started), max(started - completed, 0)], minimum, total=started
            )
            answers = suppress_count(counts.get("answers", 0), minimum)
            print(
                f"{campaign_id}\t{campaign.org}\t{campaign.status.value}"
                f"\tstarted {progress.total.label(minimum)}"
                f"\tcompleted {progress.cells[0].label(minimum)}\tanswers {answers.label(minimum)}"
            )
        return 0

    return with_app(work)


def _set_status(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        org = await app.campaigns.owner(args.campaign_id)
        if org is None or not await app.campaigns.set_status(args.campaign_id, args.status):
            print(f"sauti: no campaign '{args.campaign_id}'", file=sys.stderr)
            return 1
        opened = args.status is CampaignStatus.OPEN
        await as_operator(
            app,
            org,
            Permission.CAMPAIGNS_MANAGE,
            AuditAction.CAMPAIGN_OPENED if opened else AuditAction.CAMPAIGN_CLOSED,
            target=f"campaign:{args.campaign_id}",
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
