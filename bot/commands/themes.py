"""`sauti theme tag|untag|import|list|suggest`: themes on free-text answers, for decision rules.

Read the free text in a campaign export, then tag answers by response id (the participant's
pseudonym in the export / question id), one at a time or from a CSV of
`response_id,theme[,theme...]` rows. `suggest` lists the themes the tagged answers suggest for
the newest answers, with the model's confidence, for someone to tag (or not) by hand.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from bot.access.roles import Permission
from bot.app import App
from bot.audit.entry import AuditAction
from bot.commands.common import as_operator, with_app
from bot.conversation.campaign import Campaign
from bot.loop.theme_suggestions import learnt_suggester, suggest
from bot.loop.themes import Responses, ThemeError, theme_counts
from bot.records.suppression import suppress_counts
from bot.records.triage import TriageFilter, TriageQueue


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
    suggesting = sub.add_parser(
        "suggest", help="themes suggested for the newest free-text answers (nothing is tagged)"
    )
    suggesting.add_argument("campaign_id")
    suggesting.add_argument("--limit", type=int, default=50, help="answers to read (newest)")
    suggesting.set_defaults(handler=_suggest)


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


def _suggest(args: argparse.Namespace) -> int:
    """Response ids and suggested themes only: the words stay in the export and the console."""
    if not 1 <= args.limit <= 1000:
        print("sauti: --limit is from 1 to 1000", file=sys.stderr)
        return 2

    async def work(app: App) -> int:
        campaign = await app.campaigns.get(args.campaign_id)
        if campaign is None:
            print(f"sauti: no campaign '{args.campaign_id}'", file=sys.stderr)
            return 1
        await as_operator(
            app,
            campaign.org,
            Permission.THEMES_WRITE,
            AuditAction.THEMES_SUGGESTED,
            target=f"campaign:{campaign.id}",
        )
        pseudonyms = await app.pseudonyms(campaign.org)
        queue = TriageQueue(app.redis, app.schema, app.crypto, campaign.id, pseudonyms)
        suggester = await learnt_suggester(queue)
        readiness = suggester.readiness
        print(f"learnt from {suggester.learnt_from} tagged answers")
        for theme, tagged in readiness.too_few.items():
            print(f"not suggested: {theme} ({tagged} tagged; needs {readiness.minimum} with it"
                  f" and {readiness.minimum} without)")  # fmt: skip
        if not readiness.ready:
            print("no theme has enough tagged answers to suggest yet")
            return 0
        found, _ = await queue.page(None, args.limit, TriageFilter())
        suggested = await suggest(app.redis, app.schema, campaign.id, suggester, found)
        for answer in suggested:
            for suggestion in answer.suggestions:
                print(f"{answer.item.response_id}\t{suggestion.theme}\t{suggestion.confidence:.2f}")
        if not any(answer.suggestions for answer in suggested):
            print(f"no suggestions for the newest {args.limit} answers")
        return 0

    return with_app(work)
