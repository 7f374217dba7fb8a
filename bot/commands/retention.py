"""`sauti retention report|run`: how long each campaign's personal-level data is kept after it
closes, and erasing what is due (docs/data-protection.md, retention)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from bot.access.roles import Permission
from bot.app import App
from bot.commands.common import as_operator, with_app
from bot.conversation.campaign import DAY_MS, Campaign
from bot.records.suppression import suppress_count
from bot.runtime.retention import holding, is_due
from bot.runtime.retention_job import erase_due
from bot.storage.errors import STORAGE_FAILURE, is_storage_unavailable
from dialogues import SurveyDefinitionError


def register(parser: argparse.ArgumentParser) -> None:
    retention = parser.add_subparsers(title="retention commands")
    report = retention.add_parser(
        "report", help="per campaign: closed at, retention, due date, respondents still held"
    )
    report.add_argument("--org", help="only this organisation's campaigns")
    report.set_defaults(handler=_report)
    run = retention.add_parser("run", help="erase the personal-level data that is due now")
    run.add_argument("--campaign", help="only this campaign")
    run.add_argument(
        "--dry-run", action="store_true", help="say what would be erased, erase nothing"
    )
    run.set_defaults(handler=_run)


def _report(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        if args.org is not None and await app.organisations().get(args.org) is None:
            print(f"sauti: no organisation '{args.org}' (sauti org list)", file=sys.stderr)
            return 1
        ids = await app.campaigns.ids(args.org)
        if not ids:
            print("no campaigns yet: sauti campaign load FILE")
            return 0
        minimum = app.settings.privacy.min_cell
        print("campaign\torganisation\tclosed at\tretention\tdue\trespondents held\twhen")
        now_ms = _now_ms()
        for campaign_id in ids:
            campaign = await _campaign(app, campaign_id)
            if campaign is None:
                continue
            held = suppress_count(await holding(app.redis, app.schema, campaign_id), minimum)
            purged = await app.campaigns.purged_at(campaign_id)
            until = campaign.kept_until_ms
            print(
                f"{campaign_id}\t{campaign.org}\t{_date(campaign.closed_ms)}"
                f"\t{campaign.retention_days} days\t{_date(until)}\t{held.label(minimum)}"
                f"\t{_when(campaign, purged, now_ms)}"
            )
        return 0

    return with_app(work)


def _run(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        ids = [args.campaign] if args.campaign is not None else await app.campaigns.ids()
        due: list[Campaign] = []
        for campaign_id in ids:
            campaign = await _campaign(app, campaign_id)
            if campaign is None:
                if args.campaign is not None:
                    print(f"sauti: no campaign '{campaign_id}'", file=sys.stderr)
                    return 1
                continue
            await as_operator(app, campaign.org, Permission.CAMPAIGNS_MANAGE)
            purged = await app.campaigns.purged_at(campaign_id)
            if is_due(campaign, _now_ms()) and purged is None:
                due.append(campaign)
            elif args.campaign is not None:
                when = _when(campaign, purged, _now_ms())
                print(f"campaign '{campaign_id}': {when}, nothing to erase")
        if args.dry_run:
            minimum = app.settings.privacy.min_cell
            for campaign in due:
                held = suppress_count(await holding(app.redis, app.schema, campaign.id), minimum)
                print(f"would erase campaign '{campaign.id}': {held.label(minimum)} respondents")
            if not due:
                print("nothing is due")
            return 0
        failed = 0
        for campaign in due:
            try:
                erased = await erase_due(
                    app.redis,
                    app.schema,
                    app.campaigns,
                    app.audit_log(),
                    only=campaign.id,
                    by="command",
                    dedupe_seconds=app.settings.dedupe_ttl_seconds,
                )
            except STORAGE_FAILURE as error:
                if is_storage_unavailable(error):
                    raise
                # One campaign's failure holds up no other's retention.
                name = type(error).__name__
                print(
                    f"sauti: campaign '{campaign.id}': retention failed ({name})", file=sys.stderr
                )
                failed += 1
                continue
            for outcome in erased:
                # No count: a small one could point at someone (docs/data-protection.md).
                done = "erased" if outcome.completed else "not yet complete, the next run goes on"
                print(f"campaign '{outcome.campaign_id}': personal-level data {done}")
        if not due:
            print("nothing is due")
        return 1 if failed else 0

    return with_app(work)


async def _campaign(app: App, campaign_id: str) -> Campaign | None:
    try:
        return await app.campaigns.get(campaign_id)
    except SurveyDefinitionError:
        print(f"sauti: campaign '{campaign_id}' cannot be read", file=sys.stderr)
        return None


def _when(campaign: Campaign, purged: int | None, now_ms: int) -> str:
    until = campaign.kept_until_ms
    if until is None:
        return "open"
    if purged is not None:
        return f"erased {_date(purged)}"
    if until <= now_ms:
        return "due now"
    days = -(-(until - now_ms) // DAY_MS)
    return f"in {days} day" if days == 1 else f"in {days} days"


def _date(epoch_ms: int | None) -> str:
    if epoch_ms is None:
        return "-"
    return dt.datetime.fromtimestamp(epoch_ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M")


def _now_ms() -> int:
    return int(time.time() * 1000)
