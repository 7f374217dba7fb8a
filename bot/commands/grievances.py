"""`sauti grievance list|show|update|report`: the grievance desk.

Cases are what participants raised with /feedback (F-…) or as a concern about a decision (C-…).
The list puts open safety-flagged cases first, then urgent ones, then the most overdue, with the
time left to answer each. Each update moves the case one step (and may set its category and
urgency) and tells the participant, in their language. Only the case's own text is shown, never
who wrote it. The report gives per category the response times, overdue cases, reopen and
satisfaction rates, small cells withheld as in every aggregate."""

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
from bot.records.case_report import ROWS, CaseReport, ReportRow, Spread, case_report
from bot.records.cases import (
    Case,
    CaseError,
    CaseStatus,
    Category,
    Urgency,
    case_text,
    desk_order,
    find_case,
    list_cases,
)

STATUSES = [status.value for status in CaseStatus]
STEPS = [s.value for s in CaseStatus if s not in (CaseStatus.RECEIVED, CaseStatus.REOPENED)]
CATEGORIES = [category.value for category in Category]
URGENCIES = [urgency.value for urgency in Urgency]


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(title="grievance commands")
    listing = sub.add_parser(
        "list", help="the desk: safety-flagged first, then urgent, then overdue, with the time left"
    )
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--category", choices=list(ROWS))
    listing.add_argument("--campaign")
    listing.add_argument("--org", help="only cases of this organisation's campaigns")
    listing.add_argument("--overdue", action="store_true", help="only cases past their time")
    listing.set_defaults(handler=_list)
    show = sub.add_parser("show", help="one case: what was said, and its steps")
    show.add_argument("reference")
    show.set_defaults(handler=_show)
    update = sub.add_parser("update", help="move a case on and tell the participant")
    update.add_argument("reference")
    update.add_argument("status", choices=STEPS)
    update.add_argument("--category", choices=CATEGORIES, help="set or change its category")
    update.add_argument("--urgency", choices=URGENCIES, help="safety sorts first on the desk")
    text = update.add_mutually_exclusive_group()
    text.add_argument("--message", default="", help="in the participant's language (see show)")
    text.add_argument("--message-file", type=Path)
    update.set_defaults(handler=_update)
    report = sub.add_parser(
        "report", help="per category: response times, overdue, reopen and satisfaction rates"
    )
    report.add_argument("--org", help="only cases of this organisation's campaigns")
    report.add_argument("--campaign")
    report.set_defaults(handler=_report)


def _list(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        now = _now_ms()
        # A case raised outside any campaign belongs to no organisation: only the operator's
        # unfiltered listing shows it.
        of_org = set(await app.campaigns.ids(args.org)) if args.org is not None else None
        cases = sorted(
            (
                case
                for case in await list_cases(app.redis, app.schema)
                if (args.status is None or case.status.value == args.status)
                and (args.category is None or case.category_name == args.category)
                and (args.campaign is None or case.campaign_id == args.campaign)
                and (of_org is None or case.campaign_id in of_org)
                and (not args.overdue or case.overdue(now))
            ),
            key=desk_order,
        )
        if not cases:
            print("no cases", file=sys.stderr)
            return 0
        await _listing_audited(app, cases)
        # New columns go at the end: scripts reading the first ones keep working.
        print(
            "reference\tkind\tcampaign\tstatus\tchannel\tlanguage\treceived\tanswer by\t"
            "\ttime left\tcategory\turgency"
        )
        for case in cases:
            flag = "OVERDUE" if case.overdue(now) else ""
            print(
                f"{case.reference}\t{case.kind}\t{case.campaign_id or '-'}\t{case.status.value}"
                f"\t{case.channel}\t{case.language}\t{_day(case.created_ms)}"
                f"\t{_day(case.due_ms)}\t{flag}\t{countdown(case.due_in_ms(now))}"
                f"\t{case.category_name}\t{case.urgency.value}"
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
        reopen_days = app.settings.loop.case_reopen_days
        desk = Desk(app.redis, app.schema, app.campaigns, app.crypto, reopen_days=reopen_days)
        try:
            result = await desk.step(
                case,
                CaseStatus(args.status),
                message,
                _now_ms(),
                category=Category(args.category) if args.category else None,
                urgency=Urgency(args.urgency) if args.urgency else None,
            )
        except CaseError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        await _audited(
            app,
            case,
            Permission.CASES_STEP,
            AuditAction.CASE_STEPPED,
            details=_step_details(args, result.case.status),
        )
        print(f"case {case.reference}: {result.case.status.value}; participant: {result.delivered}")
        return 0

    return with_app(work)


def _step_details(args: argparse.Namespace, status: CaseStatus) -> dict[str, str | int]:
    details: dict[str, str | int] = {"status": status.value}
    if args.category:
        details["category"] = args.category
    if args.urgency:
        details["urgency"] = args.urgency
    return details


def _report(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        of_org = set(await app.campaigns.ids(args.org)) if args.org is not None else None
        cases = [
            case
            for case in await list_cases(app.redis, app.schema)
            if (args.campaign is None or case.campaign_id == args.campaign)
            and (of_org is None or case.campaign_id in of_org)
        ]
        print_report(case_report(cases, _now_ms(), app.settings.privacy.min_cell))
        return 0

    return with_app(work)


def print_report(report: CaseReport) -> None:
    """One line per category; `<N` is withheld (fewer than N, or withheld so that one that is
    cannot be worked out), `-` a time or rate with too few cases behind it."""
    minimum = report.min_cell
    print(
        "category\tcases\toverdue\tfirst response (median/p90)\tresolution (median/p90)"
        "\tresolved\treopened\treopen rate\tasked\tsatisfied\tsatisfaction rate"
    )
    for row in (*report.rows, report.total):
        print(_report_line(row, minimum))


def _report_line(row: ReportRow, minimum: int) -> str:
    def count(column: str) -> str:
        value = row.counts[column]
        return f"<{minimum}" if value is None else str(value)

    def rate(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    return "\t".join(
        [
            row.category,
            count("cases"),
            count("overdue"),
            _spread(row.first_response),
            _spread(row.resolution),
            count("resolved"),
            count("reopened"),
            rate(row.reopen_rate),
            count("asked"),
            count("satisfied"),
            rate(row.satisfaction_rate),
        ]
    )


def _spread(spread: Spread) -> str:
    if spread.median_s is None or spread.p90_s is None:
        return "-"
    return f"{_duration(spread.median_s)}/{_duration(spread.p90_s)}"


def _duration(seconds: int) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f}d"
    return f"{seconds / 3600:.1f}h"


def countdown(left_ms: int | None) -> str:
    """The time left to answer ("3d 4h"), "-2d 1h" once overdue, "-" when none is owed."""
    if left_ms is None:
        return "-"
    sign, left = ("-", -left_ms) if left_ms < 0 else ("", left_ms)
    hours = left // 3_600_000
    return f"{sign}{hours // 24}d {hours % 24}h"


def _now_ms() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp() * 1000)


def _day(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d")


async def _listing_audited(app: App, cases: list[Case]) -> None:
    """Each organisation whose cases the list shows gets an entry: the operator read them
    (how many). Cases outside any campaign belong to no organisation's log."""
    shown: dict[str, int] = {}
    for case in cases:
        org = await app.campaigns.owner(case.campaign_id) if case.campaign_id else None
        if org is not None:
            shown[org] = shown.get(org, 0) + 1
    for org, count in sorted(shown.items()):
        await as_operator(app, org, Permission.CASES_READ, AuditAction.CASES_LISTED, count=count)


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
