"""DescribeCluster and DescribeNodegroup answers (shapes from the EKS API reference)."""

from datetime import UTC, datetime
from typing import Any

CLUSTERS: list[dict[str, Any]] = [
    {
        "name": "platform",
        "arn": "arn:aws:eks:eu-west-2:111122223333:cluster/platform",
        "createdAt": datetime(2025, 9, 1, 7, 45, tzinfo=UTC),
        "version": "1.31",
        "platformVersion": "eks.12",
        "status": "ACTIVE",
        "resourcesVpcConfig": {"subnetIds": ["subnet-0aa", "subnet-0bb", "subnet-0cc"]},
        "tags": {"service": "platform"},
    }
]

NODEGROUPS: list[dict[str, Any]] = [
    {
        "nodegroupName": "general",
        "nodegroupArn": "arn:aws:eks:eu-west-2:111122223333:nodegroup/platform/general/6ec9",
        "clusterName": "platform",
        "status": "ACTIVE",
        "capacityType": "ON_DEMAND",
        "instanceTypes": ["m6i.large", "m5.large"],
        "scalingConfig": {"minSize": 2, "maxSize": 8, "desiredSize": 3},
        "subnets": ["subnet-0aa", "subnet-0bb"],
        "createdAt": datetime(2025, 9, 1, 8, 0, tzinfo=UTC),
        "resources": {"autoScalingGroups": [{"name": "eks-general-6ec9"}]},
        "tags": {},
    },
    {
        "nodegroupName": "legacy",
        "nodegroupArn": "arn:aws:eks:eu-west-2:111122223333:nodegroup/platform/legacy/77aa",
        "clusterName": "platform",
        "status": "DEGRADED",
        "instanceTypes": ["m3.large"],
        "scalingConfig": {"minSize": 1, "maxSize": 1, "desiredSize": 1},
        "subnets": ["subnet-0aa"],
    },
]

# The node group's own Auto Scaling group, as DescribeAutoScalingGroups lists it.
NODEGROUP_ASG: dict[str, Any] = {
    "AutoScalingGroupName": "eks-general-6ec9",
    "AutoScalingGroupARN": "arn:aws:autoscaling:eu-west-2:111122223333:autoScalingGroup:6ec9",
    "MinSize": 2,
    "MaxSize": 8,
    "DesiredCapacity": 3,
    "AvailabilityZones": ["eu-west-2a", "eu-west-2b", "eu-west-2c"],
    "Instances": [],
}
