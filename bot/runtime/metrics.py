"""Prometheus metrics of the runtime (served at /metrics). Each app builds its own registry, so
tests and several apps in one process do not share counters. Every process serves its own
(bot.metrics_http): a counter's total is the sum over the processes."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        # This process: CPU seconds, memory, open file descriptors, start time (Linux /proc;
        # elsewhere these collect nothing), and the Python version.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.ingested = Counter(
            "sauti_inbound_ingested", "Inbound events stored", ["channel"], registry=self.registry
        )
        self.duplicates = Counter(
            "sauti_inbound_duplicates",
            "Inbound events dropped as duplicates of a platform message already stored",
            ["channel"],
            registry=self.registry,
        )
        self.processed = Counter(
            "sauti_events_processed", "Inbound events committed", registry=self.registry
        )
        self.failures = Counter(
            "sauti_event_failures", "Failed attempts to process an event", registry=self.registry
        )
        self.safety_flags = Counter(
            "sauti_safety_flags",
            "Typed messages read as someone's safety at risk: an urgent case and an alert raised",
            ["channel"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "sauti_dead_letters", "Events moved to a dead-letter stream", registry=self.registry
        )
        self.latency = Histogram(
            "sauti_processing_latency_seconds",
            "From ingest to committed answer",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.sends = Counter(
            "sauti_sends",
            "Outbox entries finished, by channel and outcome (sent, refused, duplicate, "
            "uncertain, erased, unreachable, failed)",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.retries = Counter(
            "sauti_send_retries",
            "Temporary send failures retried",
            ["channel"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "sauti_send_rate_limited",
            "429 answers from a platform",
            ["channel"],
            registry=self.registry,
        )
        self.send_latency = Histogram(
            "sauti_send_latency_seconds",
            "From outbox entry to platform accepted",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
            registry=self.registry,
        )
        self.safety_alerts = Counter(
            "sauti_safety_alerts_raised",
            "Free-text answers flagged as a safety concern by staff (each raises an alert)",
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "sauti_queue_depth",
            "Entries waiting or in progress, by queue",
            ["queue"],
            registry=self.registry,
        )

    def set_queue_depths(self, depths: dict[str, int]) -> None:
        for queue, depth in depths.items():
            self.queue_depth.labels(queue).set(depth)
