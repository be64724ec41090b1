"""CPU utilisation of a scope's EC2 instances and RDS databases, from CloudWatch.

Hourly averages of CPUUtilization over the last `[outcomes] utilisation_days`, read in bulk
(GetMetricData, up to 500 metrics a call, its pages followed) rather than one call per
resource; their 95th percentile and hour count are readings of each workload. A call that
fails (throttled past botocore's retries, refused) is a problem naming each resource it was
for, and those resources keep the readings earlier scans found.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from estate.inventory.records import Problem, WorkloadRecord
from scanners.aws.common import (
    ENDED_STATES,
    CpuFigures,
    Lookups,
    ScopeContext,
    chunks,
    explain,
    paged,
)
from scanners.base import BAD_PAYLOAD

EC2 = ("AWS/EC2", "InstanceId")
RDS = ("AWS/RDS", "DBInstanceIdentifier")
QUERIES_PER_CALL = 500
PERIOD_SECONDS = 3600
# A result in these states has no usable figures; PartialData only means more pages follow.
_FAILED_STATUS = frozenset({"InternalError", "Forbidden"})

Key = tuple[str, str]


@dataclass
class CpuPayload:
    # (namespace, resource id) -> its hourly averages over the window, in no set order.
    series: dict[Key, list[float]] = field(default_factory=dict)
    # (namespace, resource id) -> why its figures could not be read.
    failed: dict[Key, str] = field(default_factory=dict)


def cpu_targets(payloads: Mapping[str, Any]) -> list[Key]:
    """The resources whose CPU is read: instances not ended, and every database."""
    keys: list[Key] = []
    if (ec2 := payloads.get("ec2")) is not None:
        keys += [
            (EC2[0], str(i["InstanceId"]))
            for i in ec2.instances
            if (i.get("State") or {}).get("Name") not in ENDED_STATES["ec2-instance"]
        ]
    if (rds := payloads.get("rds")) is not None:
        keys += [(RDS[0], str(db["DBInstanceIdentifier"])) for db in rds]
    return sorted(set(keys))


def window(now: datetime, days: int) -> tuple[datetime, datetime]:
    """Whole hours up to the last one begun, so a steady resource's hour count is steady."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return end - timedelta(days=days), end


def fetch_cpu(
    clients: Any, page_size: int | None, payloads: Mapping[str, Any], days: int
) -> CpuPayload:
    start, end = window(datetime.now(UTC), days)
    keys = cpu_targets(payloads)
    try:
        client = clients("cloudwatch")
    except (ClientError, BotoCoreError, PermissionError) as exc:
        return CpuPayload(failed=dict.fromkeys(keys, explain(exc)[0]))
    return read_cpu(client, keys, start, end)


def read_cpu(cloudwatch: Any, keys: Sequence[Key], start: datetime, end: datetime) -> CpuPayload:
    payload = CpuPayload()
    for batch in chunks(keys, QUERIES_PER_CALL):
        try:
            results = _read_batch(cloudwatch, batch, start, end)
        except (ClientError, BotoCoreError) as exc:
            payload.failed.update(dict.fromkeys(batch, explain(exc)[0]))
            continue
        try:
            folded = fold_results(batch, results)
        except BAD_PAYLOAD as exc:
            reason = f"GetMetricData: unreadable answer: {type(exc).__name__}: {exc}"
            payload.failed.update(dict.fromkeys(batch, reason))
            continue
        payload.series.update(folded.series)
        payload.failed.update(folded.failed)
    return payload


def _read_batch(
    cloudwatch: Any, batch: Sequence[Key], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Every page's results for one call of up to 500 metrics (the paginator follows NextToken)."""
    return paged(
        cloudwatch,
        "get_metric_data",
        "MetricDataResults",
        {},
        MetricDataQueries=[_query(f"q{n}", key) for n, key in enumerate(batch)],
        StartTime=start,
        EndTime=end,
        ScanBy="TimestampAscending",
    )


def fold_results(batch: Sequence[Key], results: Sequence[Mapping[str, Any]]) -> CpuPayload:
    """One call's results, over all its pages, as each resource's figures (pure)."""
    payload = CpuPayload(series={key: [] for key in batch})
    for result in results:
        key = batch[int(str(result["Id"])[1:])]
        if result.get("StatusCode") in _FAILED_STATUS:
            messages = "; ".join(str(m.get("Value")) for m in result.get("Messages") or [])
            payload.failed[key] = f"GetMetricData: {result['StatusCode']}: {messages}".strip()
        else:
            payload.series[key].extend(float(v) for v in result.get("Values") or [])
    for key in payload.failed:
        payload.series.pop(key, None)
    return payload


def _query(query_id: str, key: Key) -> dict[str, Any]:
    namespace, resource_id = key
    dimension = EC2[1] if namespace == EC2[0] else RDS[1]
    metric = {
        "Namespace": namespace,
        "MetricName": "CPUUtilization",
        "Dimensions": [{"Name": dimension, "Value": resource_id}],
    }
    return {
        "Id": query_id,
        "MetricStat": {"Metric": metric, "Period": PERIOD_SECONDS, "Stat": "Average"},
        "ReturnData": True,
    }


def cpu_figures(values: Sequence[float]) -> CpuFigures:
    """The nearest-rank 95th percentile of hourly figures, and how many hours they are."""
    if not values:
        return CpuFigures(None, 0)
    ordered = sorted(values)
    rank = math.ceil(0.95 * len(ordered))
    return CpuFigures(round(ordered[rank - 1], 2), len(ordered))


def index_cpu(payload: CpuPayload, lookups: Lookups) -> None:
    lookups.cpu.update({key: cpu_figures(values) for key, values in payload.series.items()})
    lookups.cpu_unread.update(payload.failed)


def transform_cpu(
    payload: CpuPayload, ctx: ScopeContext, lookups: Lookups
) -> Iterator[WorkloadRecord | Problem]:
    """A problem for each resource whose figures could not be read; no records of its own."""
    for (namespace, resource_id), reason in sorted(payload.failed.items()):
        what = "instance" if namespace == EC2[0] else "DB instance"
        yield Problem(
            scope=ctx.scope,
            target=f"{ctx.scope}/cloudwatch/{resource_id}",
            reason=f"account {ctx.account_id}, region {ctx.region}, cloudwatch: CPU of {what}"
            f" {resource_id!r} not read (earlier figures kept): {reason}",
        )


def cpu_fields(lookups: Lookups, key: Key) -> dict[str, Any]:
    """A workload record's CPU readings, or which it could not read this time."""
    if key in lookups.cpu_unread:
        return {"readings_unread": ("cpu_p95", "cpu_hours")}
    figures = lookups.cpu.get(key)
    if figures is None:
        return {}
    return {"cpu_p95": figures.p95, "cpu_hours": figures.hours}
