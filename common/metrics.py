"""Prometheus metrics, aggregated across gunicorn workers and the service's worker process."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from common import config

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered", ["service", "method", "endpoint", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "Time to answer an HTTP request", ["service", "endpoint"]
)
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events taken from the queue", ["service", "type", "outcome"]
)
EVENT_HANDLING = Histogram("event_handling_seconds", "Time to handle one event", ["service"])
EVENTS_PUBLISHED = Counter("events_published_total", "Events confirmed by the broker", ["service", "type"])
EVENTS_RELAYED = Counter(
    "events_relayed_total", "Events the outbox relay published because their writer had not", ["service"]
)


def prepare() -> None:
    """Make the multiprocess directory when it is set and missing (a container's fresh /tmp)."""
    directory = config.settings().prometheus_multiproc_dir
    if directory:
        directory.mkdir(parents=True, exist_ok=True)


def exposition() -> tuple[bytes, str]:
    """Return the metrics text of every process of this service, and its content type."""
    if config.settings().prometheus_multiproc_dir:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
