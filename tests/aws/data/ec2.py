"""DescribeInstances / DescribeVolumes / DescribeInstanceTypes answers, as botocore parses them
(shapes from the EC2 API reference; ids and addresses are made up)."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

INSTANCES: list[dict[str, Any]] = [
    {
        "InstanceId": "i-0a1b2c3d4e5f60001",
        "InstanceType": "m5.large",
        "ImageId": "ami-0abcdef1234567890",
        "LaunchTime": datetime(2025, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        "Placement": {"AvailabilityZone": "eu-west-2a", "GroupName": "", "Tenancy": "default"},
        "PlatformDetails": "Linux/UNIX",
        "PrivateIpAddress": "10.20.1.15",
        "State": {"Code": 16, "Name": "running"},
        "VpcId": "vpc-0aa11bb22cc33dd44",
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": "vol-0root0001", "Status": "attached"}},
            {"DeviceName": "/dev/sdf", "Ebs": {"VolumeId": "vol-0data0001", "Status": "attached"}},
        ],
        "NetworkInterfaces": [
            {
                "NetworkInterfaceId": "eni-0aa",
                "PrivateIpAddresses": [
                    {"Primary": True, "PrivateIpAddress": "10.20.1.15"},
                    {"Primary": False, "PrivateIpAddress": "10.20.1.16"},
                ],
            }
        ],
        "Tags": [
            {"Key": "Name", "Value": "planning-app-01"},
            {"Key": "estate:source-server", "Value": "PLANAPP01.council.local"},
            {"Key": "aws:autoscaling:groupName", "Value": "planning-asg"},
        ],
    },
    {
        "InstanceId": "i-0a1b2c3d4e5f60002",
        "InstanceType": "m4.xlarge",
        "ImageId": "ami-0windows00000001",
        "LaunchTime": datetime(2019, 6, 1, 8, 0, tzinfo=UTC),
        "Placement": {"AvailabilityZone": "eu-west-2b"},
        "Platform": "windows",
        "PlatformDetails": "Windows",
        "PrivateIpAddress": "10.20.2.40",
        "State": {"Code": 80, "Name": "stopped"},
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/sda1", "Ebs": {"VolumeId": "vol-0root0002", "Status": "attached"}}
        ],
        "NetworkInterfaces": [],
        "Tags": [{"Key": "Name", "Value": "old-file-server"}],
    },
    {
        # A freshly requested instance: no tags, no interfaces, no volumes yet.
        "InstanceId": "i-0a1b2c3d4e5f60003",
        "InstanceType": "m3.medium",
        "LaunchTime": datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        "State": {"Code": 0, "Name": "pending"},
    },
]

VOLUMES: list[dict[str, Any]] = [
    {"VolumeId": "vol-0root0001", "Size": 30, "VolumeType": "gp3", "State": "in-use"},
    {"VolumeId": "vol-0data0001", "Size": 200, "VolumeType": "gp3", "State": "in-use"},
    {"VolumeId": "vol-0root0002", "Size": 80, "VolumeType": "gp2", "State": "in-use"},
]

INSTANCE_TYPES: list[dict[str, Any]] = [
    {"InstanceType": "m5.large", "CurrentGeneration": True},
    # Newer than the built-in family list: only DescribeInstanceTypes knows it is old.
    {"InstanceType": "m4.xlarge", "CurrentGeneration": False},
    {"InstanceType": "m3.medium", "CurrentGeneration": False},
]
