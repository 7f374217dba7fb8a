"""The storage package's errors: one root, so the shell can map any of them at its boundary,
and the two families of failures redis-py raises, named once for everyone who catches them.

redis-py's cluster client raises some failures outside its own `RedisError` tree
(`RedisClusterException`: no node reachable, a slot not covered), so a plain
`except RedisError` lets a cluster outage through as a crash. Catch these tuples instead.
"""

from __future__ import annotations

from redis.exceptions import (
    ClusterDownError,
    ClusterError,
    OutOfMemoryError,
    ReadOnlyError,
    RedisClusterException,
    RedisError,
    ResponseError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class StorageError(Exception):
    """Redis could not be started, reached or used as Sauti needs it."""


class EmbeddedRedisError(StorageError):
    """The embedded redis-server could not be started or stopped; the message says why."""


class ScriptSourceError(StorageError):
    """A Lua script's file includes itself, or names a file that is not there."""


# Redis cannot serve right now and trying again later may well work: it is down, restarting,
# loading, failing over (a replica that is read-only for now), full, or a cluster without a
# node for the slot. An event that meets one of these is not at fault: it is never counted
# towards the dead letters. Not every OSError: a bug that raises one must still be counted.
STORAGE_UNAVAILABLE: tuple[type[Exception], ...] = (
    RedisConnectionError,  # also BusyLoadingError, MaxConnectionsError
    RedisTimeoutError,
    ClusterDownError,  # also MasterDownError
    ClusterError,  # "TTL exhausted": redirected round and round during a failover
    TryAgainError,
    ReadOnlyError,
    OutOfMemoryError,
    RedisClusterException,  # also RedisClusterUnreachableError, SlotNotCoveredError
    StorageError,
    # A socket refused or reset before redis-py could wrap it, and asyncio's timeouts. Not
    # every ConnectionError: a broken pipe on the command line's own output is not Redis's.
    ConnectionRefusedError,
    ConnectionResetError,
    TimeoutError,
)

# Refusals redis-py raises as a plain ResponseError that are about Redis's state, not the work:
# a failed snapshot (a full disk), too few replicas for `min-replicas-to-write`, a long script
# running, a replica still loading, a primary down.
_UNAVAILABLE_REPLIES = ("MISCONF", "NOREPLICAS", "BUSY", "LOADING", "MASTERDOWN")

# Anything storage may raise, unavailable or not (a script error, a key of the wrong type
# too): what a web request answers 503 for and the command line exits 3 for. Not every
# OSError: a file the command line cannot write is not Redis's doing.
STORAGE_FAILURE: tuple[type[Exception], ...] = (RedisError, *STORAGE_UNAVAILABLE)


def is_storage_unavailable(error: BaseException) -> bool:
    """True for a failure of Redis's availability, not of the work asked of it: an event that
    meets one is not at fault and is never counted towards the dead letters."""
    if isinstance(error, STORAGE_UNAVAILABLE):
        return True
    return isinstance(error, ResponseError) and str(error).startswith(_UNAVAILABLE_REPLIES)
