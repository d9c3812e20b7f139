"""/metrics in Prometheus text format, computed from the database (the one truth shared by all workers).

Figures: documents by status, queue depth, review queue size, pages processed (a counter) and pages
per second over the last minute; plus the API's own request counts and latencies.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ocr_service.storage import Database, repo
from ocr_service.storage.models import DOCUMENT_STATUSES

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RATE_WINDOW_S = 60


class QueueCollector(Collector):
    """Reads the queue's figures from the database at each scrape."""

    def __init__(self, db: Database):
        self.db = db

    def collect(self) -> Iterator[Metric]:
        now = dt.datetime.now(dt.timezone.utc)
        with self.db.read() as s:
            counts = repo.status_counts(s)
            review = repo.review_queue_size(s)
            pages_total = repo.pages_done(s)
            pages_recent = repo.pages_done(s, since=now - dt.timedelta(seconds=RATE_WINDOW_S))
        docs = GaugeMetricFamily("cleardocket_documents", "Documents by status.", labels=["status"])
        for st in DOCUMENT_STATUSES:
            docs.add_metric([st], counts.get(st, 0))
        yield docs
        yield GaugeMetricFamily("cleardocket_queue_depth", "Documents waiting for a worker.",
                                value=counts.get("queued", 0))
        yield GaugeMetricFamily("cleardocket_review_queue_size", "Cases waiting for a person.", value=review)
        yield CounterMetricFamily("cleardocket_pages_processed", "Pages of finished documents.", value=pages_total)
        yield GaugeMetricFamily("cleardocket_pages_per_second",
                                f"Pages finished per second over the last {RATE_WINDOW_S} s.",
                                value=pages_recent / RATE_WINDOW_S)


class Metrics:
    """One registry per app: the queue collector and the HTTP request figures."""

    def __init__(self, db: Database):
        self.registry = CollectorRegistry()
        self.registry.register(QueueCollector(db))
        self.requests = Counter("cleardocket_http_requests", "HTTP requests.", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("cleardocket_http_request_seconds", "HTTP request latency.", ["route"],
                                 registry=self.registry)

    def observe(self, *, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
