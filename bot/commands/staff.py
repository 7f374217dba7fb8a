"""`sauti staff add|list|role|remove|reset`: the people of an organisation and their roles, and
the one-time setup links through which they get in."""

from __future__ import annotations

import argparse
import sys

from bot.access.roles import Permission, Role, parse_role, reads_personal_data
from bot.access.staff import StaffError, normal_email
from bot.app import App
from bot.audit.entry import AuditAction
from bot.commands.common import as_operator, organisation_for, with_app
from bot.staff_web.wiring import build_sign_in, setup_url


def register(parser: argparse.ArgumentParser) -> None:
    staff = parser.add_subparsers(title="staff commands")
    add = staff.add_parser("add", help="give someone a role in an organisation")
    add.add_argument("email")
    add.add_argument("--org", help="the organisation's slug (needed when there are several)")
    add.add_argument("--role", type=_role, required=True, help=_ROLES)
    add.set_defaults(handler=_add)
    listing = staff.add_parser("list", help="an organisation's staff and their roles")
    listing.add_argument("--org")
    listing.set_defaults(handler=_list)
    role = staff.add_parser("role", help="change someone's role")
    role.add_argument("email")
    role.add_argument("role", type=_role, help=_ROLES)
    role.add_argument("--org")
    role.set_defaults(handler=_set_role)
    remove = staff.add_parser("remove", help="take someone out of an organisation")
    remove.add_argument("email")
    remove.add_argument("--org")
    remove.set_defaults(handler=_remove)
    reset = staff.add_parser(
        "reset",
        help="a new setup link for someone who lost their password or second factor (the "
        "old ones stop working, and they are signed out everywhere)",
    )
    reset.add_argument("email")
    reset.set_defaults(handler=_reset)


_ROLES = "viewer, analyst, caseworker or admin"


def _role(text: str) -> Role:
    try:
        return parse_role(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        org = await organisation_for(app, args.org)
        if org is None:
            return 1
        try:
            new = await app.staff().add(args.email, org, args.role)
        except StaffError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        who = args.email.strip().lower()
        await _recorded(app, org, AuditAction.STAFF_ADDED, who, {"role": args.role.value})
        print(f"{who} is {args.role.value} in '{org}'" + (" (new account)" if new else ""))
        if reads_personal_data(args.role):
            print("this role reads personal data: signing in needs a second factor (TOTP)")
        await _link_if_needed(app, who, args.role)
        return 0

    return with_app(work)


async def _link_if_needed(app: App, email: str, role: Role) -> None:
    """A setup link for an account that cannot sign in yet; for one that can, what (if
    anything) it still needs."""
    member = await app.staff().get(email)
    if member is None:
        return
    if member.password_hash is None:
        await _print_link(app, email, await build_sign_in(app).links.issue(email))
    elif reads_personal_data(role) and member.totp_secret is None:
        print(f"{email} has no second factor yet: sauti staff reset {email} gives them a link")
    else:
        print(f"{email} signs in with their existing password")


async def _print_link(app: App, email: str, token: str) -> None:
    hours = app.settings.staff.setup_link_seconds // 3600
    print(f"send {email} this one-time setup link (it works once, for {hours} h):")
    print(setup_url(app, token))


def _reset(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        try:
            email = normal_email(args.email)
            member = await app.staff().get(email)
            for org in sorted(member.roles) if member is not None else ():
                reason = {"reason": "reset"}
                await _recorded(app, org, AuditAction.SIGN_OUT_EVERYWHERE, email, reason)
            token = await build_sign_in(app).reset(email)
        except StaffError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        print(f"{email}: password and second factor removed, signed out everywhere")
        await _print_link(app, email, token)
        return 0

    return with_app(work)


def _list(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        org = await organisation_for(app, args.org)
        if org is None:
            return 1
        members = await app.staff().members(org)
        if not members:
            print(f"no staff in '{org}' yet: sauti staff add EMAIL --org {org} --role admin")
        for email, role in members:
            print(f"{email}\t{role.value}")
        return 0

    return with_app(work)


def _set_role(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        org = await organisation_for(app, args.org)
        if org is None:
            return 1
        try:
            before = await app.staff().set_role(args.email, org, args.role)
        except StaffError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        who = args.email.strip().lower()
        changed = {"from": before.value, "to": args.role.value}
        await _recorded(app, org, AuditAction.ROLE_CHANGED, who, changed)
        print(f"{who} in '{org}': {before.value} -> {args.role.value}")
        member = await app.staff().get(who)
        if member is not None and reads_personal_data(args.role) and member.totp_secret is None:
            print(
                "this role reads personal data and the account has no second factor: "
                f"sauti staff reset {who} gives them a link to set one up"
            )
        return 0

    return with_app(work)


def _remove(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        org = await organisation_for(app, args.org)
        if org is None:
            return 1
        try:
            await app.staff().remove(args.email, org)
        except StaffError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        who = args.email.strip().lower()
        await _recorded(app, org, AuditAction.STAFF_REMOVED, who)
        print(f"{who} is no longer staff of '{org}'")
        return 0

    return with_app(work)


async def _recorded(
    app: App, org: str, action: AuditAction, email: str, details: dict[str, str] | None = None
) -> None:
    """A change to someone's place in `org`, through the permission check and into its audit
    log as the operator's."""
    await as_operator(
        app, org, Permission.STAFF_MANAGE, action, target=f"staff:{email}", details=details
    )
