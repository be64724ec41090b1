"""DescribeDBInstances answers (shape from the RDS API reference)."""

from datetime import UTC, datetime
from typing import Any

DB_INSTANCES: list[dict[str, Any]] = [
    {
        "DBInstanceIdentifier": "revenues-db",
        "DBInstanceArn": "arn:aws:rds:eu-west-2:111122223333:db:revenues-db",
        "DBInstanceClass": "db.r6g.large",
        "Engine": "sqlserver-se",
        "EngineVersion": "15.00.4345.5.v1",
        "DBInstanceStatus": "available",
        "AllocatedStorage": 500,
        "MaxAllocatedStorage": 1000,
        "StorageType": "gp3",
        "MultiAZ": True,
        "AvailabilityZone": "eu-west-2a",
        "SecondaryAvailabilityZone": "eu-west-2b",
        "InstanceCreateTime": datetime(2025, 5, 20, 22, 15, 1, tzinfo=UTC),
        "TagList": [{"Key": "estate:source-server", "Value": "CZ20481X7Q"}],
    },
    {
        "DBInstanceIdentifier": "legacy-gis",
        "DBInstanceArn": "arn:aws:rds:eu-west-2:111122223333:db:legacy-gis",
        "DBInstanceClass": "db.m3.medium",
        "Engine": "postgres",
        "EngineVersion": "11.22",
        "DBInstanceStatus": "stopped",
        "AllocatedStorage": 50,
        "MultiAZ": False,
        "AvailabilityZone": "eu-west-2c",
        "TagList": [{"Key": "Name", "Value": "GIS (legacy)"}],
    },
    {
        # Still being created: no create time, no zone yet.
        "DBInstanceIdentifier": "new-aurora-1",
        "DBInstanceArn": "arn:aws:rds:eu-west-2:111122223333:db:new-aurora-1",
        "DBInstanceClass": "db.serverless",
        "Engine": "aurora-postgresql",
        "DBInstanceStatus": "creating",
        "MultiAZ": False,
        "DBClusterIdentifier": "new-aurora",
    },
]
