"""`sauti org create|list`: the organisations a deployment hosts."""

from __future__ import annotations

import argparse
import sys

from bot.access.organisations import OrganisationError
from bot.app import App
from bot.commands.common import with_app


def register(parser: argparse.ArgumentParser) -> None:
    org = parser.add_subparsers(title="organisation commands")
    create = org.add_parser("create", help="add an organisation")
    create.add_argument("slug", help="short name used in commands: lower-case letters, digits, -")
    create.add_argument("--name", required=True, help="the organisation's full name")
    create.set_defaults(handler=_create)
    listing = org.add_parser("list", help="organisations, with their campaigns and staff")
    listing.set_defaults(handler=_list)


def _create(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        try:
            organisation = await app.organisations().create(args.slug, args.name)
        except OrganisationError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        print(f"organisation '{organisation.slug}' created: {organisation.name}")
        print(f"next: sauti staff add EMAIL --org {organisation.slug} --role admin")
        return 0

    return with_app(work)


def _list(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        organisations = await app.organisations().all()
        if not organisations:
            print('no organisations yet: sauti org create SLUG --name "..."')
        for organisation in organisations:
            campaigns = await app.campaigns.ids(organisation.slug)
            staff = await app.staff().members(organisation.slug)
            print(
                f"{organisation.slug}\t{organisation.name}\tcampaigns {len(campaigns)}"
                f"\tstaff {len(staff)}"
            )
        return 0

    return with_app(work)
