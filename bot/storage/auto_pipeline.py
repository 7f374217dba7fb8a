"""Automatic pipelining: commands that tasks issue in the same turn of the event loop travel to
Redis together, in one write and one round trip, instead of one each.

Why: under load Sauti has dozens of tasks talking to Redis at once (the sender serves up to 32
recipients per shard, the web server takes webhooks side by side), each awaiting one small
command or script at a time. Sent one by one, each command costs a system call, a connection
from the pool and a round trip; profiles showed `send()` as the largest item of Sauti's own CPU.
Gathered into one pipeline they cost one of each.

Nothing changes for a caller: `await redis.hget(...)` still returns (or raises) that command's
own reply, and a task's commands still run in the order it awaits them. Commands of different
tasks issued in the same turn were already free to run in any order (they were on the wire side
by side, on different connections); here they run in the order they were issued. The pipeline is
not a transaction: each command is as atomic as it was alone, and one command's error is raised
to its caller only. Nothing waits for a batch to fill: the batch is sent as soon as the tasks
ready in this turn have run, so a lone command goes out as fast as before.

Blocking commands (XREADGROUP … BLOCK, WAIT, B*POP …) and anything that holds a connection for
itself (pipelines, transactions, pub/sub) go their own way, as before. A Redis Cluster client is
not wrapped (bot.storage.redis_client): its commands go to different nodes.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from redis.asyncio import Redis

# Commands that may wait on the server, or change the connection they run on: never batched.
_ALONE = frozenset(
    {
        b"BLPOP",
        b"BRPOP",
        b"BLMOVE",
        b"BLMPOP",
        b"BRPOPLPUSH",
        b"BZPOPMIN",
        b"BZPOPMAX",
        b"BZMPOP",
        b"WAIT",
        b"WAITAOF",
        b"SUBSCRIBE",
        b"PSUBSCRIBE",
        b"SSUBSCRIBE",
        b"MONITOR",
        b"SELECT",
        b"AUTH",
        b"HELLO",
        b"QUIT",
        b"RESET",
        b"SHUTDOWN",
        b"DEBUG",
        b"CLIENT",
        b"MULTI",
        b"EXEC",
        b"WATCH",
        b"UNWATCH",
    }
)

_Queued = tuple[tuple[Any, ...], dict[str, Any], asyncio.Future[Any]]


class AutoPipelinedRedis(Redis):
    """A Redis client that sends the commands of one event-loop turn as one pipeline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued: list[_Queued] = []
        self._flushes: set[asyncio.Task[None]] = set()

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        if _alone(args):
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queued.append((args, options, future))
        if len(self._queued) == 1:
            # Sent once every task ready in this turn has had its go (and queued its commands).
            asyncio.get_running_loop().call_soon(self._start_flush)
        return await future

    def _start_flush(self) -> None:
        # A caller cancelled while its command waited here does not have it run.
        queued = [item for item in self._queued if not item[2].done()]
        self._queued = []
        if not queued:
            return
        task = asyncio.get_running_loop().create_task(self._flush(queued))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, queued: list[_Queued]) -> None:
        try:
            if len(queued) == 1:
                args, options, future = queued[0]
                reply = await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
                _settle(future, reply)
                return
            pipe = self.pipeline(transaction=False)
            for args, options, _ in queued:
                pipe.execute_command(*args, **options)
            replies = await pipe.execute(raise_on_error=False)
        except BaseException as error:  # the connection failed, or this task was cancelled
            # Every caller of the batch learns of it: which of their commands ran is unknown,
            # as it is for one command whose reply is lost. Each gets an exception of its own
            # (tracebacks are written into it as it is raised).
            for _, _, future in queued:
                _fail(future, copy.copy(error))
            if not isinstance(error, Exception):
                raise
            return
        for (_, _, future), reply in zip(queued, replies, strict=True):
            if isinstance(reply, Exception):
                _fail(future, reply)
            else:
                _settle(future, reply)

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        # What is queued still goes, and everything in flight comes back, before the pool
        # closes: a command issued in the turn of `aclose` would otherwise open a connection
        # nobody closes.
        while self._queued or self._flushes:
            self._start_flush()
            await asyncio.gather(*self._flushes, return_exceptions=True)
        await super().aclose(close_connection_pool)


def _alone(args: tuple[Any, ...]) -> bool:
    name = args[0]
    word = (name.encode() if isinstance(name, str) else bytes(name)).upper()
    if word in _ALONE:
        return True
    # XREAD and XREADGROUP wait only when asked to block.
    return word in (b"XREAD", b"XREADGROUP") and any(_is_block(arg) for arg in args[1:])


def _is_block(arg: Any) -> bool:
    if isinstance(arg, bytes):
        return arg.upper() == b"BLOCK"
    return isinstance(arg, str) and arg.upper() == "BLOCK"


def _settle(future: asyncio.Future[Any], reply: Any) -> None:
    if not future.done():  # its caller may have been cancelled meanwhile
        future.set_result(reply)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if future.done():
        return
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
    else:
        future.set_exception(error)
