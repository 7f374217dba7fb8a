"""Lua scripts by SHA: loaded once at start, run with EVALSHA, and run with EVAL by a server that
does not know them (restarted, failed over to a replica, after SCRIPT FLUSH, or a cluster node
that never saw them).

Why not redis-py's `register_script`: its pipelines send SCRIPT EXISTS before every batch that
holds a script (one more round trip per batch), and on Redis Cluster its pipelines do not
recover from NOSCRIPT at all. These do both, on a single Redis and on a cluster alike.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any, TypeAlias

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from bot.storage.errors import ScriptSourceError
from bot.storage.redis_command import RedisArg, RedisCommand

# `--- @include "includes/rule_evaluator.lua"` (BullMQ's form): replaced by that file's text.
_INCLUDE = re.compile(r'^--- @include "([^"]+)"$', re.MULTILINE)
_FOLDER = "bot.storage.lua"


def read_source(path: str) -> str:
    """A `.lua` file of this folder (`commit.lua`, `includes/rule_evaluator.lua`) as Redis runs
    it: with every include replaced by the fragment's text."""
    return _resolved(path, ())


def _resolved(path: str, including: tuple[str, ...]) -> str:
    if path in including:
        raise ScriptSourceError(f"Lua include circle: {' -> '.join((*including, path))}")
    file = resources.files(_FOLDER).joinpath(path)
    if not file.is_file():
        where = f" (included by {including[-1]})" if including else ""
        raise ScriptSourceError(f"no Lua file {path}{where}")
    text = file.read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda found: _resolved(found[1], (*including, path)).rstrip("\n"), text)


class Script:
    """One Lua script, `<name>.lua` in this folder. Every key it touches must be passed in
    `keys` and share one hash slot."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Script({self.name!r})"

    @cached_property
    def source(self) -> str:
        """The Lua text sent to Redis (read on first use, not at import)."""
        return read_source(f"{self.name}.lua")

    @cached_property
    def sha(self) -> str:
        return hashlib.sha1(self.source.encode()).hexdigest()

    async def __call__(
        self, redis: Redis, keys: Sequence[str], args: Sequence[RedisArg] = ()
    ) -> Any:
        """Run the script once: EVALSHA, or EVAL when the server (on a cluster: the node
        holding the keys' slot) does not know it."""
        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:  # nothing ran; EVAL also puts it back in the server's cache
            return await redis.eval(self.source, len(keys), *keys, *args)


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """One call of a script, to run in a batch with other calls and plain commands."""

    script: Script
    keys: Sequence[str]
    args: Sequence[RedisArg]


# One step of a batch: a script call or a plain command.
BatchStep: TypeAlias = ScriptCall | RedisCommand


async def run_batch(redis: Redis, steps: Sequence[BatchStep]) -> list[Any]:
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


async def _pipelined(redis: Redis, steps: Sequence[BatchStep]) -> list[Any]:
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
