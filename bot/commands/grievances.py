"""`sauti grievance list|show|update`: the grievance desk.

Cases are what participants raised with /feedback (F-…) or as a concern about a decision
(C-…). Each update moves the case one step and tells the participant, in their language.
Only the case's own text is shown, never who wrote it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bot.access.roles import Permission
from bot.app import App
from bot.audit.entry import AuditAction
from bot.commands.common import EXIT_USAGE, as_operator, with_app
from bot.loop.grievances import Desk
from bot.records.cases import Case, CaseError, CaseStatus, case_text, find_case, list_cases

STATUSES = [status.value for status in CaseStatus]


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(title="grievance commands")
    listing = sub.add_parser("list", help="cases, oldest first; overdue ones flagged")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--campaign")
    listing.add_argument("--org", help="only cases of this organisation's campaigns")
    listing.add_argument("--overdue", action="store_true", help="only cases past their time")
    listing.set_defaults(handler=_list)
    show = sub.add_parser("show", help="one case: what was said, and its steps")
    show.add_argument("reference")
    show.set_defaults(handler=_show)
    update = sub.add_parser("update", help="move a case on and tell the participant")
    update.add_argument("reference")
    update.add_argument("status", choices=STATUSES[1:])
    text = update.add_mutually_exclusive_group()
    text.add_argument("--message", default="", help="in the participant's language (see show)")
    text.add_argument("--message-file", type=Path)
    update.set_defaults(handler=_update)


def _list(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        now = _now_ms()
        # A case raised outside any campaign belongs to no organisation: only the operator's
        # unfiltered listing shows it.
        of_org = set(await app.campaigns.ids(args.org)) if args.org is not None else None
        cases = [
            case
            for case in await list_cases(app.redis, app.schema)
            if (args.status is None or case.status.value == args.status)
            and (args.campaign is None or case.campaign_id == args.campaign)
            and (of_org is None or case.campaign_id in of_org)
            and (not args.overdue or case.overdue(now))
        ]
        if not cases:
            print("no cases", file=sys.stderr)
            return 0
        print("reference\tkind\tcampaign\tstatus\tchannel\tlanguage\treceived\tanswer by\t")
        for case in cases:
            flag = "OVERDUE" if case.overdue(now) else ""
            print(
                f"{case.reference}\t{case.kind}\t{case.campaign_id or '-'}\t{case.status.value}"
                f"\t{case.channel}\t{case.language}\t{_day(case.created_ms)}"
                f"\t{_day(case.due_ms)}\t{flag}"
            )
        return 0

    return with_app(work)


def _show(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        case = await find_case(app.redis, app.schema, args.reference)
        if case is None:
            print(f"sauti: no case '{args.reference}'", file=sys.stderr)
            return 1
        await _audited(app, case, Permission.CASES_READ, AuditAction.FREE_TEXT_READ, count=1)
        text = await case_text(app.redis, app.schema, app.crypto, case)
        print_case(case, text, _now_ms())
        return 0

    return with_app(work)


def print_case(case: Case, text: str | None, now_ms: int) -> None:
    about = f"decision {case.decision_ref}" if case.decision_ref else "feedback"
    print(f"case {case.reference} ({case.kind}, {about}) in '{case.campaign_id or '-'}'")
    print(f"  status: {case.status.value}; channel {case.channel}; language {case.language}")
    overdue = " OVERDUE" if case.overdue(now_ms) else ""
    due = _day(case.due_ms)
    print(f"  received {_day(case.created_ms)}; answer by {due}{overdue}")
    for status, at in case.history:
        print(f"  {_day(at)}: {status.value} (told the participant)")
    print(f"  they wrote: {text if text is not None else case.gone_why}")


def _update(args: argparse.Namespace) -> int:
    message = args.message
    if args.message_file is not None:
        try:
            message = args.message_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            print(f"{args.message_file}: cannot read: {error}", file=sys.stderr)
            return EXIT_USAGE

    async def work(app: App) -> int:
        case = await find_case(app.redis, app.schema, args.reference)
        if case is None:
            print(f"sauti: no case '{args.reference}'", file=sys.stderr)
            return 1
        desk = Desk(app.redis, app.schema, app.campaigns, app.crypto)
        try:
            result = await desk.step(case, CaseStatus(args.status), message, _now_ms())
        except CaseError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        await _audited(
            app,
            case,
            Permission.CASES_STEP,
            AuditAction.CASE_STEPPED,
            details={"status": result.case.status.value},
        )
        print(f"case {case.reference}: {result.case.status.value}; participant: {result.delivered}")
        return 0

    return with_app(work)


def _now_ms() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp() * 1000)


def _day(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d")


async def _audited(
    app: App,
    case: Case,
    permission: Permission,
    action: AuditAction,
    *,
    count: int | None = None,
    details: dict[str, str | int] | None = None,
) -> None:
    """The case's organisation's audit entry (a case raised outside any campaign belongs to
    no organisation: only the operator ever sees it, and there is no log to hold it)."""
    org = await app.campaigns.owner(case.campaign_id) if case.campaign_id else None
    if org is not None:
        await as_operator(
            app,
            org,
            permission,
            action,
            target=f"case:{case.reference}",
            count=count,
            details=details,
        )
