"""A loopback TCP proxy in front of Redis that counts round trips: the benches' way of seeing
how often a process waits on Redis, which Redis itself cannot say.

    proxy = RoundTripProxy("unix:///tmp/redis.sock")   # or ("127.0.0.1", 6379)
    await proxy.start()                                 # the process gets proxy.url
    ...; proxy.counts.round_trips

A round trip is a burst of request bytes a client sends while it has no answer outstanding:
the first chunk a connection writes after the server last answered it (or ever) counts one;
more chunks before any answer (a pipeline written in pieces) are the same round trip. A
blocking read (`XREADGROUP BLOCK`) is one round trip however long it waits. Every chunk is
forwarded as it comes, unchanged.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, fields, replace
from urllib.parse import urlparse


@dataclass
class Counts:
    round_trips: int = 0
    commands: int = 0  # as the client sent them (a script's own commands are not among them)
    request_bytes: int = 0
    reply_bytes: int = 0
    connections: int = 0

    def snapshot(self) -> Counts:
        return replace(self)

    def since(self, earlier: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) - getattr(earlier, f.name) for f in fields(Counts)))


class CommandCounter:
    """Counts the commands in a client's byte stream: RESP arrays of bulk strings
    (`*<n>` then n times `$<len>` and the bytes), cut anywhere between chunks."""

    def __init__(self) -> None:
        self.buffer = b""
        self.bulks_left = 0  # of the command being read
        self.bulk_bytes = -1  # the length of the bulk string being read, or -1 for a header

    def feed(self, data: bytes) -> int:
        self.buffer += data
        buffer, at, done = self.buffer, 0, 0
        while True:
            if self.bulk_bytes >= 0:  # skip the string and its CRLF
                if len(buffer) - at < self.bulk_bytes + 2:
                    break
                at += self.bulk_bytes + 2
                self.bulk_bytes = -1
                self.bulks_left -= 1
                done += self.bulks_left == 0
                continue
            end = buffer.find(b"\r\n", at)
            if end < 0:
                break
            header, at = buffer[at:end], end + 2
            if header[:1] == b"*":
                self.bulks_left = int(header[1:])
                done += self.bulks_left <= 0
            elif header[:1] == b"$":
                self.bulk_bytes = int(header[1:])
            else:  # an inline command (redis-cli's PING): one line, one command
                done += 1
        self.buffer = buffer[at:]
        return done


class _Upstream(asyncio.Protocol):
    """Redis's side of one proxied connection: answers go back to the client."""

    def __init__(self, client: _Client) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.client.answered(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.client.close()


class _Client(asyncio.Protocol):
    """The client's side of one proxied connection."""

    def __init__(self, proxy: RoundTripProxy) -> None:
        self.proxy = proxy
        self.transport: asyncio.Transport | None = None
        self.upstream: _Upstream | None = None
        self.waiting_for_answer = False
        self.early: list[bytes] = []  # what the client sent before Redis was connected
        self.commands = CommandCounter()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.proxy.counts.connections += 1
        asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        target = self.proxy.target
        try:
            if isinstance(target, str):
                _, upstream = await loop.create_unix_connection(lambda: _Upstream(self), target)
            else:
                _, upstream = await loop.create_connection(lambda: _Upstream(self), *target)
        except OSError:
            self.close()
            return
        self.upstream = upstream
        for chunk in self.early:
            assert upstream.transport is not None
            upstream.transport.write(chunk)
        self.early.clear()

    def data_received(self, data: bytes) -> None:
        counts = self.proxy.counts
        counts.request_bytes += len(data)
        counts.commands += self.commands.feed(data)
        if not self.waiting_for_answer:
            counts.round_trips += 1
            self.waiting_for_answer = True
        if self.upstream is None or self.upstream.transport is None:
            self.early.append(data)
        else:
            self.upstream.transport.write(data)

    def answered(self, data: bytes) -> None:
        self.proxy.counts.reply_bytes += len(data)
        self.waiting_for_answer = False
        if self.transport is not None:
            self.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.close()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class RoundTripProxy:
    """Listens on a free loopback port; forwards to Redis at `redis_url` (unix:// or redis://)."""

    def __init__(self, redis_url: str) -> None:
        parsed = urlparse(redis_url)
        self.target: str | tuple[str, int] = (
            parsed.path if parsed.scheme == "unix" else (parsed.hostname or "", parsed.port or 6379)
        )
        self.counts = Counts()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Client(self), "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
