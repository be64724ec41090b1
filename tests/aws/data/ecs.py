"""DescribeServices answers, with include=["TAGS"] (shape from the ECS API reference)."""

from datetime import UTC, datetime
from typing import Any

SERVICES: list[dict[str, Any]] = [
    {
        "serviceArn": "arn:aws:ecs:eu-west-2:111122223333:service/digital/parking-permits",
        "serviceName": "parking-permits",
        "clusterArn": "arn:aws:ecs:eu-west-2:111122223333:cluster/digital",
        "status": "ACTIVE",
        "desiredCount": 3,
        "runningCount": 3,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "taskDefinition": "arn:aws:ecs:eu-west-2:111122223333:task-definition/parking:14",
        "schedulingStrategy": "REPLICA",
        "createdAt": datetime(2026, 2, 11, 14, 3, 7, tzinfo=UTC),
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": ["subnet-0aa", "subnet-0bb"], "securityGroups": []}
        },
        "tags": [{"key": "estate:source-server", "value": "parkweb02"}],
    },
    {
        "serviceArn": "arn:aws:ecs:eu-west-2:111122223333:service/digital/pdf-render",
        "serviceName": "pdf-render",
        "clusterArn": "arn:aws:ecs:eu-west-2:111122223333:cluster/digital",
        "status": "ACTIVE",
        "desiredCount": 1,
        "runningCount": 0,
        "pendingCount": 1,
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        "tags": [],
    },
]
