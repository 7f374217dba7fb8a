"""The embedded redis-server, run for real: start, persistence, crashes, sharing, failures."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from bot.storage import EmbeddedRedis, EmbeddedRedisError
from bot.storage.embedded_redis import AOF_NAME, PIDFILE_NAME

REPO = Path(__file__).resolve().parents[2]

# Another Sauti process: starts (or attaches to) the embedded Redis of the directory given as
# argument, reports pid and role, and stops when its stdin closes.
_OTHER_PROCESS = """
import sys
from pathlib import Path
from bot.storage import EmbeddedRedis

server = EmbeddedRedis(Path(sys.argv[1]))
server.start()
print(server.pid, "attached" if server.attached else "owner", flush=True)
sys.stdin.read()
server.stop()
"""


class OtherProcess:
    def __init__(self, data_dir: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _OTHER_PROCESS, str(data_dir)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        pid, self.role = self.process.stdout.readline().split()
        self.server_pid = int(pid)

    def finish(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def other_process(data_dir: Path) -> Iterator[Callable[[], OtherProcess]]:
    """Starts other Sauti processes on `data_dir`; kills what a failed test leaves running."""
    started: list[OtherProcess] = []

    def start() -> OtherProcess:
        started.append(OtherProcess(data_dir))
        return started[-1]

    yield start
    for other in started:
        other.kill()
        if other.role == "owner" and _running(other.server_pid):
            os.kill(other.server_pid, signal.SIGKILL)


@pytest.fixture
def server(data_dir: Path) -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis(data_dir) as started:
        yield started


def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie awaiting its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _wait_until_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while _running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_starts_well_under_a_second_with_redis_6_2_on_a_unix_socket_only(data_dir: Path) -> None:
    embedded = EmbeddedRedis(data_dir)
    began = time.perf_counter()
    url = embedded.start()
    elapsed = time.perf_counter() - began
    try:
        assert elapsed < 0.5, f"start took {elapsed * 1000:.0f} ms"
        assert url == f"unix://{data_dir / 'redis.sock'}"
        with _client(url) as client:
            assert client.ping()
            assert str(client.info("server")["redis_version"]).startswith("6.2.")
            assert client.config_get("port") == {"port": "0"}
            assert client.config_get("appendfsync") == {"appendfsync": "everysec"}
            assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    finally:
        embedded.stop()


def test_data_dir_socket_and_files_are_private(server: EmbeddedRedis, data_dir: Path) -> None:
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_ISSOCK(server.socket_path.stat().st_mode)
    assert stat.S_IMODE(server.socket_path.stat().st_mode) == 0o700
    with _client(server.url) as client:
        client.set(b"answer", b"secret")
    for name in (AOF_NAME, "redis.conf", "redis.log", PIDFILE_NAME):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name


def test_an_existing_data_dir_keeps_the_mode_its_operator_chose(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o750)
    os.chmod(data_dir, 0o750)
    with EmbeddedRedis(data_dir):
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o750


def test_stop_shuts_the_server_down_and_leaves_no_process_socket_or_pidfile(
    data_dir: Path,
) -> None:
    embedded = EmbeddedRedis(data_dir)
    embedded.start()
    pid = embedded.pid
    assert pid is not None
    assert _running(pid)

    embedded.stop()

    assert not _running(pid)
    assert not embedded.socket_path.exists()
    assert not (data_dir / PIDFILE_NAME).exists()
    server_log = (data_dir / "redis.log").read_text()
    assert "User requested shutdown" in server_log
    assert "Received SIGTERM" not in server_log, "stopped by SHUTDOWN, not by a signal"
    assert "Calling fsync() on the AOF file" in server_log


def test_writes_survive_stop_and_start(data_dir: Path) -> None:
    with EmbeddedRedis(data_dir) as first, _client(first.url) as client:
        client.set(b"session:1", b"q3")
        client.xadd(b"inbound", {b"text": b"ndiyo"})
    with EmbeddedRedis(data_dir) as second, _client(second.url) as client:
        assert client.get(b"session:1") == b"q3"
        assert client.xlen(b"inbound") == 1


def test_after_sauti_and_redis_are_killed_the_next_start_recovers_acknowledged_data(
    data_dir: Path, other_process: Callable[[], OtherProcess]
) -> None:
    crashed = other_process()
    assert crashed.role == "owner"
    with _client(f"unix://{data_dir / 'redis.sock'}") as client:
        for number in range(100):
            client.set(f"answer:{number}".encode(), b"x" * 100)
    time.sleep(1.2)  # appendfsync everysec: acknowledged 1 s ago means on disk
    os.kill(crashed.server_pid, signal.SIGKILL)
    crashed.kill()
    assert _wait_until_gone(crashed.server_pid)
    assert (data_dir / "redis.sock").exists(), "a crash leaves its socket behind"
    assert (data_dir / PIDFILE_NAME).read_text().strip() == str(crashed.server_pid)

    with EmbeddedRedis(data_dir) as recovered, _client(recovered.url) as client:
        assert recovered.owns_server
        assert recovered.pid != crashed.server_pid
        assert client.dbsize() == 100
        assert client.get(b"answer:99") == b"x" * 100


def test_a_server_orphaned_by_a_killed_owner_is_shut_down_cleanly_and_replaced(
    data_dir: Path, other_process: Callable[[], OtherProcess]
) -> None:
    crashed = other_process()
    with _client(f"unix://{data_dir / 'redis.sock'}") as client:
        client.set(b"written-just-before", b"kept")
    crashed.kill()  # Sauti dies; its redis-server lives on, unowned
    assert _running(crashed.server_pid)

    with EmbeddedRedis(data_dir) as successor, _client(successor.url) as client:
        assert successor.owns_server
        assert _wait_until_gone(crashed.server_pid)
        # SHUTDOWN fsyncs the AOF, so even the last write before it is kept.
        assert client.get(b"written-just-before") == b"kept"
    assert "User requested shutdown" in (data_dir / "redis.log").read_text()


def test_a_second_instance_on_the_same_dir_attaches_and_never_stops_the_owners_server(
    server: EmbeddedRedis, data_dir: Path
) -> None:
    second = EmbeddedRedis(data_dir)
    assert second.start() == server.url
    assert second.attached
    assert not second.owns_server
    assert second.pid == server.pid
    with _client(second.url) as client:
        client.set(b"seen-by", b"both")
    second.stop()

    with _client(server.url) as client:
        assert client.get(b"seen-by") == b"both"
    assert server.pid is not None
    assert _running(server.pid)


def test_a_second_sauti_process_attaches_to_the_running_server(
    server: EmbeddedRedis, other_process: Callable[[], OtherProcess]
) -> None:
    other = other_process()
    assert other.role == "attached"
    assert other.server_pid == server.pid
    other.finish()
    with _client(server.url) as client:
        assert client.ping(), "the attached process must leave the server running"


def test_a_corrupt_aof_fails_start_with_the_servers_own_words_and_releases_the_dir(
    data_dir: Path,
) -> None:
    data_dir.mkdir(mode=0o700)
    (data_dir / AOF_NAME).write_bytes(b"this is not an append only file\n")
    with pytest.raises(EmbeddedRedisError, match="exited with code 1") as failure:
        EmbeddedRedis(data_dir).start()
    assert "Bad file format reading the append only file" in str(failure.value)

    (data_dir / AOF_NAME).unlink()
    with EmbeddedRedis(data_dir) as embedded:
        assert embedded.owns_server


def test_a_data_dir_that_is_a_file_is_refused_clearly(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "var"
    not_a_dir.write_text("oops")
    with pytest.raises(EmbeddedRedisError, match="is not a directory"):
        EmbeddedRedis(not_a_dir).start()


def test_a_data_dir_too_long_for_a_unix_socket_is_refused_before_redis_truncates_it(
    tmp_path: Path,
) -> None:
    with pytest.raises(EmbeddedRedisError, match="too long for a unix socket"):
        EmbeddedRedis(tmp_path / ("d" * 100)).start()
