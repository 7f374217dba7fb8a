"""Redis Cluster behind the same client interface as a single Redis.

`REDIS_URL=redis+cluster://host:port` (or `rediss+cluster://` for TLS) names any node of a
cluster; the client discovers the others. Sauti's code runs unchanged on it: every script and
transaction touches the keys of one shard, whose `{sN}` hash tag puts them in one hash slot, and
its other pipelines are not transactions, which a cluster pipeline splits by node.

Two differences are papered over here. First, redis-py's cluster client has no blocking pool: once a
node's connections are all busy, the next command fails with MaxConnectionsError, where the
single-Redis client waits for a free connection. A burst of web chat answers would then fail
instead of queueing, so this client lets at most `max_in_flight` commands and pipelines run at
once and makes the others wait, as the single-Redis pool does. Second, for commands whose keys
can be anywhere in their arguments, redis-py asks a node which arguments are keys before every
call (COMMAND GETKEYS): two more round trips for every stream read of every worker and sender.
This client finds the streams of an XREADGROUP or XREAD itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio.cluster import ClusterPipeline, RedisCluster
from redis.asyncio.connection import SSLConnection, parse_url
from redis.exceptions import ConnectionError as RedisConnectionError

# URL scheme of a cluster -> the scheme of its nodes.
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
# Connections a node may open beyond `max_in_flight`: the client's own bookkeeping (slot
# discovery, key lookups) uses some outside the gate.
_SPARE_CONNECTIONS = 8


def is_cluster_url(url: str) -> bool:
    return urlsplit(url).scheme in CLUSTER_SCHEMES


class GatedCluster(RedisCluster):
    """A cluster client on which commands wait for their turn instead of failing."""

    def __init__(self, *, max_in_flight: int, wait_timeout: float | None, **kwargs: Any) -> None:
        super().__init__(max_connections=max_in_flight + _SPARE_CONNECTIONS, **kwargs)
        self.gate = asyncio.Semaphore(max_in_flight)
        self.wait_timeout = wait_timeout

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        async with self.turn():
            return await super().execute_command(*args, **kwargs)

    async def _determine_slot(self, command: str, *args: Any) -> int:
        # XREADGROUP GROUP <group> <consumer> [COUNT n] [BLOCK ms] [NOACK] STREAMS <keys> <ids>
        # (XREAD the same without the group): the streams of one read must share a slot (the
        # server refuses otherwise), so the first one names it. Searched past the group and
        # consumer, which could be "streams".
        if (name := command.upper()) in ("XREADGROUP", "XREAD"):
            for index in range(3 if name == "XREADGROUP" else 0, len(args) - 1):
                if args[index] in (b"STREAMS", "STREAMS", b"streams", "streams"):
                    return self.keyslot(args[index + 1])
        return await super()._determine_slot(command, *args)

    def pipeline(
        self, transaction: Any | None = None, shard_hint: Any | None = None
    ) -> ClusterPipeline:
        # redis-py declares an attribute abstract that its own ClusterPipeline never defines.
        return _GatedPipeline(self, transaction)  # type: ignore[abstract]

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """A slot among the commands in flight (each uses at most one connection per node)."""
        try:
            await asyncio.wait_for(self.gate.acquire(), self.wait_timeout)
        except TimeoutError:
            raise RedisConnectionError("No connection available.") from None
        try:
            yield
        finally:
            self.gate.release()


class _GatedPipeline(ClusterPipeline):
    async def execute(self, raise_on_error: bool = True, allow_redirections: bool = True) -> Any:
        client = self.cluster_client
        assert isinstance(client, GatedCluster)
        async with client.turn():
            return await super().execute(raise_on_error, allow_redirections)


def connect_cluster(
    url: str, max_in_flight: int, wait_timeout: float | None, **connection: Any
) -> GatedCluster:
    """A client for a `redis+cluster://` URL; no I/O until the first command. `connection`:
    options of every node connection beside those of the URL (`socket_timeout`)."""
    parts = urlsplit(url)
    node_url = urlunsplit(parts._replace(scheme=CLUSTER_SCHEMES[parts.scheme]))
    options: dict[str, Any] = dict(parse_url(node_url)) | connection
    if options.pop("connection_class", None) is SSLConnection:
        options["ssl"] = True
    return GatedCluster(
        max_in_flight=max_in_flight,
        wait_timeout=wait_timeout,
        decode_responses=False,
        **options,
    )


def by_slot(client: object, keys: Sequence[str]) -> list[list[str]]:
    """`keys` in groups one script may take together: all of them on a single Redis; on a
    cluster, one group per hash slot (groups and keys in the order given)."""
    if not isinstance(client, GatedCluster):
        return [list(keys)] if keys else []
    groups: dict[int, list[str]] = {}
    for key in keys:
        groups.setdefault(client.keyslot(key), []).append(key)
    return list(groups.values())
