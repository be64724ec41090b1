"""DescribeSnapshots (OwnerIds=self) and AWS Backup ListProtectedResources answers, as botocore
parses them (shapes from the EC2 and AWS Backup API references; ids are made up)."""

from datetime import UTC, datetime
from typing import Any

SNAPSHOTS: list[dict[str, Any]] = [
    # Two copies of the first instance's root volume: the newer counts.
    {
        "SnapshotId": "snap-0root0001a",
        "VolumeId": "vol-0root0001",
        "State": "completed",
        "StartTime": datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        "VolumeSize": 30,
        "OwnerId": "111122223333",
    },
    {
        "SnapshotId": "snap-0root0001b",
        "VolumeId": "vol-0root0001",
        "State": "completed",
        "StartTime": datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
        "VolumeSize": 30,
        "OwnerId": "111122223333",
    },
    {
        "SnapshotId": "snap-0data0001a",
        "VolumeId": "vol-0data0001",
        "State": "completed",
        "StartTime": datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
        "VolumeSize": 200,
        "OwnerId": "111122223333",
    },
    # Still being taken: not yet a copy anyone could restore.
    {
        "SnapshotId": "snap-0data0001b",
        "VolumeId": "vol-0data0001",
        "State": "pending",
        "StartTime": datetime(2026, 11, 25, 2, 5, tzinfo=UTC),
        "VolumeSize": 200,
        "OwnerId": "111122223333",
    },
    # The stopped instance's root volume, copied long ago.
    {
        "SnapshotId": "snap-0root0002a",
        "VolumeId": "vol-0root0002",
        "State": "completed",
        "StartTime": datetime(2026, 9, 1, 2, 0, tzinfo=UTC),
        "VolumeSize": 80,
        "OwnerId": "111122223333",
    },
]

PROTECTED_RESOURCES: list[dict[str, Any]] = [
    {
        "ResourceArn": "arn:aws:rds:eu-west-2:111122223333:db:legacy-gis",
        "ResourceType": "RDS",
        "LastBackupTime": datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
    },
    {
        "ResourceArn": "arn:aws:ec2:eu-west-2:111122223333:instance/i-0a1b2c3d4e5f60002",
        "ResourceType": "EC2",
        "LastBackupTime": datetime(2026, 10, 2, 23, 0, tzinfo=UTC),
    },
]
