"""Outcomes: (a) the CloudWatch CPU read for 1,000 instances, bulk GetMetricData (500 metrics a
call) against one GetMetricStatistics call per instance, in the same run against the same moto
server behind a proxy adding 50 ms to each request; (b) GET /api/v1/outcomes and
GET /api/v1/sites/{id}/forecast at 50,000 servers and 100,000 workloads beside GET /health,
driven by wrk against `estate serve`, on SQLite and PostgreSQL.

(a) moto answers GetMetricData by scanning every datum for every metric and hour, so only a
few instances are given figures (24 hours each); the rest are asked and answer empty, as
instances CloudWatch has not seen do. Both ways must give the same figures. Target: bulk in
<= 0.1x the per-instance time.
(b) The estate is bulk-inserted (bench/estate_builder.py), its statuses and outcomes refreshed
(timed) and 90 days of the site's snapshots kept for the forecast's trend. Targets: p99 <=
100 ms and throughput >= 0.25x /health, as bench/api_load.py measures them.

    .venv/bin/python bench/outcomes.py [--db sqlite|postgresql] [--duration 10]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from api_load import P99_TARGET_MS, RATIO_TARGET, ensure_wrk, reader_token, refresh, serve, warm
from api_load import wrk as run_wrk
from aws_scan import DELAY_S, LatencyProxy, start_moto
from common import Result, against_health, database_parser, fresh_database, run_on_databases
from estate_builder import build_estate
from sqlalchemy import insert
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estate.config import DatabaseSettings, Settings  # noqa: E402
from estate.db import make_engine  # noqa: E402
from estate.db.schema import upgrade  # noqa: E402
from estate.migration.outcomes import refresh_outcomes  # noqa: E402
from estate.migration.progress import SNAPSHOTS  # noqa: E402
from scanners.aws.cloudwatch import EC2, cpu_figures, read_cpu, window  # noqa: E402

INSTANCES = 1_000
WITH_FIGURES = 4
HOURS = 24
DAYS = 14
RUNS = 3
CLOUDWATCH_TARGET = 0.1
SIZES = {"servers": 50_000, "devices": 0, "workloads": 100_000}
# The endpoints judged against /health (name in the figures, path shown).
SHOWN = (("outcomes", "/api/v1/outcomes"), ("forecast", "/api/v1/sites/{id}/forecast"))


def _put_figures(cloudwatch: Any, ids: list[str], end: datetime) -> None:
    for n, instance_id in enumerate(ids[:WITH_FIGURES]):
        data = [
            {
                "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "InstanceId", "Value": instance_id}],
                "Timestamp": end - timedelta(hours=hour, minutes=30),
                "Value": float((n * 7 + hour * 3) % 100),
                "Unit": "Percent",
            }
            for hour in range(HOURS)
        ]
        cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=data)


def per_instance(cloudwatch: Any, ids: list[str], start: datetime, end: datetime) -> dict:
    """The baseline: one GetMetricStatistics call per instance."""
    found = {}
    for instance_id in ids:
        points = cloudwatch.get_metric_statistics(
            Namespace="AWS/EC2",
            MetricName="CPUUtilization",
            Dimensions=[{"Name": "InstanceId", "Value": instance_id}],
            StartTime=start,
            EndTime=end,
            Period=3600,
            Statistics=["Average"],
        )["Datapoints"]
        found[(EC2[0], instance_id)] = cpu_figures([p["Average"] for p in points])
    return found


def cloudwatch_bench() -> list[Result]:
    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}.items():
        os.environ[name] = value
    moto, url = start_moto()
    try:
        proxy = LatencyProxy(int(url.rsplit(":", 1)[1]), DELAY_S).start()
        endpoint = f"http://127.0.0.1:{proxy.port}"
        cloudwatch = boto3.client("cloudwatch", region_name="eu-west-2", endpoint_url=endpoint)
        ids = [f"i-{n:017x}" for n in range(INSTANCES)]
        start, end = window(datetime.now(UTC), DAYS)
        _put_figures(cloudwatch, ids, end)
        keys = [(EC2[0], i) for i in ids]
        bulk_times, single_times = [], []
        for _ in range(RUNS):
            began = time.perf_counter()
            bulk = read_cpu(cloudwatch, keys, start, end)
            bulk_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            single = per_instance(cloudwatch, ids, start, end)
            single_times.append(time.perf_counter() - began)
            figures = {key: cpu_figures(values) for key, values in bulk.series.items()}
            assert not bulk.failed and figures == single, "bulk and per-instance figures differ"
            assert sum(1 for f in figures.values() if f.hours == HOURS) == WITH_FIGURES
        requests = proxy.requests
        proxy.stop()
    finally:
        moto.terminate()
        moto.wait(timeout=30)
    fast, slow = statistics.median(bulk_times), statistics.median(single_times)
    return [
        Result(
            f"CloudWatch CPU of {INSTANCES:,} instances, 50 ms/request: GetMetricData (500 a call)"
            " vs GetMetricStatistics per instance",
            round(fast, 2),
            "s",
            round(slow, 2),
            f"<= {CLOUDWATCH_TARGET}x",
            fast <= CLOUDWATCH_TARGET * slow,
        ),
        Result("requests per read, both ways (through the proxy)", requests // RUNS, "requests"),
    ]


def _snapshots(engine: Any, site_id: int, servers: int) -> None:
    """90 days of the site's snapshots, the count still to migrate falling by 0.1% a day."""
    today = date.today()
    rows = [
        {"day": today - timedelta(days=d), "dimension": "site", "key": str(site_id),
         "status": "planned", "servers": int(servers * (1 - 0.001 * (90 - d)))}
        for d in range(90, 0, -1)
    ]  # fmt: skip
    with Session(engine) as session:
        session.execute(insert(SNAPSHOTS), rows)
        session.commit()


