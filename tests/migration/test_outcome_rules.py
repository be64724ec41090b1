"""The outcome rules case by case: each answer, and the evidence that says why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from estate.config import OutcomesSettings
from estate.migration.outcome_rules import WorkloadFacts, assess, shortfall

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
RECENT, OLD = "2026-11-24T01:00:00Z", "2026-11-01T01:00:00Z"
SETTINGS = OutcomesSettings()


def judge(kind: str, facts: dict[str, Any], state: str = "running", **more: Any) -> Any:
    tags, p95, hours = more.pop("tags", {}), more.pop("cpu_p95", None), more.pop("cpu_hours", None)
    workload = WorkloadFacts(kind, state, tags, facts, p95, hours)
    return assess(workload, SETTINGS, NOW)


@pytest.mark.parametrize(
    ("kind", "facts", "expected"),
    [
        # Spread and a recent snapshot: resilient.
        ("ec2-instance", {"in_asg": True, "asg_azs": 2, "last_snapshot_at": RECENT}, True),
        # Spread, but the last snapshot is older than backup_max_age_days (7).
        ("ec2-instance", {"in_asg": True, "asg_azs": 3, "last_snapshot_at": OLD}, False),
        # A lone instance lives in one AZ, however well backed up.
        ("ec2-instance", {"in_asg": False, "last_backup_at": "2026-11-25T00:00:00Z"}, False),
        # Spread; snapshots could not be read: not known, never false.
        ("ec2-instance", {"in_asg": True, "asg_azs": 2}, None),
        # Spread; the snapshot list was read and holds none for it.
        ("ec2-instance", {"in_asg": True, "asg_azs": 2, "snapshots_read": True}, False),
        ("rds-db-instance", {"multi_az": True, "backup_retention_days": 7}, True),
        ("rds-db-instance", {"multi_az": True, "backup_retention_days": 0}, False),
        ("rds-db-instance", {"multi_az": False, "backup_retention_days": 7}, False),
        ("ecs-service", {"desired_count": 3, "subnets": 2, "containers": True}, True),
        ("ecs-service", {"desired_count": 1, "containers": True}, False),
        ("lambda-function", {"serverless": True, "vpc_subnets": 1}, False),
        ("lambda-function", {"serverless": True}, True),
        ("elbv2-load-balancer", {"lb_azs": 2}, True),
    ],
)  # fmt: skip
def test_resilient(kind: str, facts: dict[str, Any], expected: bool | None) -> None:
    assert judge(kind, facts).resilient is expected


def test_the_evidence_names_the_zones_and_the_backup() -> None:
    found = judge(
        "ec2-instance", {"in_asg": True, "asg_azs": 2, "last_snapshot_at": "2026-11-24T01:00:00Z"}
    )

    assert found.evidence["resilient"] == [
        {"holds": True, "why": "spread over 2 Availability Zones"},
        {"holds": True, "why": "EBS snapshot 2026-11-24"},
    ]


def test_a_shortfall_names_the_parts_that_fail_else_those_not_known() -> None:
    lone = judge("ec2-instance", {"last_snapshot_at": "2026-11-24T01:00:00Z"})
    unknown = judge("ec2-instance", {"in_asg": True})

    assert lone.resilient is False
    assert shortfall(lone.evidence, "resilient") == ["a lone instance, in one Availability Zone"]
    assert unknown.resilient is None
    assert shortfall(unknown.evidence, "resilient") == [
        "Availability Zones not known",
        "backups not known",
    ]
    assert shortfall({"resilient": "not a list"}, "resilient") == []


@pytest.mark.parametrize(
    ("kind", "facts", "tags", "expected"),
    [
        ("ec2-instance", {"autoscaled": True}, {}, True),
        ("ec2-instance", {"autoscaled": False}, {}, False),
        ("ec2-instance", {"autoscaled": False}, {"aws:cloudformation:stack-name": "web"}, True),
        ("rds-db-instance", {"storage_autoscaling": True}, {}, True),
        ("rds-db-instance", {"serverless": False, "storage_autoscaling": False}, {}, False),
        ("lambda-function", {"serverless": True}, {}, True),
        ("ec2-instance", {}, {}, None),
    ],
)
def test_flexible(
    kind: str, facts: dict[str, Any], tags: dict[str, str], expected: bool | None
) -> None:
    assert judge(kind, facts, tags=tags).flexible is expected


def test_oversized_idle_and_efficient_from_cpu_and_state() -> None:
    current = {"previous_generation": False}
    busy = judge("ec2-instance", current, cpu_p95=63.0, cpu_hours=336)
    quiet = judge("ec2-instance", current, cpu_p95=4.2, cpu_hours=336)
    young = judge("ec2-instance", current, cpu_p95=1.0, cpu_hours=5)
    stopped = judge(
        "ec2-instance", {"previous_generation": False, "stopped_with_volumes_gb": 80}, "stopped"
    )
    old = judge("ec2-instance", {"previous_generation": True}, cpu_p95=60.0, cpu_hours=336)

    assert (busy.oversized, busy.idle, busy.efficient) == (False, False, True)
    assert (quiet.oversized, quiet.efficient) == (True, False)
    assert shortfall(quiet.evidence, "efficient") == ["p95 CPU 4.2% over 336 hours: oversized"]
    assert (young.oversized, young.efficient) == (None, None)
    assert (stopped.idle, stopped.efficient) == (True, False)
    assert (old.oversized, old.efficient) == (False, False)
