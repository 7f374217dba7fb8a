"""`sauti migrate`: bring the data in Redis up to this version's formats, now.

`sauti run` does the same at start-up; this is for an operator who wants it done (and to see
what it did) before starting the new version, or to check that it is done. It runs once: a
second time it only says so."""

from __future__ import annotations

import argparse
import sys

from bot.access.organisations import DEFAULT_ORG
from bot.app import App
from bot.commands.common import with_app
from bot.runtime.migrations import migrate


def register(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(handler=_migrate)


def _migrate(args: argparse.Namespace) -> int:
    async def work(app: App) -> int:
        done = await migrate(
            app.redis, app.schema, dedupe_ttl_seconds=app.settings.dedupe_ttl_seconds
        )
        if done.results is not None and done.results.busy_shards:
            print(
                f"sauti: the result counters of {done.results.busy_shards} shards could not be "
                "counted under the commits going on: run `sauti migrate` again",
                file=sys.stderr,
            )
            return 1
        if done.before >= done.after:
            print(f"the data is at schema {done.after} already: nothing to do")
            return 0
        print(f"data migrated from schema {done.before} to {done.after}")
        if done.markers is not None:
            moved, unplaced = done.markers.moved, done.markers.unplaced
            print(
                f"  older event markers: {moved['event']} moved into participants' sets, "
                f"{unplaced['event']} deleted (their event was handled and is gone)"
            )
            print(
                f"  older send claims: {moved['claim']} moved into recipients' sets, "
                f"{unplaced['claim']} deleted (their message was handled and is gone)"
            )
        print(f"  campaigns given to the organisation '{DEFAULT_ORG}': {done.adopted}")
        if done.results is not None:
            print(
                f"  result counters: {done.results.campaigns} campaigns counted from "
                f"{done.results.sessions} sessions"
            )
        return 0

    return with_app(work)
