"""EKS clusters and their managed node groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanners.aws.common import (
    Lookups,
    page_config,
    paged,
    previous_generation,
    utc,
)

CLUSTER_TYPE = "eks-cluster"
NODEGROUP_TYPE = "eks-nodegroup"


@dataclass
class EksPayload:
    clusters: list[dict] = field(default_factory=list)
    nodegroups: list[dict] = field(default_factory=list)


def fetch_clusters(clients: Any, page_size: int | None) -> EksPayload:
    eks = clients("eks")
    payload = EksPayload()
    for name in paged(eks, "list_clusters", "clusters", page_config(page_size, 1, 100)):
        payload.clusters.append(eks.describe_cluster(name=name)["cluster"])
        groups = paged(
            eks, "list_nodegroups", "nodegroups", page_config(page_size, 1, 100), clusterName=name
        )
        for group in groups:
            answer = eks.describe_nodegroup(clusterName=name, nodegroupName=group)
            payload.nodegroups.append(answer["nodegroup"])
    return payload


def cluster_fields(cluster: dict, lookups: Lookups) -> dict[str, Any]:
    return {
        "state": cluster.get("status"),
        "launched_at": utc(cluster.get("createdAt")),
        # EKS runs every control plane across three AZs.
        "facts": {"containers": True, "managed_control_plane": True},
        "extra": {
            "kubernetes_version": cluster.get("version"),
            "platform_version": cluster.get("platformVersion"),
            "subnets": len((cluster.get("resourcesVpcConfig") or {}).get("subnetIds") or []),
        },
    }


def nodegroup_fields(group: dict, lookups: Lookups) -> dict[str, Any]:
    scaling = group.get("scalingConfig") or {}
    types = group.get("instanceTypes") or []
    asg_names = [a["name"] for a in (group.get("resources") or {}).get("autoScalingGroups") or []]
    known = [lookups.asg_azs[name] for name in asg_names if name in lookups.asg_azs]
    azs = sorted({az for group_azs in known for az in group_azs}) if known else None
    facts: dict[str, Any] = {
        "containers": True,
        "autoscaled": scaling.get("maxSize", 0) > scaling.get("minSize", 0),
        "previous_generation": any(previous_generation(t) for t in types),
    }
    if azs is not None:
        facts["asg_azs"] = len(azs)
    return {
        "state": group.get("status"),
        "size": _size(types),
        "launched_at": utc(group.get("createdAt")),
        # The node group's own Auto Scaling groups say which AZs its nodes span.
        "facts": facts,
        "extra": {
            "cluster": group["clusterName"],
            "instance_types": types,
            "capacity_type": group.get("capacityType"),
            "desired_size": scaling.get("desiredSize"),
            "min_size": scaling.get("minSize"),
            "max_size": scaling.get("maxSize"),
            "subnets": len(group.get("subnets") or []),
            "asg_names": asg_names,
        },
    }


def _size(types: list[str]) -> str | None:
    """The node types, or the first and a count where a long list would not fit the column."""
    joined = ",".join(types)
    if len(joined) <= 100:
        return joined or None
    return f"{types[0]} and {len(types) - 1} more"
