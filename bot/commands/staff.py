"""`sauti staff add|list|role|remove|reset`: the people of an organisation and their roles, and
the one-time setup links through which they get in. The rules and audit entries are those of
the API and the console (bot.access.membership), as the operator."""

from __future__ import annotations

import argparse
import sys

from bot.access.permissions import NotFoundError, Principal
from bot.access.roles import Role, parse_role, reads_personal_data
from bot.access.staff import StaffError, normal_email
from bot.app import App
from bot.commands.common import organisation_for, with_app
from bot.staff_web.wiring import build_staff_changes, setup_url


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
            added = await build_staff_changes(app).add(
                Principal.operator(org), args.email, args.role
            )
        except StaffError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        who, role = added.email, added.role.value
        print(f"{who} is {role} in '{org}'" + (" (new account)" if added.new_account else ""))
        if reads_personal_data(added.role):
            print("this role reads personal data: signing in needs a second factor (TOTP)")
        if added.setup_token is not None:
            _print_link(app, who, added.setup_token)
        elif added.second_factor_missing:
            print(f"{who} has no second factor yet: sauti staff reset {who} gives them a link")
        else:
            print(f"{who} signs in with their existing password")
        return 0

    return with_app(work)


def _print_link(app: App, email: str, token: str) -> None:
    hours = app.settings.staff.setup_link_seconds // 3600
    print(f"send {email} this one-time setup link (it works once, for {hours} h):")
    print(setup_url(app, token))


def _reset(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        try:
            email = normal_email(args.email)
            member = await app.staff().get(email)
            if member is None or not member.roles:
                raise StaffError(f"{email} is no staff member")
            # The operator answers for every organisation of the account: acting in any one.
            operator = Principal.operator(sorted(member.roles)[0])
            token = await build_staff_changes(app).reset(operator, email)
        except StaffError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        print(f"{email}: password and second factor removed, signed out everywhere")
        _print_link(app, email, token)
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
            who = normal_email(args.email)
            before = await build_staff_changes(app).set_role(
                Principal.operator(org), who, args.role
            )
        except (StaffError, NotFoundError) as error:
            print(f"sauti: {_not_staff(error, args.email, org)}", file=sys.stderr)
            return 1
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
            who = normal_email(args.email)
            await build_staff_changes(app).remove(Principal.operator(org), who)
        except (StaffError, NotFoundError) as error:
            print(f"sauti: {_not_staff(error, args.email, org)}", file=sys.stderr)
            return 1
        print(f"{who} is no longer staff of '{org}'")
        return 0

    return with_app(work)


def _not_staff(error: Exception, email: str, org: str) -> str:
    """What went wrong, said as the command line always said it."""
    if isinstance(error, NotFoundError):
        return f"{email.strip().lower()} is not staff of '{org}'"
    return str(error)
