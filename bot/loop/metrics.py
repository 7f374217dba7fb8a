"""Loop-closure gauges for /metrics, recomputed on each scrape: campaigns past their promise
date without a published decision, grievance cases past their response time, and safety alerts
staff raised on free-text answers and have not acknowledged."""

from __future__ import annotations

import datetime as dt
import time
import weakref

from prometheus_client import CollectorRegistry, Gauge
from redis.asyncio import Redis

from bot.loop.ledger import DecisionLedger
from bot.loop.report import promise_of
from bot.records.campaigns import CampaignStore
from bot.records.cases import list_cases
from bot.records.triage_marks import open_alerts
from bot.storage.keys import KeySchema


class LoopGauges:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.overdue_campaigns = Gauge(
            "sauti_loop_overdue_campaigns",
            "Campaigns past their report-back date without a published decision",
            registry=registry,
        )
        self.overdue_cases = Gauge(
            "sauti_grievances_overdue",
            "Grievance cases still open past their response time",
            registry=registry,
        )
        self.open_cases = Gauge(
            "sauti_grievances_open",
            "Grievance cases received, under review or reopened",
            registry=registry,
        )
        self.open_safety_alerts = Gauge(
            "sauti_safety_alerts_open",
            "Safety alerts raised on free-text answers and not yet acknowledged",
            registry=registry,
        )


_GAUGES: weakref.WeakKeyDictionary[CollectorRegistry, LoopGauges] = weakref.WeakKeyDictionary()


def loop_gauges(registry: CollectorRegistry) -> LoopGauges:
    """The gauges of a registry, made once (a registry refuses a metric name twice)."""
    gauges = _GAUGES.get(registry)
    if gauges is None:
        gauges = _GAUGES[registry] = LoopGauges(registry)
    return gauges


async def refresh(
    gauges: LoopGauges,
    *,
    redis: Redis,
    schema: KeySchema,
    campaigns: CampaignStore,
    ledger: DecisionLedger,
) -> None:
    """Set the gauges from what Redis holds now (one scrape's worth of reads)."""
    now = time.time()
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    overdue = 0
    campaign_ids = await campaigns.ids()
    for campaign_id in campaign_ids:
        campaign = await campaigns.get(campaign_id)
        if campaign is not None and (await promise_of(ledger, campaign, today)).overdue:
            overdue += 1
    gauges.overdue_campaigns.set(overdue)
    cases = await list_cases(redis, schema)
    gauges.open_cases.set(sum(1 for case in cases if case.status.open))
    gauges.overdue_cases.set(sum(1 for case in cases if case.overdue(int(now * 1000))))
    gauges.open_safety_alerts.set(len(await open_alerts(redis, schema, campaign_ids)))
