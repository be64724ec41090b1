"""EC2 Auto Scaling groups: workloads themselves, and the AZ spread of their instances."""

from __future__ import annotations

from typing import Any

from scanners.aws.common import Lookups, page_config, paged, utc

RESOURCE_TYPE = "autoscaling-group"


def fetch_auto_scaling_groups(clients: Any, page_size: int | None) -> list[dict]:
    autoscaling = clients("autoscaling")
    return paged(
        autoscaling,
        "describe_auto_scaling_groups",
        "AutoScalingGroups",
        page_config(page_size, 1, 100),
    )


def index_auto_scaling_groups(groups: list[dict], lookups: Lookups) -> None:
    """Which group each instance belongs to and the AZs each group spans."""
    for group in groups:
        name = group["AutoScalingGroupName"]
        lookups.asg_azs[name] = sorted(group["AvailabilityZones"])
        lookups.asg_scales[name] = group["MaxSize"] > group["MinSize"]
        for instance in group.get("Instances", []):
            lookups.asg_of_instance[instance["InstanceId"]] = name


def group_fields(group: dict, lookups: Lookups) -> dict[str, Any]:
    azs = sorted(group["AvailabilityZones"])
    return {
        # Only a group being deleted has a Status; absent means in service.
        "state": group.get("Status"),
        "size": f"desired {group['DesiredCapacity']}",
        "launched_at": utc(group.get("CreatedTime")),
        "facts": {"autoscaled": group["MaxSize"] > group["MinSize"], "asg_azs": len(azs)},
        "extra": {
            "azs": azs,
            "min_size": group["MinSize"],
            "max_size": group["MaxSize"],
            "desired_capacity": group["DesiredCapacity"],
            "instance_count": len(group.get("Instances", [])),
            "launch_template": (group.get("LaunchTemplate") or {}).get("LaunchTemplateName"),
            "launch_configuration": group.get("LaunchConfigurationName"),
        },
    }
