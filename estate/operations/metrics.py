"""Prometheus metrics.

Two kinds: what this process measured (scan durations of the scans it ran, request latency),
kept in prometheus-client's default registry; and what the database knows (scan runs by source
and outcome, the last run of each source, outbox depth, queued scan requests), read at scrape
time so every API replica reports the same figures whichever process ran the scans.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from estate.models import OutboxMessage, ScanRequest, ScanRun
from estate.models.outbox import MessageStatus
from estate.operations.runs import last_ok, last_runs
from estate.status import RequestStatus

log = logging.getLogger(__name__)

SCAN_DURATION = Histogram(
    "estate_scan_duration_seconds",
    "Wall time of the scans this process ran, by source and outcome.",
    ["source", "status"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200),
)
SCANS = Counter(
    "estate_scans", "Scans this process ran, by source and outcome.", ["source", "status"]
)
REQUEST_LATENCY = Histogram(
    "estate_http_request_duration_seconds",
    "HTTP request latency by method, route template and status code.",
    ["method", "route", "status"],
)


def observe_scan(source: str, status: str, seconds: float) -> None:
    SCAN_DURATION.labels(source, status).observe(seconds)
    SCANS.labels(source, status).inc()


class DatabaseCollector(Collector):
    """Figures read from the database at each scrape."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("estate_database_up", "Whether the last scrape read the database.")
        try:
            with Session(self.engine) as session:
                families = [
                    _scan_runs(session),
                    *_last_runs(session),
                    _outbox(session),
                    _queued_requests(session),
                ]
        except Exception as exc:  # a scrape must answer even when the database does not
            log.warning("metrics: database unreadable: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def _scan_runs(session: Session) -> CounterMetricFamily:
    family = CounterMetricFamily(
        "estate_scan_runs",
        "Scan runs recorded, by source and outcome.",
        labels=["source", "status"],
    )
    query = select(col(ScanRun.source), col(ScanRun.status), func.count()).group_by(
        col(ScanRun.source), col(ScanRun.status)
    )
    for source, status, count in session.execute(query):
        family.add_metric([source, str(status)], count)
    return family


def _last_runs(session: Session) -> list[GaugeMetricFamily]:
    duration = GaugeMetricFamily(
        "estate_scan_last_duration_seconds",
        "Duration of each source's last run.",
        labels=["source"],
    )
    success = GaugeMetricFamily(
        "estate_scan_last_success_timestamp_seconds",
        "When each source last finished a run with status ok.",
        labels=["source"],
    )
    for run in last_runs(session).values():
        if run.finished_at is not None:
            duration.add_metric([run.source], (run.finished_at - run.started_at).total_seconds())
    # max() keeps its column's type, so these come back as aware UTC datetimes.
    for source, finished in last_ok(session).items():
        if finished is not None:
            success.add_metric([source], finished.timestamp())
    return [duration, success]


def _outbox(session: Session) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "estate_outbox_messages", "Messages in the outbox by status.", labels=["status"]
    )
    query = select(col(OutboxMessage.status), func.count()).group_by(col(OutboxMessage.status))
    counts = {str(status): count for status, count in session.execute(query)}
    for status in MessageStatus:
        family.add_metric([status.value], counts.get(status.value, 0))
    return family


def _queued_requests(session: Session) -> GaugeMetricFamily:
    family = GaugeMetricFamily("estate_scan_requests_queued", "Scan requests waiting to run.")
    queued = select(func.count()).where(col(ScanRequest.status) == RequestStatus.QUEUED)
    family.add_metric([], session.execute(queued).scalar_one())
    return family


def database_registry(engine: Engine) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(engine))
    return registry


def exposition(*registries: CollectorRegistry) -> bytes:
    """This process's metrics followed by each given registry's, in the text format."""
    return b"".join(generate_latest(r) for r in (REGISTRY, *registries))
