"""`sauti` command line.

Survey authors: `sauti survey validate|chat`. Operators: `sauti run`, `sauti campaign ...`,
`sauti dead-letters ...`, `sauti whatsapp link|templates`. Engagement teams:
`sauti decision ...`, `sauti theme ...`, `sauti loop ...`, `sauti grievance ...`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.commands import (
    campaigns,
    dead_letters,
    decisions,
    grievances,
    loop,
    runtime,
    survey,
    themes,
    whatsapp,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    result: int = args.handler(args)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sauti", description=__doc__)
    commands = parser.add_subparsers(title="commands")
    operators = (survey, runtime, campaigns, dead_letters, whatsapp)
    for module in (*operators, decisions, themes, loop, grievances):
        module.register(commands)
    return parser


if __name__ == "__main__":
    sys.exit(main())