def api_bench(db: str, workdir: str, duration: int, binary: str) -> list[Result]:
    print(f"== {db}: {SIZES['servers']:,} servers, {SIZES['workloads']:,} workloads", flush=True)
    with fresh_database(db, workdir) as url:
        engine = make_engine(url)
        upgrade(engine)
        site_id = build_estate(engine, **SIZES)
        refreshed = refresh(engine, url)
        began = time.perf_counter()
        with Session(engine) as session:
            refresh_outcomes(session, Settings(database=DatabaseSettings(url=url)).outcomes)
            session.commit()
        judged = time.perf_counter() - began
        print(f"  statuses in {refreshed:.1f} s, outcomes of every workload in {judged:.1f} s")
        _snapshots(engine, site_id, SIZES["servers"] // 4)
        token = reader_token(engine)
        engine.dispose()
        paths = {
            "health": "/health",
            "outcomes": "/api/v1/outcomes",
            "forecast": f"/api/v1/sites/{site_id}/forecast",
            # For comparison: an endpoint api_load measures, served the same way.
            "hosting": f"/api/v1/sites/{site_id}/hosting",
        }
        figures: dict[str, tuple[float, float]] = {}
        with serve(url, workdir, 1, scheduler=False) as base:
            for path in paths.values():
                warm(base + path, token)
            for name, path in paths.items():
                figures[name] = run_wrk(binary, base + path, token, duration)
                print(f"  {name}: {figures[name][0]:,.0f} req/s, p99 {figures[name][1]:.1f} ms")
    return _api_results(db, figures, judged)


def _api_results(db: str, figures: dict[str, tuple[float, float]], judged: float) -> list[Result]:
    health_rps, health_p99 = figures["health"]
    label = f"{db} 50k servers, 100k workloads"
    rows = [
        Result(f"{label}: outcomes of every workload judged (s)", round(judged, 2), "s"),
        Result(f"{label}: GET /health throughput (req/s)", round(health_rps, 1), "req/s"),
        Result(f"{label}: GET /health p99 (ms)", round(health_p99, 2), "ms"),
    ]
    return rows + against_health(label, SHOWN, figures, RATIO_TARGET, P99_TARGET_MS)


def main() -> None:
    parser = database_parser(__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--skip-cloudwatch", action="store_true")
    args = parser.parse_args()
    binary = ensure_wrk()
    cloudwatch = [] if args.skip_cloudwatch else cloudwatch_bench()
    for row in cloudwatch:
        print(f"  {row.name}: {row.value} {row.unit} (baseline {row.baseline})", flush=True)

    def bench(db: str, workdir: str) -> list[Result]:
        return api_bench(db, workdir, args.duration, binary)

    run_on_databases("outcomes", args.db, bench, first=cloudwatch)


if __name__ == "__main__":
    main()
