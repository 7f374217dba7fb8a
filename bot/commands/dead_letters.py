"""`sauti dead-letters list|replay`: see the events that kept failing, and retry them once the
cause is fixed. Replaying an event that was committed after all changes nothing (its commit is
idempotent), so `replay --all` is safe."""

from __future__ import annotations

import argparse
import re
import sys

from bot.app import App
from bot.commands.common import EXIT_USAGE, with_app
from bot.runtime import dead_letters
from bot.runtime.dead_letters import DeadLetter

STREAM_ID = re.compile(r"\d+-\d+")
COLUMNS = ("id", "shard", "entry", "error", "event", "channel", "received")
OUTBOX_HELP = "outgoing messages a platform kept refusing, instead of inbound events"


def _kind(args: argparse.Namespace) -> dead_letters.Kind:
    return "outbox" if args.outbox else "inbound"


def register(parser: argparse.ArgumentParser) -> None:
    group = parser.add_subparsers(title="dead-letter commands")
    listing = group.add_parser("list", help="dead letters, oldest first per shard")
    listing.add_argument("--shard", type=int, help="only this shard")
    listing.add_argument("--outbox", action="store_true", help=OUTBOX_HELP)
    listing.set_defaults(handler=_list)
    replay = group.add_parser("replay", help="put dead letters back for the workers to retry")
    replay.add_argument("ids", nargs="*", metavar="ID", help="a dead letter's id (from list)")
    replay.add_argument("--all", action="store_true", help="every dead letter")
    replay.add_argument("--shard", type=int, help="only this shard (needed when an id is in two)")
    replay.add_argument("--outbox", action="store_true", help=OUTBOX_HELP)
    replay.set_defaults(handler=_replay)


def _list(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        if not _shard_ok(app, args.shard):
            return EXIT_USAGE
        count = 0
        found = dead_letters.dead_letters(app.redis, app.schema, args.shard, _kind(args))
        async for letter in found:
            if count == 0:
                print("\t".join(COLUMNS))
            print("\t".join(_columns(letter)))
            count += 1
        if count == 0:
            print("no dead letters", file=sys.stderr)
        return 0

    return with_app(work)


def _columns(letter: DeadLetter) -> list[str]:
    received = letter.received_at.strftime("%Y-%m-%dT%H:%M:%SZ") if letter.received_at else "-"
    return [
        letter.id,
        str(letter.shard),
        letter.entry or "-",
        letter.error or "-",
        letter.event_id or "-",
        letter.channel or "-",
        received,
    ]


def _replay(args: argparse.Namespace) -> int:
    if bool(args.ids) == args.all:
        print("sauti: dead-letters replay: give dead letter ids, or --all", file=sys.stderr)
        return EXIT_USAGE
    malformed = [letter_id for letter_id in args.ids if not STREAM_ID.fullmatch(letter_id)]
    if malformed:
        print(f"sauti: not a dead letter id: {', '.join(malformed)}", file=sys.stderr)
        return EXIT_USAGE

    async def work(app: App) -> int:
        if not _shard_ok(app, args.shard):
            return EXIT_USAGE
        if args.all:
            replayed = await dead_letters.replay_all(app.redis, app.schema, args.shard, _kind(args))
            print(f"replayed {replayed} dead letters")
            return 0
        failed = False
        for letter_id in args.ids:
            failed |= not await _replay_one(app, letter_id, args.shard, _kind(args))
        return 1 if failed else 0

    return with_app(work)


async def _replay_one(app: App, letter_id: str, shard: int | None, kind: dead_letters.Kind) -> bool:
    shards = await dead_letters.find(app.redis, app.schema, letter_id, shard, kind)
    if len(shards) != 1:
        where = f"in shards {', '.join(map(str, shards))}: add --shard" if shards else "not found"
        print(f"sauti: dead letter {letter_id}: {where}", file=sys.stderr)
        return False
    entry = await dead_letters.replay(app.redis, app.schema, shards[0], letter_id, kind)
    if entry is None:  # replayed by someone else between find and replay
        print(f"sauti: dead letter {letter_id}: not found", file=sys.stderr)
        return False
    print(f"replayed {letter_id} (shard {shards[0]}) as {kind} entry {entry}")
    return True


def _shard_ok(app: App, shard: int | None) -> bool:
    if shard is None or 0 <= shard < app.schema.shards:
        return True
    print(f"sauti: --shard must be 0 to {app.schema.shards - 1}", file=sys.stderr)
    return False
