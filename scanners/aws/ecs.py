"""ECS services: cluster, launch type, desired and running task counts."""

from __future__ import annotations

from typing import Any

from scanners.aws.common import (
    Lookups,
    chunks,
    name_from_arn,
    page_config,
    paged,
    utc,
)

RESOURCE_TYPE = "ecs-service"
_DESCRIBE_AT_ONCE = 10  # DescribeServices takes at most ten services per call


def fetch_services(clients: Any, page_size: int | None) -> list[dict]:
    ecs = clients("ecs")
    services: list[dict] = []
    for cluster in paged(ecs, "list_clusters", "clusterArns", page_config(page_size, 1, 100)):
        arns = paged(
            ecs, "list_services", "serviceArns", page_config(page_size, 1, 100), cluster=cluster
        )
        for chunk in chunks(arns, _DESCRIBE_AT_ONCE):
            answer = ecs.describe_services(cluster=cluster, services=list(chunk), include=["TAGS"])
            services.extend(answer["services"])
    return services


def service_fields(service: dict, lookups: Lookups) -> dict[str, Any]:
    desired = service["desiredCount"]
    vpc = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    subnets = len(vpc.get("subnets") or []) or None
    facts: dict[str, Any] = {"containers": True, "desired_count": desired}
    if subnets is not None:
        facts["subnets"] = subnets
    return {
        "state": service.get("status"),
        "size": f"desired {desired}",
        "launched_at": utc(service.get("createdAt")),
        # Two or more tasks, spread over two or more subnets where the service names them.
        "facts": facts,
        "extra": {
            "cluster": name_from_arn(service["clusterArn"]),
            "launch_type": _launch_type(service),
            "desired_count": desired,
            "running_count": service.get("runningCount"),
            "pending_count": service.get("pendingCount"),
            "task_definition": service.get("taskDefinition"),
            "scheduling_strategy": service.get("schedulingStrategy"),
        },
    }


def _launch_type(service: dict) -> str | None:
    """FARGATE, EC2 or EXTERNAL; a capacity provider strategy names its providers instead."""
    if service.get("launchType"):
        return str(service["launchType"])
    providers = [p["capacityProvider"] for p in service.get("capacityProviderStrategy") or []]
    return "capacity-provider:" + ",".join(providers) if providers else None
