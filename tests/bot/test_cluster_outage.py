"""A Redis Cluster that goes away, for real: every node stopped, then started again.

redis-py raises some cluster failures outside its `RedisError` tree (no node reachable, a slot
not covered). Regression: with `redis+cluster://`, `/healthz` and the web chat answered 500, a
`--role worker` process exited with a traceback and the command line printed one. Now every
part answers as for a single Redis that is down: 503, a worker that waits, exit code 3.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, build_app
from bot.web import make_web_app, runner_options
from tests.bot import app_fixtures
from tests.bot import webchat_browser as browser
from tests.bot.webchat_browser import Client
from tests.redis_cluster import TestCluster

SAUTI = Path(sys.executable).parent / "sauti"


@contextlib.asynccontextmanager
async def _deployment(tmp_path: Path) -> AsyncIterator[tuple[TestCluster, App, dict[str, str]]]:
    with TestCluster(tmp_path / "cluster", persistent=True) as cluster:
        environ = {
            **os.environ,
            "REDIS_URL": cluster.url,
            "SAUTI_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
            "SAUTI_ID_SECRET": base64.b64encode(os.urandom(32)).decode(),
            "SAUTI_DATA_DIR": str(tmp_path / "var"),
            "SAUTI_SHARDS": "4",
            "SAUTI_CONFIG": str(tmp_path / "sauti.toml"),
        }
        settings = app_fixtures.test_settings(cluster.url, tmp_path, **environ)
        app = await build_app(settings)
        try:
            await app.campaigns.load(
                app_fixtures.EXAMPLE.read_text(encoding="utf-8"), open_now=True
            )
            yield cluster, app, environ
        finally:
            await app.close()


@contextlib.asynccontextmanager
async def _web(app: App) -> AsyncIterator[Client]:
    server = TestServer(make_web_app(app))
    await server.start_server(**runner_options())
    async with TestClient(server, headers=browser.SAME_ORIGIN) as client:
        yield client


async def _until(check: Callable[[], Awaitable[bool]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def _sauti(environ: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(SAUTI), *args, env=environ, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_a_cluster_outage_answers_503_everywhere_and_sauti_recovers_by_itself(
    tmp_path: Path,
) -> None:
    async with _deployment(tmp_path) as (cluster, app, environ), _web(app) as client:
        worker = await asyncio.create_subprocess_exec(
            str(SAUTI), "run", "--role", "worker", env=environ,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            token = await browser.join(client, wait=False)
            await _until(lambda: _asked(client, token), seconds=60)  # the worker process took it
            cluster.stop()

            assert (await client.get("/healthz")).status == 503
            assert (await client.get(f"/c/{token}")).status == 503
            joining = await client.post(f"/j/{browser.CAMPAIGN}", data={"lang": "en"})
            assert joining.status == 503
            code, stderr = await _sauti(environ, "campaign", "list")
            assert code == 3
            assert "Traceback" not in stderr
            assert "Redis is not available" in stderr
            await asyncio.sleep(3)  # longer than a lease renewal: the worker waits, not dies
            assert worker.returncode is None

            cluster.restart()
            await _until(lambda: _healthy(client), seconds=60)
            token = await browser.join(client, wait=False)
            await _until(lambda: _asked(client, token), seconds=60)  # the same worker process
        finally:
            with contextlib.suppress(ProcessLookupError):
                worker.send_signal(signal.SIGTERM)
            await asyncio.wait_for(worker.wait(), timeout=30)
        assert worker.stderr is not None
        logged = (await worker.stderr.read()).decode()
        assert "Traceback" not in logged


async def _healthy(client: Client) -> bool:
    return (await client.get("/healthz")).status == 200


async def _asked(client: Client, token: str) -> bool:
    """The chat shows the survey's first question: a worker processed the join."""
    response = await client.get(f"/c/{token}")  # 404 until then: nobody has that link yet
    return response.status == 200 and 'name="q" value="uses"' in await response.text()
