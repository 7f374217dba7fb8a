"""`sauti triage alerts`: the open safety alerts staff raised on free-text answers, per
campaign — how many and since when, never what was written nor by whom (that is for the
organisation's staff who read responses, in the console or the API)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import defaultdict

from bot.app import App
from bot.commands.common import with_app
from bot.records.triage_marks import SafetyAlert, open_alerts


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(title="triage commands")
    alerts = sub.add_parser("alerts", help="open safety alerts per campaign (counts only)")
    alerts.add_argument("--org", help="only this organisation's campaigns")
    alerts.set_defaults(handler=_alerts)


def _alerts(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        campaign_ids = await app.campaigns.ids(args.org)
        per_campaign: dict[str, list[SafetyAlert]] = defaultdict(list)
        for alert in await open_alerts(app.redis, app.schema, campaign_ids):
            per_campaign[alert.campaign_id].append(alert)
        if not per_campaign:
            print("no open safety alerts", file=sys.stderr)
            return 0
        for campaign_id, alerts in sorted(per_campaign.items()):
            owner = await app.campaigns.owner(campaign_id) or "-"
            oldest = dt.datetime.fromtimestamp(alerts[0].raised_ms / 1000, dt.UTC)
            count = len(alerts)
            noun = "alert" if count == 1 else "alerts"
            print(
                f"{owner}\t{campaign_id}\t{count} open safety {noun}, "
                f"the oldest raised {oldest:%Y-%m-%d %H:%M} UTC"
            )
        return 0

    return with_app(work)
