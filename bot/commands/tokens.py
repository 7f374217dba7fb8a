"""`sauti token create|list|revoke`: API tokens for a company's scripts and integrations.

A token acts for one staff member in one organisation, with a role within theirs (by default
their own). It is printed once, when it is made: Sauti keeps only a hash of it. Making and
revoking one is in the organisation's audit log, as the operator (the rules are the API's:
bot.access.membership).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from bot.access.permissions import NotFoundError, Principal
from bot.access.roles import Role, parse_role
from bot.access.staff import StaffError
from bot.access.tokens import MAX_DAYS, TokenError, TokenStore
from bot.app import App
from bot.commands.common import organisation_for, with_app
from bot.staff_web.wiring import build_staff_changes


def register(parser: argparse.ArgumentParser) -> None:
    token = parser.add_subparsers(title="token commands")
    create = token.add_parser("create", help="make an API token for a staff member (shown once)")
    create.add_argument("email")
    create.add_argument("--org", help="the organisation's slug (needed when there are several)")
    create.add_argument(
        "--role", type=_role, help="within the member's own role (default: their role)"
    )
    create.add_argument(
        "--expires", type=_days, metavar="DAYS", help=f"days it lasts, 1-{MAX_DAYS}"
    )
    create.set_defaults(handler=_create)
    listing = token.add_parser("list", help="an organisation's tokens (never the tokens)")
    listing.add_argument("--org")
    listing.set_defaults(handler=_list)
    revoke = token.add_parser("revoke", help="stop a token at once")
    revoke.add_argument("token_id")
    revoke.set_defaults(handler=_revoke)


def _role(text: str) -> Role:
    try:
        return parse_role(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"a whole number of days from 1 to {MAX_DAYS}")
    return days


def _create(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        org = await organisation_for(app, args.org)
        if org is None:
            return 1
        days = args.expires or app.settings.api.token_days
        try:
            issued = await build_staff_changes(app).create_token(
                Principal.operator(org), args.email, args.role, days
            )
        except (TokenError, StaffError, NotFoundError) as error:
            print(f"sauti: {_not_staff(error, args.email, org)}", file=sys.stderr)
            return 1
        token = issued.token
        print(issued.secret_token)
        print(
            f"token {token.token_id} for {token.email} in '{org}' as {token.role.value}, "
            f"until {_day(token.expires_at)}: keep it secret, it is not shown again",
            file=sys.stderr,
        )
        return 0

    return with_app(work)


def _not_staff(error: Exception, email: str, org: str) -> str:
    if isinstance(error, NotFoundError):
        return f"{email.strip().lower()} is not staff of '{org}'"
    return str(error)


def _list(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        org = await organisation_for(app, args.org)
        if org is None:
            return 1
        listed = await TokenStore(app.redis, app.schema).listed(org)
        if not listed:
            print(f"no API tokens in '{org}': sauti token create EMAIL --org {org}")
            return 0
        print("id\towner\trole\texpires\tlast used")
        for token in listed:
            used = _day(token.last_used_at) if token.last_used_at is not None else "never"
            print(
                f"{token.token_id}\t{token.email}\t{token.role.value}"
                f"\t{_day(token.expires_at)}\t{used}"
            )
        return 0

    return with_app(work)


def _revoke(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        token_id = args.token_id.strip()
        token = await TokenStore(app.redis, app.schema).get(token_id)
        try:
            if token is None:
                raise NotFoundError(token_id)
            # The operator acts in the token's own organisation.
            await build_staff_changes(app).revoke_token(Principal.operator(token.org), token_id)
        except NotFoundError:
            print(f"sauti: no token '{token_id}' (sauti token list --org ORG)", file=sys.stderr)
            return 1
        print(f"token {token.token_id} of {token.email} in '{token.org}' is revoked")
        return 0

    return with_app(work)


def _day(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M")
