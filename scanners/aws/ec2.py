"""EC2 instances, with their attached EBS storage, Auto Scaling group and instance generation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from estate.inventory.records import Problem, WorkloadRecord
from scanners.aws.backups import backup_facts
from scanners.aws.cloudwatch import EC2, cpu_fields
from scanners.aws.common import (
    Lookups,
    ScopeContext,
    chunks,
    page_config,
    paged,
    previous_generation,
    tag_dict,
    utc,
)

RESOURCE_TYPE = "ec2-instance"
_ASG_TAG = "aws:autoscaling:groupName"


@dataclass
class Ec2Payload:
    instances: list[dict] = field(default_factory=list)
    volumes: list[dict] = field(default_factory=list)
    # DescribeInstanceTypes for the types in use; empty where it could not be read.
    instance_types: list[dict] = field(default_factory=list)


def fetch_instances(clients: Any, page_size: int | None) -> Ec2Payload:
    ec2 = clients("ec2")
    reservations = paged(ec2, "describe_instances", "Reservations", page_config(page_size, 5, 1000))
    instances = [instance for r in reservations for instance in r["Instances"]]
    volumes = paged(ec2, "describe_volumes", "Volumes", page_config(page_size, 5, 500))
    return Ec2Payload(instances, volumes, fetch_instance_types(ec2, instances))


def fetch_instance_types(ec2: Any, instances: list[dict]) -> list[dict]:
    """Generation facts for the types in use; a refusal here costs only that enrichment."""
    names = sorted({instance["InstanceType"] for instance in instances})
    found: list[dict] = []
    try:
        for chunk in chunks(names, 100):
            found.extend(ec2.describe_instance_types(InstanceTypes=list(chunk))["InstanceTypes"])
    except ClientError:
        return []
    return found


def transform_instances(
    payload: Ec2Payload, ctx: ScopeContext, lookups: Lookups
) -> Iterator[WorkloadRecord | Problem]:
    volume_gb = {volume["VolumeId"]: int(volume["Size"]) for volume in payload.volumes}
    current = {t["InstanceType"]: t.get("CurrentGeneration") for t in payload.instance_types}
    return ctx.each(
        "ec2",
        "instance",
        payload.instances,
        lambda instance: _instance_record(instance, ctx, lookups, volume_gb, current),
        lambda instance: instance.get("InstanceId"),
    )


def _instance_record(
    instance: dict,
    ctx: ScopeContext,
    lookups: Lookups,
    volume_gb: dict[str, int],
    current: dict[str, bool | None],
) -> WorkloadRecord:
    instance_id = instance["InstanceId"]
    instance_type = instance["InstanceType"]
    state = instance["State"]["Name"]
    tags = tag_dict(instance.get("Tags"))
    asg_name = lookups.asg_of_instance.get(instance_id) or tags.get(_ASG_TAG) or None
    asg_azs = lookups.asg_azs.get(asg_name) if asg_name else None
    # A group known only by its tag is taken to scale; a fixed-size group does not.
    scales = asg_name is not None and lookups.asg_scales.get(asg_name, True)
    ebs_gb = _attached_gb(instance, volume_gb)
    facts = _facts(
        instance_type,
        state,
        ebs_gb,
        scales,
        asg_name is not None,
        asg_azs,
        current.get(instance_type),
    )
    arn = f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:instance/{instance_id}"
    facts.update(backup_facts(lookups, arn, _volume_ids(instance)))
    return ctx.workload(
        RESOURCE_TYPE,
        arn,
        tags,
        name=tags.get("Name"),
        state=state,
        size=instance_type,
        launched_at=utc(instance.get("LaunchTime")),
        migrated_from_server=tags.get(ctx.link_tag)
        or lookups.mgn_source_of_instance.get(instance_id),
        facts=facts,
        **cpu_fields(lookups, (EC2[0], instance_id)),
        extra={
            "instance_id": instance_id,
            "az": (instance.get("Placement") or {}).get("AvailabilityZone"),
            "platform": instance.get("PlatformDetails") or instance.get("Platform"),
            "private_ips": _private_ips(instance),
            "ebs_gb": ebs_gb,
            "asg_name": asg_name,
            "vpc_id": instance.get("VpcId"),
            "image_id": instance.get("ImageId"),
        },
    )


def _facts(
    instance_type: str,
    state: str,
    ebs_gb: int,
    scales: bool,
    in_asg: bool,
    asg_azs: list[str] | None,
    current_generation: bool | None,
) -> dict[str, Any]:
    old = previous_generation(instance_type) or current_generation is False
    # In a group, the instance's spread is the group's; a lone one lives in one AZ.
    facts: dict[str, Any] = {"autoscaled": scales, "previous_generation": old, "in_asg": in_asg}
    if asg_azs is not None:
        facts["asg_azs"] = len(asg_azs)
    if state == "stopped" and ebs_gb > 0:
        # A stopped instance costs nothing to run but its volumes are still billed.
        facts["stopped_with_volumes_gb"] = ebs_gb
    return facts


def _volume_ids(instance: dict) -> list[str]:
    mappings = instance.get("BlockDeviceMappings", [])
    return [v for m in mappings if (v := (m.get("Ebs") or {}).get("VolumeId"))]


def _attached_gb(instance: dict, volume_gb: dict[str, int]) -> int:
    return sum(volume_gb.get(volume_id, 0) for volume_id in _volume_ids(instance))


def _private_ips(instance: dict) -> list[str]:
    ips = [
        address["PrivateIpAddress"]
        for interface in instance.get("NetworkInterfaces", [])
        for address in interface.get("PrivateIpAddresses", [])
        if address.get("PrivateIpAddress")
    ]
    primary = instance.get("PrivateIpAddress")
    if primary and primary not in ips:
        ips.insert(0, primary)
    return ips
