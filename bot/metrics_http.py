"""/metrics in Prometheus text format: every process serves its own.

A process with the web role serves it on the web server, with the gauges that describe the
shared Redis (queue depths, overdue promises and cases). A process without the web role serves
only its own counters and process figures, on a port of its own: otherwise a worker's events
processed would be counted by no one, and each Redis-wide gauge by every process.

With a metrics token set, only `Authorization: Bearer <token>` is answered.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from redis.asyncio import Redis

from bot.compression import compress
from bot.loop.ledger import DecisionLedger
from bot.loop.metrics import loop_gauges, refresh
from bot.records.campaigns import CampaignStore
from bot.runtime.metrics import Metrics
from bot.runtime.queues import queue_depths
from bot.secret import Secret
from bot.storage.errors import STORAGE_FAILURE
from bot.storage.keys import KeySchema

Handler = Callable[[web.Request], Awaitable[web.Response]]
RefreshGauges = Callable[[], Awaitable[None]]


def metrics_handler(
    registry: CollectorRegistry, token: Secret[str] | None, refresh_gauges: RefreshGauges | None
) -> Handler:
    """The /metrics handler; `refresh_gauges` (see `shared_gauges`) updates the gauges read from
    Redis before each scrape."""

    async def metrics(request: web.Request) -> web.Response:
        if token is not None and not _bearer_matches(request, token.reveal()):
            raise web.HTTPUnauthorized(
                text="metrics need a bearer token", headers={"WWW-Authenticate": "Bearer"}
            )
        if refresh_gauges is not None:
            try:
                await refresh_gauges()
            except STORAGE_FAILURE as error:  # no stale gauges: the scrape fails, visibly
                raise web.HTTPServiceUnavailable(text="redis unreachable") from error
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return metrics


def shared_gauges(
    metrics: Metrics,
    *,
    redis: Redis,
    schema: KeySchema,
    campaigns: CampaignStore,
    ledger: DecisionLedger,
) -> RefreshGauges:
    """What the web role's scrapes add: the gauges that describe the shared Redis (queue
    depths, overdue promises and cases), read anew on each scrape."""
    gauges = loop_gauges(metrics.registry)

    async def refresh_gauges() -> None:
        metrics.set_queue_depths(await queue_depths(redis, schema))
        await refresh(gauges, redis=redis, schema=schema, campaigns=campaigns, ledger=ledger)

    return refresh_gauges


def metrics_only_app(registry: CollectorRegistry, token: Secret[str] | None) -> web.Application:
    """The web application of a process without the web role: /metrics and nothing else."""
    served = web.Application(middlewares=[compress])
    served.add_routes([web.get("/metrics", metrics_handler(registry, token, None))])
    return served


def _bearer_matches(request: web.Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Constant time, so the token cannot be guessed one character at a time; surrogatepass, so
    # that no header a client can send fails to encode.
    given_bytes = given.encode("utf-8", "surrogatepass")
    return scheme.lower() == "bearer" and hmac.compare_digest(given_bytes, token.encode())
