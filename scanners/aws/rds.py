"""RDS DB instances: engine, class, storage and Multi-AZ."""

from __future__ import annotations

from typing import Any

from scanners.aws.backups import backup_facts
from scanners.aws.cloudwatch import RDS, cpu_fields
from scanners.aws.common import (
    Lookups,
    page_config,
    paged,
    previous_generation,
    utc,
)

RESOURCE_TYPE = "rds-db-instance"


def fetch_db_instances(clients: Any, page_size: int | None) -> list[dict]:
    rds = clients("rds")
    return paged(rds, "describe_db_instances", "DBInstances", page_config(page_size, 20, 100))


def instance_fields(instance: dict, lookups: Lookups) -> dict[str, Any]:
    facts = _facts(instance) | backup_facts(lookups, instance["DBInstanceArn"], [])
    return {
        "state": instance["DBInstanceStatus"],
        "size": instance["DBInstanceClass"],
        "launched_at": utc(instance.get("InstanceCreateTime")),
        "facts": facts,
        **cpu_fields(lookups, (RDS[0], instance["DBInstanceIdentifier"])),
        "extra": {
            "engine": instance["Engine"],
            "engine_version": instance.get("EngineVersion"),
            "storage_gb": instance.get("AllocatedStorage"),
            "storage_type": instance.get("StorageType"),
            "az": instance.get("AvailabilityZone"),
            "secondary_az": instance.get("SecondaryAvailabilityZone"),
            "db_cluster": instance.get("DBClusterIdentifier"),
        },
    }


def _facts(instance: dict) -> dict[str, Any]:
    db_class = instance["DBInstanceClass"]
    storage = instance.get("AllocatedStorage") or 0
    facts: dict[str, Any] = {
        "multi_az": bool(instance.get("MultiAZ")),
        "serverless": db_class == "db.serverless",
        # A storage ceiling above the allocation means RDS grows the volume by itself.
        "storage_autoscaling": (instance.get("MaxAllocatedStorage") or 0) > storage,
        "previous_generation": previous_generation(db_class),
        # Automated backups kept this many days: 0 means none; absent, not known.
        "backup_retention_days": instance.get("BackupRetentionPeriod"),
    }
    if instance["DBInstanceStatus"] == "stopped" and storage:
        facts["stopped_with_storage_gb"] = storage
    return facts
