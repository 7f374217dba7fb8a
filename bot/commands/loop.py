"""`sauti loop status|report|configure`: promises kept visible, and what came of them."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from bot.app import App
from bot.commands.common import with_app
from bot.loop.report import LoopReport, campaign_report, promise_of
from bot.records.suppression import suppress_count, suppress_distribution
from bot.time_zones import zone


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(title="loop commands")
    status = sub.add_parser("status", help="every campaign's promise; overdue ones flagged")
    status.add_argument("--org", help="only this organisation's campaigns")
    status.set_defaults(handler=_status)
    report = sub.add_parser("report", help="how well a campaign closed the loop")
    report.add_argument("campaign_id")
    report.set_defaults(handler=_report)
    configure = sub.add_parser("configure", help="a campaign's loop settings")
    configure.add_argument("campaign_id")
    configure.add_argument(
        "--timezone",
        required=True,
        help="e.g. Africa/Nairobi or UTC+03:00: quiet hours of those without a zone of their own",
    )
    configure.set_defaults(handler=_configure)


def _status(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        ledger = app.ledger()
        overdue = 0
        for campaign_id in await app.campaigns.ids(args.org):
            campaign = await app.campaigns.get(campaign_id)
            if campaign is None:
                continue
            promise = await promise_of(ledger, campaign, _today())
            due = promise.report_back_by.isoformat() if promise.report_back_by else "no date"
            flag = "\tOVERDUE: promised, nothing published" if promise.overdue else ""
            published = promise.published
            print(f"{campaign_id}\treport back by {due}\tpublished decisions {published}{flag}")
            overdue += promise.overdue
        return 1 if overdue else 0

    return with_app(work)


def _report(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        campaign = await app.campaigns.get(args.campaign_id)
        if campaign is None:
            print(f"sauti: no campaign '{args.campaign_id}'", file=sys.stderr)
            return 1
        report = await campaign_report(app.redis, app.schema, app.ledger(), campaign, _today())
        print_report(report, app.settings.privacy.min_cell)
        return 0

    return with_app(work)


def print_report(report: LoopReport, minimum: int) -> None:
    """The report as the API shows it: counts of people through the one suppression function
    (those told and not told make up the contributors: one line), `<minimum` when withheld."""
    promise = report.promise
    reach = suppress_distribution(
        [report.told, max(report.contributors - report.told, 0)],
        minimum,
        total=report.contributors,
    )
    told, contributors = reach.cells[0], reach.total
    share = report.told_share if not (told.withheld or contributors.withheld) else None
    due = promise.report_back_by.isoformat() if promise.report_back_by else "no date"
    print(f"campaign '{report.campaign_id}': promised to report back by {due}")
    if promise.overdue:
        print("  OVERDUE: the date has passed and no decision is published")
    print(f"  contributors: {contributors.label(minimum)}")
    print(f"  told an outcome: {told.label(minimum)} ({_share(share)})")
    shown = report.median_shown(minimum)
    median = (
        f"withheld (fewer than {minimum} told)"
        if report.median_of and shown is None
        else "-"
        if shown is None
        else f"{shown:g}"
    )
    print(f"  median days from answer to notice: {median}")
    print(f"  published decisions: {len(report.decisions)}")
    for stored in report.decisions:
        print(f"    {stored.id} v{stored.published_version} {stored.decision.status.value}")
    print(
        f"  not (or partly) adopted with a rationale in every language: "
        f"{report.with_rationale} of {report.owing_rationale} ({_share(report.rationale_share)})"
    )
    helpful, concerns, more, written = (
        suppress_count(report.reactions[name], minimum).label(minimum)
        for name in ("helpful", "concerns", "more", "written")
    )
    print(
        f"  reactions: helpful {helpful}, still concerned {concerns}, "
        f"asked for more {more}, concerns written {written}"
    )


def _configure(args: argparse.Namespace) -> int:
    try:
        zone(args.timezone)
    except ValueError as error:
        print(f"sauti: {error}", file=sys.stderr)
        return 2

    async def work(app: App) -> int:
        if await app.campaigns.get(args.campaign_id) is None:
            print(f"sauti: no campaign '{args.campaign_id}'", file=sys.stderr)
            return 1
        await app.redis.hset(app.schema.loop_campaign(args.campaign_id), "tz", args.timezone)
        print(f"campaign '{args.campaign_id}': quiet hours in {args.timezone}")
        return 0

    return with_app(work)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
