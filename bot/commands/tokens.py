"""`sauti token create|list|revoke`: API tokens for a company's scripts and integrations.

A token acts for one staff member in one organisation, with a role within theirs (by default
their own). It is printed once, when it is made: Sauti keeps only a hash of it. Making and
revoking one is in the organisation's audit log, as the operator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from bot.access.roles import Permission, Role, parse_role
from bot.access.tokens import MAX_DAYS, TokenError, TokenStore
from bot.app import App
from bot.audit.entry import AuditAction
from bot.commands.common import as_operator, organisation_for, with_app


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
        tokens = TokenStore(app.redis, app.schema)
        role = args.role or await tokens.owner_role(args.email.strip().lower(), org)
        if role is None:
            print(f"sauti: {args.email.strip().lower()} is not staff of '{org}'", file=sys.stderr)
            return 1
        days = args.expires or app.settings.api.token_days
        try:
            issued = await tokens.create(args.email, org, role, days)
        except TokenError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        token = issued.token
        await as_operator(
            app,
            org,
            Permission.STAFF_MANAGE,
            AuditAction.TOKEN_CREATED,
            target=f"token:{token.token_id}",
            details={"owner": token.email, "role": token.role.value, "days": days},
        )
        print(issued.secret_token)
        print(
            f"token {token.token_id} for {token.email} in '{org}' as {token.role.value}, "
            f"until {_day(token.expires_at)}: keep it secret, it is not shown again",
            file=sys.stderr,
        )
        return 0

    return with_app(work)


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
        try:
            token = await TokenStore(app.redis, app.schema).revoke(args.token_id.strip())
        except TokenError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        await as_operator(
            app,
            token.org,
            Permission.STAFF_MANAGE,
            AuditAction.TOKEN_REVOKED,
            target=f"token:{token.token_id}",
            details={"owner": token.email},
        )
        print(f"token {token.token_id} of {token.email} in '{token.org}' is revoked")
        return 0

    return with_app(work)


def _day(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M")
