"""Backups and CPU figures into instance and database facts: pure transforms on recorded
payloads (snapshots, AWS Backup, CloudWatch), no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from estate.inventory.records import Problem, WorkloadRecord
from scanners.aws import backups, cloudwatch, ec2, workloads
from scanners.aws.common import CpuFigures, Lookups, ScopeContext
from tests.aws.data import backups as backup_data
from tests.aws.data import cloudwatch as cw_data
from tests.aws.data import ec2 as ec2_data
from tests.aws.data import rds as rds_data
from tests.aws.helpers import judged

CTX = ScopeContext("111122223333", "eu-west-2")
FIRST, STOPPED = ("AWS/EC2", "i-0a1b2c3d4e5f60001"), ("AWS/EC2", "i-0a1b2c3d4e5f60002")
REVENUES = ("AWS/RDS", "revenues-db")


def _records(lookups: Lookups) -> tuple[list[WorkloadRecord], list[WorkloadRecord]]:
    payload = ec2.Ec2Payload(ec2_data.INSTANCES, ec2_data.VOLUMES, ec2_data.INSTANCE_TYPES)
    instances = list(ec2.transform_instances(payload, CTX, lookups))
    databases = list(workloads.transform_db_instances(rds_data.DB_INSTANCES, CTX, lookups))
    return instances, databases  # type: ignore[return-value]


def _read(protected: list | None = backup_data.PROTECTED_RESOURCES) -> Lookups:
    lookups = Lookups()
    backups.index_backups(backups.BackupPayload(backup_data.SNAPSHOTS, protected), lookups)
    return lookups


def test_an_instance_is_backed_up_as_of_its_least_recently_copied_volume() -> None:
    (first, stopped, pending), (sql, gis, _) = _records(_read())

    # Root copied on the 24th, data on the 23rd (its pending copy of the 25th is not one yet).
    assert first.facts["last_snapshot_at"] == "2026-11-23T02:05:00+00:00"
    assert (first.facts["snapshots_read"], first.facts["backup_read"]) == (True, True)
    assert "last_backup_at" not in first.facts
    assert judged(first).evidence["resilient"][1] == {
        "holds": True,
        "why": "EBS snapshot 2026-11-23",
    }
    # Copied in September, and by AWS Backup in October: too old either way.
    assert stopped.facts["last_snapshot_at"] == "2026-09-01T02:00:00+00:00"
    assert stopped.facts["last_backup_at"] == "2026-10-02T23:00:00+00:00"
    assert judged(stopped).evidence["resilient"][1] == {
        "holds": False,
        "why": "last backup 2026-10-02 (AWS Backup), none in the last 7 days",
    }
    # No volumes: nothing to snapshot, so snapshots say nothing of it.
    assert "snapshots_read" not in pending.facts
    assert gis.facts["last_backup_at"] == "2026-11-24T23:00:00+00:00"
    assert "last_backup_at" not in sql.facts


def test_aws_backup_not_answering_leaves_its_facts_unknown_not_false() -> None:
    (first, _, _), (sql, gis, _) = _records(_read(protected=None))

    assert "backup_read" not in first.facts
    assert "last_backup_at" not in gis.facts
    assert first.facts["snapshots_read"] is True
    # A database with no retention known and AWS Backup unread: not known, not "no backup".
    assert judged(sql).evidence["resilient"][1] == {"holds": None, "why": "backups not known"}


def test_no_snapshot_read_is_not_known() -> None:
    (first, _, _), _ = _records(Lookups())

    assert judged(first).evidence["resilient"][1] == {"holds": None, "why": "backups not known"}


def test_cpu_figures_are_the_nearest_rank_p95_of_the_hours() -> None:
    assert cloudwatch.cpu_figures(cw_data.BUSY) == CpuFigures(80.0, 336)
    assert cloudwatch.cpu_figures(cw_data.QUIET) == CpuFigures(3.5, 30)
    assert cloudwatch.cpu_figures([7.0]) == CpuFigures(7.0, 1)
    assert cloudwatch.cpu_figures([]) == CpuFigures(None, 0)


def test_cpu_pages_fold_into_each_resource_and_onto_its_record() -> None:
    results = [r for page in cw_data.PAGES for r in page["MetricDataResults"]]
    payload = cloudwatch.fold_results([FIRST, REVENUES, STOPPED], results)
    lookups = Lookups()
    cloudwatch.index_cpu(payload, lookups)

    (first, stopped, pending), (sql, _, _) = _records(lookups)

    assert (first.cpu_p95, first.cpu_hours) == (80.0, 336)
    assert (sql.cpu_p95, sql.cpu_hours) == (3.5, 30)
    assert (stopped.cpu_p95, stopped.cpu_hours) == (None, 0)
    # Not asked at all (CloudWatch not among the services): nothing said.
    assert (pending.cpu_p95, pending.cpu_hours, pending.readings_unread) == (None, None, ())
    assert judged(sql).oversized is True
    assert judged(first).evidence["efficient"][1] == {
        "holds": True,
        "why": "p95 CPU 80.0% over 336 hours: sized to its load",
    }


def test_a_failed_cpu_result_is_a_problem_and_its_readings_are_kept() -> None:
    failed = {
        "Id": "q1",
        "StatusCode": "Forbidden",
        "Messages": [{"Code": "Forbidden", "Value": "not authorised for AWS/RDS"}],
    }
    payload = cloudwatch.fold_results([FIRST, REVENUES], [{"Id": "q0", "Values": [5.0]}, failed])
    lookups = Lookups()
    cloudwatch.index_cpu(payload, lookups)

    (first, _, _), (sql, _, _) = _records(lookups)
    problems = list(cloudwatch.transform_cpu(payload, CTX, lookups))

    assert (first.cpu_p95, first.cpu_hours) == (5.0, 1)
    assert (sql.cpu_p95, sql.readings_unread) == (None, ("cpu_p95", "cpu_hours"))
    assert problems == [
        Problem(
            scope="111122223333/eu-west-2",
            target="111122223333/eu-west-2/cloudwatch/revenues-db",
            reason="account 111122223333, region eu-west-2, cloudwatch: CPU of DB instance"
            " 'revenues-db' not read (earlier figures kept): GetMetricData: Forbidden:"
            " not authorised for AWS/RDS",
        )
    ]


def test_cpu_is_read_of_instances_not_ended_and_every_database() -> None:
    ended = {"InstanceId": "i-gone", "State": {"Name": "terminated"}}
    payloads = {
        "ec2": ec2.Ec2Payload([*ec2_data.INSTANCES, ended]),
        "rds": rds_data.DB_INSTANCES,
    }

    assert cloudwatch.cpu_targets(payloads) == [
        ("AWS/EC2", "i-0a1b2c3d4e5f60001"),
        ("AWS/EC2", "i-0a1b2c3d4e5f60002"),
        ("AWS/EC2", "i-0a1b2c3d4e5f60003"),
        ("AWS/RDS", "legacy-gis"),
        ("AWS/RDS", "new-aurora-1"),
        ("AWS/RDS", "revenues-db"),
    ]
    at = datetime(2026, 11, 25, 12, 41, 7, tzinfo=UTC)
    assert cloudwatch.window(at, 14) == (
        datetime(2026, 11, 11, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    )
