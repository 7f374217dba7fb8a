"""`sauti invite preview|send`: a segment of an organisation's panel invited to one of its
campaigns (bot.panels.inviting). Every count of people is printed through the one small-cell
suppression function; sending is audited (`panel_invited`)."""

from __future__ import annotations

import argparse
import sys
import time

from bot.access.roles import Permission
from bot.app import App
from bot.audit.entry import AuditAction
from bot.commands.common import as_operator, shown_count, stored_campaign, with_app
from bot.commands.panels import SEGMENT_HELP, read_segment
from bot.conversation.campaign import Campaign
from bot.panels.inviting import InvitationCounts
from bot.panels.segment import Segment
from bot.panels.shown import shown_invitation

REASONS = {
    "erased": "erased",
    "no_consent": "no consent to be contacted again",
    "opted_out": "said stop",
    "unreachable": "unreachable (blocked Sauti)",
    "hidden": "left with a quick exit",
    "already_invited": "already invited to this campaign",
    "already_joined": "already in this campaign",
    "unfinished": "another survey of theirs unfinished",
    "over_budget": "over the invitation budget",
    "not_in_their_language": "the survey is not in their language",
}


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(title="invite commands")
    for name, handler, text in (
        ("preview", _preview, "who would be invited, and who is left out and why"),
        ("send", _send, "invite the segment now (bulk priority; run again: nobody twice)"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("campaign_id")
        command.add_argument("--segment", default="", help=SEGMENT_HELP)
        command.set_defaults(handler=handler)


async def _campaign(app: App, campaign_id: str) -> Campaign | int:
    campaign = await stored_campaign(app, campaign_id)
    if isinstance(campaign, Campaign) and not campaign.is_open:
        print(f"sauti: campaign '{campaign_id}' is closed: open it first", file=sys.stderr)
        return 1
    return campaign


async def _target(
    app: App, args: argparse.Namespace, permission: Permission
) -> tuple[Campaign, Segment] | int:
    """The open campaign and the segment the command names, once the operator may act on the
    campaign's organisation; else the exit status (the reason printed)."""
    segment = read_segment(args.segment)
    if segment is None:
        return 2
    campaign = await _campaign(app, args.campaign_id)
    if not isinstance(campaign, Campaign):
        return campaign
    await as_operator(app, campaign.org, permission)
    return campaign, segment


def _preview(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        target = await _target(app, args, Permission.PANEL_READ)
        if isinstance(target, int):
            return target
        campaign, segment = target
        counts = await app.inviter().preview(campaign, segment, int(time.time() * 1000))
        _print(app, campaign, segment, counts, "would be invited")
        return 0

    return with_app(work)


def _send(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        target = await _target(app, args, Permission.PANEL_INVITE)
        if isinstance(target, int):
            return target
        campaign, segment = target
        counts = await app.inviter().send(campaign, segment, int(time.time() * 1000))
        await as_operator(
            app,
            campaign.org,
            Permission.PANEL_INVITE,
            AuditAction.PANEL_INVITED,
            target=f"campaign:{campaign.id}",
            count=counts.invited_total,
            details={"segment": str(segment) or "(whole panel)"},
        )
        _print(app, campaign, segment, counts, "invited")
        print("the sender role of `sauti run` delivers them, paced by each channel's limits")
        return 0

    return with_app(work)


def _print(
    app: App, campaign: Campaign, segment: Segment, counts: InvitationCounts, verb: str
) -> None:
    minimum = app.settings.privacy.min_cell
    shown = shown_invitation(counts, minimum)
    print(f"campaign '{campaign.id}', segment: {str(segment) or '(whole panel)'}")
    print(f"panel members in the segment: {shown_count(shown.members, minimum)}")
    print(f"{verb}: {shown_count(shown.invited, minimum)}")
    for title, values in (("language", shown.by_language), ("channel", shown.by_channel)):
        for value, count in values:
            print(f"  {title} {value:<10} {shown_count(count, minimum)}")
    if counts.held:
        held = shown_count(shown.held, minimum)
        print(f"in their quiet hours now (a later run invites them): {held}")
    if shown.excluded:
        print("left out:")
        for reason, count in shown.excluded:
            print(f"  {REASONS[reason]:<40} {shown_count(count, minimum)}")
