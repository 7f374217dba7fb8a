"""The one way Sauti opens Redis: an asyncio client over a blocking connection pool.

redis-py's default pool raises "Too many connections" as soon as more commands are in flight
than it has connections (redis-py 8 caps it at 100). A burst of webhooks or a bulk send would
then fail instead of queueing, so every client here waits for a free connection instead. A
`redis+cluster://` URL gets a Redis Cluster client that waits the same way (bot.storage.cluster).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.storage.auto_pipeline import AutoPipelinedRedis
from bot.storage.cluster import GatedCluster, connect_cluster, is_cluster_url
from bot.storage.errors import StorageError

MINIMUM_SERVER_VERSION = (6, 2)
BLOCK_MARGIN_SECONDS = 10.0  # a blocking read's reply may come this much after its wait ends


def connect(
    url: str,
    max_connections: int = 64,
    *,
    pool_timeout: float | None = 20.0,
    longest_block: float | None = None,
) -> Redis:
    """A client for `url` (`redis://`, `rediss://`, `unix://`, or `redis+cluster://` /
    `rediss+cluster://` for a Redis Cluster) that queues when the pool is busy.

    At most `max_connections` connections are opened (on a cluster: commands in flight); a
    command that finds them all in use waits up to `pool_timeout` seconds (None: forever) for
    one. Replies are bytes (decode_responses is off): answers may be encrypted blobs, and callers
    decode text where they mean text. No I/O happens here; the first command connects.
    `await client.aclose()` closes the pool too.

    A client for blocking reads names the longest wait it makes (`longest_block`, seconds): a
    reply may then take that long (plus a margin) before the connection counts as lost, where
    other clients keep redis-py's default read timeout.
    """
    timeouts: dict[str, Any] = {}
    if longest_block is not None:
        timeouts["socket_timeout"] = longest_block + BLOCK_MARGIN_SECONDS
    if is_cluster_url(url):
        # Not a subclass of Redis, but it has the same command methods, and Sauti uses only
        # commands both have: the cluster tests run the pipeline against a real cluster.
        return cast(Redis, connect_cluster(url, max_connections, pool_timeout, **timeouts))
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=pool_timeout,
        decode_responses=False,
        **timeouts,
    )
    # Commands of one event-loop turn share a round trip (bot.storage.auto_pipeline).
    return AutoPipelinedRedis.from_pool(pool)


# A retry budget, not a cancellation: when it runs out the error names the server and the
# last refusal, which a caller's `asyncio.timeout` would replace with a bare TimeoutError.
async def ping_until_ready(client: Redis, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until the server answers PING, for services that start next to Sauti.

    Retries while the server refuses connections or is still loading its dataset.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            await client.ping()
        except (RedisConnectionError, BusyLoadingError, OSError) as error:
            if time.monotonic() > deadline:
                raise StorageError(
                    f"Redis at {describe(client)} did not answer within {timeout:g} s: {error}"
                ) from error
            await asyncio.sleep(0.05)
        else:
            return


async def require_server_version(
    client: Redis, minimum: tuple[int, int] = MINIMUM_SERVER_VERSION
) -> tuple[int, ...]:
    """Fail fast on a server older than Sauti's commands need (Valkey reports a Redis version)."""
    info = await client.info("server")
    reported = str(info.get("redis_version", "0"))
    version = tuple(int(part) for part in reported.split(".") if part.isdigit())
    if version < minimum:
        wanted = ".".join(map(str, minimum))
        raise StorageError(
            f"Redis at {describe(client)} is version {reported}; Sauti needs {wanted} or newer"
        )
    return version


def describe(client: Redis) -> str:
    """Where the client points, without a password, for messages and logs."""
    if isinstance(client, GatedCluster):
        return "cluster " + ", ".join(node.name for node in client.startup_nodes)
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix://{kwargs['path']}"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
