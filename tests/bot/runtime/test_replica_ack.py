"""SAUTI_ACK_REPLICAS: an inbound event is acknowledged to its platform only once that many
replicas hold it (Redis WAIT), on a real primary and replica started here."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as sync_redis

from bot.conversation.inbound import Join
from bot.runtime.ingest import Ingestor, ReplicasBehindError
from bot.settings import read_settings
from bot.settings.errors import SettingsError
from bot.storage import connect
from bot.storage.embedded_redis import redis_server_binary
from tests.kit.runtime import make_runtime
from tests.kit.waiting import free_port


def _server(directory: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    directory.mkdir(parents=True)
    config = [f"port {port}", "bind 127.0.0.1", 'save ""', f'dir "{directory}"', *extra]
    (directory / "redis.conf").write_text("\n".join(config) + "\n")
    return subprocess.Popen(
        [str(redis_server_binary()), str(directory / "redis.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _until(check: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except sync_redis.ConnectionError:
            pass
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def primary_with_replica(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    primary_port, replica_port = free_port(), free_port()
    primary = _server(tmp_path / "primary", primary_port)
    replica = _server(tmp_path / "replica", replica_port, f"replicaof 127.0.0.1 {primary_port}")
    try:
        with sync_redis.Redis(port=primary_port) as client:
            _until(lambda: client.info("replication")["connected_slaves"] == 1)
        yield primary_port, replica
    finally:
        for process in (primary, replica):
            process.terminate()
            process.wait(10)


def _ingestor(redis: Any, timeout_ms: int = 300) -> tuple[Ingestor, Any]:
    runtime = make_runtime(redis, shards=1)
    ingestor = Ingestor(
        redis,
        runtime.schema,
        runtime.crypto,
        runtime.metrics,
        3600,
        ack_replicas=1,
        ack_replica_timeout_ms=timeout_ms,
    )
    return ingestor, runtime


async def test_an_event_is_acknowledged_once_a_replica_holds_it_and_not_before(
    primary_with_replica: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, replica = primary_with_replica
    redis = connect(f"redis://127.0.0.1:{port}/0")
    try:
        ingestor, runtime = _ingestor(redis)
        pid = runtime.participant("amina")
        assert await ingestor.ingest(runtime.event(pid, Join("safe-connect-2026", "en")))

        replica.terminate()  # the replica goes away: nothing can confirm the next one
        replica.wait(10)
        started = time.monotonic()
        with pytest.raises(ReplicasBehindError):
            await ingestor.ingest(runtime.event(pid, Join("safe-connect-2026", "sw")))
        assert time.monotonic() - started >= 0.3  # it waited the timeout out first
        # Stored on the primary all the same: the platform's retry is a duplicate, not lost.
        assert await redis.xlen(runtime.schema.inbound(0)) == 2
    finally:
        await redis.aclose()


def test_replica_acknowledgement_is_refused_where_it_cannot_work(tmp_path: Path) -> None:
    config = tmp_path / "sauti.toml"
    config.touch()
    embedded = {"SAUTI_ACK_REPLICAS": "1", "SAUTI_DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="SAUTI_ACK_REPLICAS"):
        read_settings(embedded, config_path=config)
    cluster = {
        **embedded,
        "REDIS_URL": "redis+cluster://127.0.0.1:7000",
        "SAUTI_MASTER_KEY": "A" * 43 + "=",
        "SAUTI_ID_SECRET": "B" * 43 + "=",
    }
    with pytest.raises(SettingsError, match="Redis Cluster"):
        read_settings(cluster, config_path=config)
