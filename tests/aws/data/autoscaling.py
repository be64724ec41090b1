"""DescribeAutoScalingGroups answers (shape from the EC2 Auto Scaling API reference)."""

from datetime import UTC, datetime
from typing import Any

GROUPS: list[dict[str, Any]] = [
    {
        "AutoScalingGroupName": "planning-asg",
        "AutoScalingGroupARN": (
            "arn:aws:autoscaling:eu-west-2:111122223333:autoScalingGroup:"
            "5e1c2b6a-0000-4e6e-9d52-111122223333:autoScalingGroupName/planning-asg"
        ),
        "LaunchTemplate": {"LaunchTemplateId": "lt-0abc", "LaunchTemplateName": "planning"},
        "MinSize": 2,
        "MaxSize": 6,
        "DesiredCapacity": 2,
        "AvailabilityZones": ["eu-west-2b", "eu-west-2a"],
        "Instances": [
            {"InstanceId": "i-0a1b2c3d4e5f60001", "AvailabilityZone": "eu-west-2a"},
            {"InstanceId": "i-0a1b2c3d4e5f60009", "AvailabilityZone": "eu-west-2b"},
        ],
        "CreatedTime": datetime(2025, 3, 4, 9, 0, tzinfo=UTC),
        "Tags": [
            {
                "ResourceId": "planning-asg",
                "ResourceType": "auto-scaling-group",
                "Key": "service",
                "Value": "planning",
                "PropagateAtLaunch": True,
            }
        ],
    },
    {
        "AutoScalingGroupName": "kiosk-single",
        "AutoScalingGroupARN": (
            "arn:aws:autoscaling:eu-west-2:111122223333:autoScalingGroup:"
            "77aa0000-0000-4e6e-9d52-111122223333:autoScalingGroupName/kiosk-single"
        ),
        "LaunchConfigurationName": "kiosk-lc",
        "MinSize": 1,
        "MaxSize": 1,
        "DesiredCapacity": 1,
        "AvailabilityZones": ["eu-west-2a"],
        "Instances": [],
        "CreatedTime": datetime(2024, 1, 9, 10, 0, tzinfo=UTC),
        "Status": "Delete in progress",
    },
]
