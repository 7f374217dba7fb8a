"""`sauti run`: serve web chat and process events, in one process or one role per process."""

from __future__ import annotations

import argparse
import sys

from bot.app import configure_logging
from bot.commands.common import EXIT_USAGE, load_settings, run_main
from bot.run import ROLES, RoleStoppedError, run


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role",
        action="append",
        choices=ROLES,
        help="run only this role (repeatable); default: all of them in this process",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings is None:
        return EXIT_USAGE
    configure_logging(settings)

    async def main() -> int:
        try:
            await run(settings, set(args.role or ROLES))
        except RoleStoppedError as error:
            print(f"sauti: {error}", file=sys.stderr)
            return 1
        return 0

    return run_main(main())
