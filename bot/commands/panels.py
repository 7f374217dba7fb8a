"""`sauti panel show`: an organisation's panel (bot.panels), every count of people printed
through the one small-cell suppression function. Inviting it: `invitations`."""

from __future__ import annotations

import argparse
import sys

from bot.access.organisations import DEFAULT_ORG
from bot.access.roles import Permission
from bot.app import App
from bot.commands.common import as_operator, shown_count, with_app
from bot.panels.census import count_panel
from bot.panels.members import PanelReader
from bot.panels.segment import Segment, SegmentError, parse_segment
from bot.panels.shown import shown_panel

SEGMENT_HELP = "profile attributes, e.g. 'language=sw area=north group=displaced' (all: none)"


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(title="panel commands")
    show = sub.add_parser("show", help="an organisation's panel: members by attribute")
    show.add_argument("--org", default=DEFAULT_ORG, help="the organisation (default: default)")
    show.add_argument("--segment", default="", help=SEGMENT_HELP)
    show.set_defaults(handler=_show)


def read_segment(text: str) -> Segment | None:
    try:
        return parse_segment(text)
    except SegmentError as error:
        print(f"sauti: --segment: {error}", file=sys.stderr)
        return None


def _show(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        segment = read_segment(args.segment)
        if segment is None:
            return 2
        await as_operator(app, args.org, Permission.PANEL_READ)
        inviter = app.inviter()
        scope = await inviter.scope(args.org)
        reader = PanelReader(app.redis, app.schema)
        panels = app.settings.panels
        counts = await count_panel(reader, app.schema.shards, scope, segment, panels.invite_batch)
        minimum = app.settings.privacy.min_cell
        shown = shown_panel(counts, minimum)
        print(f"panel of '{args.org}'{f' ({segment})' if args.segment else ''}")
        print(f"members: {shown_count(shown.members, minimum)}")
        for attribute, values in shown.by.items():
            print(f"by {attribute}:")
            for value, count in values:
                print(f"  {value or '(not told)':<16} {shown_count(count, minimum)}")
        if shown.groups:
            print("by group (one person may be in several):")
            for value, count in shown.groups:
                print(f"  {value:<16} {shown_count(count, minimum)}")
        return 0

    return with_app(work)
