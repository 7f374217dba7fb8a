"""Lua scripts by SHA: loaded once at start, run with EVALSHA, and run with EVAL by a server that
does not know them (restarted, failed over to a replica, or after SCRIPT FLUSH).

Why not redis-py's `register_script`: its pipelines send SCRIPT EXISTS before every batch that
holds a script (one more round trip per batch), and on Redis Cluster its pipelines do not
recover from NOSCRIPT at all. These do both, on a single Redis and on a cluster alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

Arg = str | bytes | int | float


class Script:
    """One Lua script. Every key it touches must be passed in `keys` and share one hash slot."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, redis: Redis, keys: Sequence[str], args: Sequence[Arg] = ()) -> Any:
        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:  # nothing ran; EVAL also puts it back in the server's cache
            return await redis.eval(self.source, len(keys), *keys, *args)


@dataclass(frozen=True, slots=True)
class ScriptCall:
    script: Script
    keys: Sequence[str]
    args: Sequence[Arg]


Command = tuple[Arg, ...]  # a plain command: its name, then its arguments


async def run_batch(redis: Redis, steps: Sequence[ScriptCall | Command]) -> list[Any]:
    """Run script calls and commands in one pipeline (not a transaction: each step is atomic
    on its own), in order. Returns each step's reply, or the ResponseError it raised.

    A server that does not know a script refuses its calls (NOSCRIPT) and runs none of them.
    Then the scripts are loaded and the whole batch runs again, in order, so that a step never
    runs after one that followed it: every step must be safe to run twice (the commit is: its
    event marker makes a second run only acknowledge the event)."""
    if not steps:
        return []
    results = await _pipelined(redis, steps)
    if any(isinstance(result, NoScriptError) for result in results):
        await load(redis, {step.script for step in steps if isinstance(step, ScriptCall)})
        results = await _pipelined(redis, steps)
    return results


async def _pipelined(redis: Redis, steps: Sequence[ScriptCall | Command]) -> list[Any]:
    pipe = redis.pipeline(transaction=False)
    for step in steps:
        if isinstance(step, ScriptCall):
            # The command itself: redis-py's cluster pipeline refuses its `evalsha` method (it
            # cannot load scripts for it), yet routes the command by its keys like any other.
            keys = step.keys
            pipe.execute_command("EVALSHA", step.script.sha, len(keys), *keys, *step.args)
        else:
            pipe.execute_command(*step)
    results: list[Any] = await pipe.execute(raise_on_error=False)
    return results


async def load(redis: Redis, scripts: Iterable[Script]) -> None:
    """Put scripts in the server's cache (on a cluster: on every primary), so that the first
    calls need no second try."""
    for script in scripts:
        await redis.script_load(script.source)
