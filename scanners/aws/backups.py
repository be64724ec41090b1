"""Backups of a scope's data: its own EBS snapshots (newest per volume) and what AWS Backup
protects (newest recovery point per resource). EC2 instances and RDS databases take their
backup facts from these (estate.migration.outcome_rules reads them).

AWS Backup is optional: an account that does not use it, refuses us or a cloud that does not
offer it leaves `backup_read` unset, so the rule says "not known" rather than "no backup".
DescribeSnapshots is EC2's own and is asked of every account, for the volumes of the instances
just listed (not every snapshot the account holds: years of them, and those behind its AMIs);
its refusal fails this service.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from estate.inventory.records import Problem, WorkloadRecord
from scanners.aws.common import (
    ENDED_STATES,
    Lookups,
    ScopeContext,
    chunks,
    page_config,
    paged,
    utc,
)

log = logging.getLogger(__name__)
# Snapshots in these states are not (or no longer) a copy one could restore from.
_UNUSABLE = frozenset({"pending", "error", "recoverable", "recovering"})
# Values one DescribeSnapshots filter may carry.
_VOLUMES_PER_CALL = 200


@dataclass
class BackupPayload:
    snapshots: list[dict] = field(default_factory=list)
    # AWS Backup's protected resources; None where the service did not answer.
    protected: list[dict] | None = None


def fetch_backups(
    clients: Any, page_size: int | None, payloads: Mapping[str, Any], days: int
) -> BackupPayload:
    ec2 = clients("ec2")
    config = page_config(page_size, 5, 1000)
    snapshots: list[dict] = []
    for volumes in chunks(instance_volumes(payloads), _VOLUMES_PER_CALL):
        wanted = [{"Name": "volume-id", "Values": list(volumes)}]
        kwargs = {"OwnerIds": ["self"], "Filters": wanted}
        snapshots += paged(ec2, "describe_snapshots", "Snapshots", config, **kwargs)
    return BackupPayload(snapshots, fetch_protected_resources(clients, page_size))


def instance_volumes(payloads: Mapping[str, Any]) -> list[str]:
    """The EBS volumes of the instances listed and not ended, each once, in order."""
    ec2 = payloads.get("ec2")
    ended = ENDED_STATES["ec2-instance"]
    found = [
        volume
        for instance in (ec2.instances if ec2 is not None else [])
        if (instance.get("State") or {}).get("Name") not in ended
        for mapping in instance.get("BlockDeviceMappings", [])
        if (volume := (mapping.get("Ebs") or {}).get("VolumeId"))
    ]
    return sorted(set(found))


def fetch_protected_resources(clients: Any, page_size: int | None) -> list[dict] | None:
    try:
        backup = clients("backup")
        config = page_config(page_size, 1, 1000)
        return paged(backup, "list_protected_resources", "Results", config)
    except (ClientError, BotoCoreError) as exc:
        # Refused, not offered or not implemented (moto): its facts stay unknown.
        log.info("AWS Backup not read: %s", exc)
        return None


def index_backups(payload: BackupPayload, lookups: Lookups) -> None:
    """The newest usable snapshot of each volume and recovery point of each resource ARN."""
    lookups.snapshots_read = True
    for snapshot in payload.snapshots:
        volume, at = snapshot.get("VolumeId"), utc(snapshot.get("StartTime"))
        if volume and at is not None and snapshot.get("State") not in _UNUSABLE:
            _keep_newest(lookups.snapshot_of_volume, volume, at)
    if payload.protected is None:
        return
    lookups.backup_read = True
    for resource in payload.protected:
        arn, at = resource.get("ResourceArn"), utc(resource.get("LastBackupTime"))
        if arn and at is not None:
            _keep_newest(lookups.backup_of_resource, arn, at)


def _keep_newest(found: dict[str, datetime], key: str, at: datetime) -> None:
    if key not in found or at > found[key]:
        found[key] = at


def transform_backups(
    payload: BackupPayload, ctx: ScopeContext, lookups: Lookups
) -> Iterator[WorkloadRecord | Problem]:
    """No records of their own: backups are facts of the instances and databases."""
    return iter(())


def backup_facts(lookups: Lookups, arn: str, volumes: list[str]) -> dict[str, Any]:
    """The facts the backup rule reads for one resource and the EBS volumes it holds."""
    facts: dict[str, Any] = {}
    if lookups.snapshots_read and volumes:
        facts["snapshots_read"] = True
        taken = [lookups.snapshot_of_volume.get(v) for v in volumes]
        # Backed up as of its least recently copied volume; one never copied leaves it not.
        if None not in taken:
            facts["last_snapshot_at"] = min(t for t in taken if t is not None).isoformat()
    if lookups.backup_read:
        facts["backup_read"] = True
        if arn in lookups.backup_of_resource:
            facts["last_backup_at"] = lookups.backup_of_resource[arn].isoformat()
    return facts
