"""`sauti theme tag|untag|import|list`: themes on free-text answers, for decision rules.

Read the free text in a campaign export, then tag answers by response id (the participant's
pseudonym in the export / question id), one at a time or from a CSV of
`response_id,theme[,theme...]` rows.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from bot.access.roles import Permission
from bot.app import App
from bot.commands.common import as_operator, with_app
from bot.conversation.campaign import Campaign
from bot.loop.themes import Responses, ThemeError, theme_counts
from bot.records.suppression import suppress_counts


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(title="theme commands")
    for name, handler, what in (
        ("tag", _tag, "add themes to a free-text answer"),
        ("untag", _untag, "remove themes from a free-text answer"),
    ):
        command = sub.add_parser(name, help=what)
        command.add_argument("campaign_id")
        command.add_argument("response_id", help="<participant>/<question id>, as in exports")
        command.add_argument("themes", nargs="+", metavar="THEME")
        command.set_defaults(handler=handler)
    imported = sub.add_parser("import", help="tag answers from a CSV: response_id,theme,...")
    imported.add_argument("campaign_id")
    imported.add_argument("file", type=Path)
    imported.set_defaults(handler=_import)
    listing = sub.add_parser("list", help="answers per theme in a campaign")
    listing.add_argument("campaign_id")
    listing.set_defaults(handler=_list)


def _tag(args: argparse.Namespace) -> int:
    return _change(args, adding=True)


def _untag(args: argparse.Namespace) -> int:
    return _change(args, adding=False)


def _change(args: argparse.Namespace, *, adding: bool) -> int:
    async def work(app: App) -> int:
        campaign = await app.campaigns.get(args.campaign_id)
        if campaign is None:
            print(f"sauti: no campaign '{args.campaign_id}'", file=sys.stderr)
            return 1
        responses = await _responses(app, campaign)
        change = responses.tag if adding else responses.untag
        try:
            now = await change(args.response_id, args.themes)
        except ThemeError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        print(f"{args.response_id}: {', '.join(now) or '(no themes)'}")
        return 0

    return with_app(work)


def _import(args: argparse.Namespace) -> int:
    try:
        with args.file.open(encoding="utf-8", newline="") as handle:
            rows = [row for row in csv.reader(handle) if row and row[0].strip()]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        print(f"{args.file}: cannot read: {error}", file=sys.stderr)
        return 1
    if rows and rows[0][0].strip() == "response_id":
        rows = rows[1:]  # a header

    async def work(app: App) -> int:
        campaign = await app.campaigns.get(args.campaign_id)
        if campaign is None:
            print(f"sauti: no campaign '{args.campaign_id}'", file=sys.stderr)
            return 1
        responses = await _responses(app, campaign)
        await responses.look_up(row[0] for row in rows)
        failed = 0
        for number, row in enumerate(rows, start=1):
            themes = [cell for cell in row[1:] if cell.strip()]
            try:
                await responses.tag(row[0], themes)
            except ThemeError as error:
                failed += 1
                print(f"{args.file}: row {number}: {error}", file=sys.stderr)
        print(f"tagged {len(rows) - failed} answers ({failed} rows failed)")
        return 1 if failed else 0

    return with_app(work)


async def _responses(app: App, campaign: Campaign) -> Responses:
    await as_operator(app, campaign.org, Permission.THEMES_WRITE)
    return Responses(app.redis, app.schema, campaign, await app.pseudonyms(campaign.org))


def _list(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        counts = await theme_counts(app.redis, app.schema, args.campaign_id)
        if not counts:
            print(f"no tagged answers in '{args.campaign_id}'")
        minimum = app.settings.privacy.min_cell  # as the API counts them: small ones withheld
        for theme, cell in suppress_counts(counts, minimum):
            print(f"{theme}\t{cell.label(minimum)}")
        return 0

    return with_app(work)
