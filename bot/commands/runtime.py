"""`sauti run`: serve web chat and process events, in one process or one role per process."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from redis.exceptions import RedisError

from bot.app import ConfigurationError, configure_logging
from bot.commands.common import EXIT_UNAVAILABLE, EXIT_USAGE, load_settings
from bot.run import ROLES, run
from bot.storage.errors import StorageError


def register(commands: Any) -> None:
    parser = commands.add_parser("run", help="run Sauti (web server and workers)")
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
    try:
        asyncio.run(run(settings, set(args.role or ROLES)))
    except ConfigurationError as error:
        print(f"sauti: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (RedisError, StorageError) as error:
        print(f"sauti: Redis is not available: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        pass
    return 0
