"""A Redis Cluster that goes away, for real: every node stopped, then started again.

redis-py raises some cluster failures outside its `RedisError` tree (no node reachable, a slot
not covered). Regression: with `redis+cluster://`, `/healthz` and the web chat answered 500, a
`--role worker` process exited with a traceback and the command line printed one. Now every
part answers as for a single Redis that is down: 503, a worker that waits, exit code 3.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp.test_utils import TestClient

from bot.app import App
from tests.kit import webchat as browser
from tests.kit.example import CAMPAIGN
from tests.kit.running import built, web_server
from tests.kit.settings import deployment_environment, process_environment, settings_from
from tests.kit.waiting import until
from tests.kit.webchat import Client
from tests.redis_cluster import TestCluster

SAUTI = Path(sys.executable).parent / "sauti"


@contextlib.asynccontextmanager
async def _deployment(tmp_path: Path) -> AsyncIterator[tuple[TestCluster, App, dict[str, str]]]:
    with TestCluster(tmp_path / "cluster", persistent=True) as cluster:
        environ = deployment_environment(cluster.url, tmp_path)
        async with built(settings_from(environ)) as app:
            yield cluster, app, process_environment(environ)


@contextlib.asynccontextmanager
async def _web(app: App) -> AsyncIterator[Client]:
    async with (
        web_server(app) as server,
        TestClient(server, headers=browser.SAME_ORIGIN) as client,
    ):
        yield client


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
            # The worker process took it.
            await until(lambda: _asked(client, token), 60, interval=0.2)
            cluster.stop()

            assert (await client.get("/healthz")).status == 503
            assert (await client.get(f"/c/{token}")).status == 503
            joining = await client.post(f"/j/{CAMPAIGN}", data={"lang": "en"})
            assert joining.status == 503
            code, stderr = await _sauti(environ, "campaign", "list")
            assert code == 3
            assert "Traceback" not in stderr
            assert "Redis is not available" in stderr
            await asyncio.sleep(3)  # longer than a lease renewal: the worker waits, not dies
            assert worker.returncode is None

            cluster.restart()
            await until(lambda: _healthy(client), 60, interval=0.2)
            token = await browser.join(client, wait=False)
            await until(lambda: _asked(client, token), 60, interval=0.2)  # the same worker process
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
