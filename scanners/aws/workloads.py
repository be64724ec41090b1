"""The AWS resource types that become workloads, one row each: the service and noun its
problems name, the payload keys of its ARN and its name, and how its tags are spelled. Each
type's own module fetches it and says the rest of its workload (`*_fields`)."""

from __future__ import annotations

from collections.abc import Iterator

from estate.inventory.records import Problem, WorkloadRecord
from scanners.aws import autoscaling, ecs, eks, elbv2, lambda_functions, rds
from scanners.aws.common import Lookups, ScopeContext, WorkloadType, mapped_tags, tag_dict

GROUPS = WorkloadType(
    "autoscaling",
    "Auto Scaling group",
    autoscaling.RESOURCE_TYPE,
    "AutoScalingGroupARN",
    "AutoScalingGroupName",
    lambda group: tag_dict(group.get("Tags")),
    autoscaling.group_fields,
)
DB_INSTANCES = WorkloadType(
    "rds",
    "DB instance",
    rds.RESOURCE_TYPE,
    "DBInstanceArn",
    "DBInstanceIdentifier",
    lambda instance: tag_dict(instance.get("TagList")),
    rds.instance_fields,
)
FUNCTIONS = WorkloadType(
    "lambda",
    "function",
    lambda_functions.RESOURCE_TYPE,
    "FunctionArn",
    "FunctionName",
    lambda function: mapped_tags(function.get("Tags")),
    lambda_functions.function_fields,
)
SERVICES = WorkloadType(
    "ecs",
    "service",
    ecs.RESOURCE_TYPE,
    "serviceArn",
    "serviceName",
    lambda service: tag_dict(service.get("tags"), key="key", value="value"),
    ecs.service_fields,
)
CLUSTERS = WorkloadType(
    "eks",
    "cluster",
    eks.CLUSTER_TYPE,
    "arn",
    "name",
    lambda cluster: mapped_tags(cluster.get("tags")),
    eks.cluster_fields,
)
NODEGROUPS = WorkloadType(
    "eks",
    "node group",
    eks.NODEGROUP_TYPE,
    "nodegroupArn",
    "nodegroupName",
    lambda group: mapped_tags(group.get("tags")),
    eks.nodegroup_fields,
)
LOAD_BALANCERS = WorkloadType(
    "elbv2",
    "load balancer",
    elbv2.RESOURCE_TYPE,
    "LoadBalancerArn",
    "LoadBalancerName",
    lambda balancer: tag_dict(balancer.get("Tags")),
    elbv2.balancer_fields,
)

transform_auto_scaling_groups = GROUPS.transform
transform_db_instances = DB_INSTANCES.transform
transform_functions = FUNCTIONS.transform
transform_services = SERVICES.transform
transform_load_balancers = LOAD_BALANCERS.transform


def transform_clusters(
    payload: eks.EksPayload, ctx: ScopeContext, lookups: Lookups
) -> Iterator[WorkloadRecord | Problem]:
    """The clusters, then their node groups."""
    yield from CLUSTERS.transform(payload.clusters, ctx, lookups)
    yield from NODEGROUPS.transform(payload.nodegroups, ctx, lookups)
