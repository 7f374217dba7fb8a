"""Benchmark the results API for a campaign with 100,000 respondents: `GET
/api/v1/campaigns/{id}/results`, without a breakdown and `by` language and another question,
through a running API server — the target of issue 14 (p99 server time < 50 ms).

    .venv/bin/python bench/api_results.py                          # 100,000 respondents, 300 calls
    .venv/bin/python bench/api_results.py --respondents 10000 --calls 300   # shorter

The campaign, its 100,000 respondents and their result counters are made exactly as
bench/results.py makes them (its `fill`: written as the pipeline leaves them, counters as the
commits add them), in an embedded Redis in a temporary directory. Then the JSON API (Sauti's own
application, `bot.api.api_application`) is served on the loopback and called with a viewer's API
token, one call at a time, like a dashboard would.

Two times per call: the server's, from the API's `Server-Timing` header (inside the server:
token, rate limit, permission, `campaign_results`, the answer serialised), and the client's,
from sending the request to the last byte of the answer read (adds HTTP, the loopback and
aiohttp's client, which runs in the same process). Reported: p50, p99 and max of each.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bench.results import CAMPAIGN, _app, _settle, fill  # noqa: E402
from bot.access.organisations import DEFAULT_ORG  # noqa: E402
from bot.access.roles import Role  # noqa: E402
from bot.access.tokens import TokenStore  # noqa: E402
from bot.api import ApiServices, api_application  # noqa: E402
from bot.app import App  # noqa: E402
from bot.settings.model import ApiSettings  # noqa: E402

VIEWER = "viewer@bench.example"


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):6.2f} ms  p99 {p99:6.2f} ms  max {ordered[-1]:6.2f} ms"


async def _token(app: App) -> str:
    await app.organisations().ensure(DEFAULT_ORG, "Bench")
    await app.staff().add(VIEWER, DEFAULT_ORG, Role.VIEWER)
    issued = await TokenStore(app.redis, app.schema).create(VIEWER, DEFAULT_ORG, Role.VIEWER, 1)
    return issued.secret_token


def _services(app: App) -> ApiServices:
    return ApiServices(
        redis=app.redis,
        schema=app.schema,
        crypto=app.crypto,
        campaigns=app.campaigns,
        audit=app.audit_log(),
        settings=ApiSettings(rate=1e9, burst=10_000),  # the limiter runs, and never refuses
        min_cell=app.settings.privacy.min_cell,
    )


async def _measure(
    client: TestClient[web.Request, web.Application], path: str, token: str, calls: int
) -> tuple[list[float], list[float]]:
    headers = {"Authorization": f"Bearer {token}"}
    server: list[float] = []
    observed: list[float] = []
    for n in range(calls + 5):  # the first five warm up (survey cached, scripts loaded)
        began = time.perf_counter()
        response = await client.get(path, headers=headers)
        await response.read()
        took = (time.perf_counter() - began) * 1000
        assert response.status == 200, response.status
        if n >= 5:
            observed.append(took)
            server.append(float(response.headers["Server-Timing"].partition("dur=")[2]))
    return server, observed


async def bench(count: int, calls: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-api-results-bench-") as directory:
        app = await _app(Path(directory))
        try:
            await _run(app, count, calls)
        finally:
            await app.close()


async def _run(app: App, count: int, calls: int) -> None:
    campaign = await app.campaigns.get(CAMPAIGN)
    assert campaign is not None
    print(f"filling {count:,} respondents ...", flush=True)
    filled, _ = await fill(app, campaign.survey, count)
    await _settle(app)
    print(f"  written in {filled:.1f} s")
    token = await _token(app)
    root = web.Application()
    root.add_subapp("/api/v1", api_application(_services(app)))
    results = f"/api/v1/campaigns/{CAMPAIGN}/results"
    async with TestClient(TestServer(root, host="127.0.0.1")) as client:
        body = await (
            await client.get(results, headers={"Authorization": f"Bearer {token}"})
        ).json()
        print(f"  started {body['started']:,}, completed {body['completed']:,}")
        print(f"GET {results}, {calls} calls each, one at a time:")
        for by in (None, "language", "worry"):
            server, observed = await _measure(
                client, results + (f"?by={by}" if by else ""), token, calls
            )
            name = f"by={by}" if by else "no breakdown"
            print(f"  {name:<14} server  {_percentiles(server)}")
            print(f"  {'':<14} client  {_percentiles(observed)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=300)
    args: Any = parser.parse_args(argv)
    asyncio.run(bench(args.respondents, args.calls))


if __name__ == "__main__":
    main()
