"""`sauti` command line.

Survey authors: `sauti survey validate|chat`. Operators: `sauti run`, `sauti campaign ...`,
`sauti retention ...`, `sauti keys ...`, `sauti dead-letters ...`, `sauti migrate`, `sauti
whatsapp link|templates`, `sauti triage alerts`, `sauti translations ...` (translators' files).
Engagement teams: `sauti decision ...`, `sauti theme ...`, `sauti loop ...`, `sauti grievance
...`. Organisations and their staff: `sauti org ...`, `sauti staff ...`, `sauti token ...`.
Typed messages: `sauti nlu ...`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each command: the module that registers its arguments and handlers, and its one-line help.
# A module is imported only when its command is asked for: between them they load Redis,
# aiohttp and aiogram (seconds on a small machine), and `sauti --help` should answer at once.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "survey": ("bot.commands.survey", "work on survey files"),
    "run": ("bot.commands.runtime", "run Sauti (web server and workers)"),
    "campaign": ("bot.commands.campaigns", "manage campaigns"),
    "dead-letters": ("bot.commands.dead_letters", "events that kept failing: list and replay them"),
    "migrate": ("bot.commands.migrate", "bring the data in Redis up to this version's formats"),
    "whatsapp": ("bot.commands.whatsapp", "WhatsApp: click-to-chat links and approved templates"),
    "decision": ("bot.commands.decisions", "record decisions and tell people about them"),
    "theme": ("bot.commands.themes", "tag free-text answers with themes"),
    "triage": ("bot.commands.triage", "safety alerts raised on free-text answers"),
    "loop": ("bot.commands.loop", "promises to report back, and the loop report"),
    "panel": ("bot.commands.panels", "an organisation's panel: who may be asked again"),
    "invite": ("bot.commands.invitations", "invite a panel segment to a campaign"),
    "grievance": ("bot.commands.grievances", "answer what participants raised"),
    "org": ("bot.commands.orgs", "organisations a deployment hosts"),
    "staff": ("bot.commands.staff", "an organisation's staff and their roles"),
    "audit": ("bot.commands.audit", "an organisation's audit log: list, export, verify"),
    "token": ("bot.commands.tokens", "API tokens of the JSON API (docs/api.md)"),
    "retention": ("bot.commands.retention", "how long personal data is kept; erase what is due"),
    "keys": ("bot.commands.keys", "master keys: rotate them so erasure reaches backups"),
    "translations": ("bot.commands.translations", "translators' files: export, import, status"),
    "nlu": ("bot.commands.nlu", "the intents read in typed messages: train, classify, export"),
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(_command_named(arguments))
    args = parser.parse_args(arguments)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    result: int = args.handler(args)
    return result


def _parser(chosen: str | None) -> argparse.ArgumentParser:
    """Every command listed with its help; only the chosen one with its own arguments."""
    parser = argparse.ArgumentParser(prog="sauti", description=__doc__)
    commands = parser.add_subparsers(title="commands")
    for name, (module, help_text) in SUBCOMMANDS.items():
        command = commands.add_parser(name, help=help_text)
        if name == chosen:
            importlib.import_module(module).register(command)
    return parser


def _command_named(arguments: Sequence[str]) -> str | None:
    """The command the arguments ask for: the first that is not an option (`sauti` itself takes
    no option but --help, so no option's value can come before the command)."""
    return next((argument for argument in arguments if not argument.startswith("-")), None)


if __name__ == "__main__":
    sys.exit(main())
