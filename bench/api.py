"""Benchmark the JSON API's authorisation: what every request pays before its operation runs —
the API token checked (its hash read and compared), its owner's current role read, a slot of
its rate taken, and the permission checked — and a whole `GET /api/v1/me` for scale.

    .venv/bin/python bench/api.py          (--quick for a short run)

Embedded Redis on the same machine. Run on an idle machine; figures vary a few percent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from bot.access.organisations import OrganisationStore
from bot.access.permissions import authorize
from bot.access.roles import Permission, Role
from bot.access.staff import StaffStore
from bot.access.tokens import TokenStore
from bot.api import ApiServices, api_application
from bot.api.auth import BearerTokens
from bot.privacy import ParticipantCrypto
from bot.records.campaigns import CampaignStore
from bot.secret import Secret
from bot.settings.model import ApiSettings
from bot.storage import EmbeddedRedis, connect, lua, scripts
from bot.storage.keys import KeySchema

ORG = "bench"
OWNER = "admin@bench.example"


class NoAudit:
    """Authorisation records nothing; the operations measured here neither."""

    async def record(self, org: str, **facts: object) -> None:
        return None


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return (
        f"median {statistics.median(ordered) * 1000:6.0f} µs   p99 {p99 * 1000:6.0f} µs   "
        f"max {ordered[-1] * 1000:6.0f} µs   ({len(ordered)} requests)"
    )


async def _timed(runs: int, action: Callable[[], Awaitable[object]]) -> list[float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


async def _bench(url: str, runs: int) -> None:
    redis = connect(url)
    schema = KeySchema(prefix="bench", shards=16)
    await lua.load(redis, scripts.PIPELINE)
    await OrganisationStore(redis, schema).create(ORG, "Bench")
    await StaffStore(redis, schema).add(OWNER, ORG, Role.ADMIN)
    token = (await TokenStore(redis, schema).create(OWNER, ORG, Role.ADMIN, 30)).secret_token
    services = ApiServices(
        redis=redis,
        schema=schema,
        crypto=ParticipantCrypto(Secret(os.urandom(32)), Secret(os.urandom(32))),
        campaigns=CampaignStore(redis, schema),
        audit=NoAudit(),
        settings=ApiSettings(rate=1e9, burst=10_000),  # the limiter runs, and never refuses
    )
    bearer = BearerTokens(services)
    request = make_mocked_request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    async def authorised() -> None:
        principal = await bearer.principal(request)
        assert principal is not None
        authorize(principal, Permission.CAMPAIGNS_READ)

    await _timed(200, authorised)  # warm up: scripts cached, connections open
    print(
        f"{'token + role + rate + permission':<36} {_percentiles(await _timed(runs, authorised))}"
    )

    root = web.Application()
    root.add_subapp("/api/v1", api_application(services))
    async with TestClient(TestServer(root, host="127.0.0.1")) as client:
        headers = {"Authorization": f"Bearer {token}"}

        async def me() -> None:
            response = await client.get("/api/v1/me", headers=headers)
            assert response.status == 200
            await response.read()

        await _timed(200, me)
        print(f"{'GET /api/v1/me over loopback':<36} {_percentiles(await _timed(runs, me))}")
    await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 requests instead of 10,000")
    runs = 1_000 if parser.parse_args().quick else 10_000
    with (
        tempfile.TemporaryDirectory(prefix="sauti-bench-") as scratch,
        EmbeddedRedis(Path(scratch)) as server,
    ):
        asyncio.run(_bench(server.url, runs))


if __name__ == "__main__":
    main()
