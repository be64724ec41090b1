"""An outcomes scenario seeded in moto's server: known AZ spread, snapshots, scaling, CPU series
(PutMetricData) and a stopped instance still holding its volume, each instance standing in for
an on-premise server whose application and wave the test sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from tests.aws.seed import LINK_TAG, LINUX_AMI, database, web_group, web_template

REGION = "eu-west-2"
HOURS = 30
BUSY = [60.0] * HOURS
# One spike in thirty hours: its p95 is the quiet figure.
QUIET = [1.0] * (HOURS - 1) + [50.0]
# Each on-premise server (CMDB host name) and its application.
SERVERS = {
    "web01": "Intranet",
    "web02": "Intranet",
    "pay01": "Payroll",
    "pay02": "Payroll",
    "db01": "Payroll",
    "gis01": "GIS",
}


def seed(url: str) -> dict[str, str]:
    """The scenario; returns each instance's id (the database's name) by the server it replaced
    ("scratch": the one that replaced none)."""

    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=url)

    ec2 = client("ec2")
    made = {
        "web01": _spread_group(client),
        "web02": _instance(ec2, "web02", "t3.small"),
        "pay01": _instance(ec2, "pay01", "t3.large", [{"Key": "terraform", "Value": "true"}]),
        "pay02": _instance(ec2, "pay02", "t3.small"),
        "gis01": _instance(ec2, "gis01", "m3.medium"),
        # Not migrated: no server named, so counted nowhere.
        "scratch": _instance(ec2, None, "t3.small"),
    }
    ec2.stop_instances(InstanceIds=[made["pay02"]])
    for name in ("web01", "pay01"):
        for volume in _volumes(ec2, made[name]):
            ec2.create_snapshot(VolumeId=volume)
    _database(client("rds"))
    _cpu(client("cloudwatch"), made)
    return made | {"db01": "payroll-db"}


def _spread_group(client: Any) -> str:
    web_template(client, "t3.medium")
    tags = [
        {"Key": LINK_TAG, "Value": "web01", "PropagateAtLaunch": True},
        {"Key": "Name", "Value": "web01", "PropagateAtLaunch": True},
    ]
    web_group(client, "intranet", (1, 3, 1), [f"{REGION}a", f"{REGION}b"], tags)
    [group] = client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    return str(group["Instances"][0]["InstanceId"])


def _instance(ec2: Any, server: str | None, size: str, tags: list | None = None) -> str:
    tags = [*(tags or []), {"Key": "Name", "Value": server or "scratch"}]
    if server:
        tags.append({"Key": LINK_TAG, "Value": server})
    answer = ec2.run_instances(
        ImageId=LINUX_AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType=size,
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )
    return str(answer["Instances"][0]["InstanceId"])


def _volumes(ec2: Any, instance_id: str) -> list[str]:
    [reservation] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    mappings = reservation["Instances"][0]["BlockDeviceMappings"]
    return [m["Ebs"]["VolumeId"] for m in mappings]


def _database(rds: Any) -> None:
    tags = [{"Key": LINK_TAG, "Value": "db01"}]
    # Storage that grows by itself, a standby in another AZ, a week of automated backups.
    resilient = {"MaxAllocatedStorage": 200, "MultiAZ": True, "BackupRetentionPeriod": 7}
    database(rds, "payroll-db", "db.m5.large", "postgres", 20, Tags=tags, **resilient)


def _cpu(cloudwatch: Any, made: dict[str, str]) -> None:
    """Hourly figures for the last HOURS whole hours: busy, or quiet for pay01; none for the
    stopped pay02 and for web02, which CloudWatch has not seen yet."""
    series = {("AWS/EC2", "InstanceId", made[n]): BUSY for n in ("web01", "gis01")}
    series[("AWS/EC2", "InstanceId", made["pay01"])] = QUIET
    series[("AWS/RDS", "DBInstanceIdentifier", "payroll-db")] = BUSY
    top = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for (namespace, dimension, value), figures in series.items():
        data = [
            {
                "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": dimension, "Value": value}],
                "Timestamp": top - timedelta(hours=hour + 1, minutes=-30),
                "Value": figure,
                "Unit": "Percent",
            }
            for hour, figure in enumerate(figures)
        ]
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)
