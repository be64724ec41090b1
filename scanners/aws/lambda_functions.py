"""Lambda functions: runtime and memory; serverless, so flexible by nature."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from estate.records import WorkloadRecord
from scanners.aws.common import Lookups, ScopeContext, page_config, paged

RESOURCE_TYPE = "lambda-function"


def fetch_functions(clients: Any, page_size: int | None) -> list[dict]:
    """Each function with its tags under "Tags" (ListFunctions leaves tags out)."""
    lambda_ = clients("lambda")
    functions = paged(lambda_, "list_functions", "Functions", page_config(page_size, 1, 50))
    return [
        {**function, "Tags": lambda_.list_tags(Resource=function["FunctionArn"]).get("Tags", {})}
        for function in functions
    ]


def transform_functions(
    functions: list[dict], ctx: ScopeContext, lookups: Lookups
) -> Iterator[WorkloadRecord]:
    for function in functions:
        arn = function["FunctionArn"]
        tags = {str(k): str(v) for k, v in (function.get("Tags") or {}).items()}
        subnets = (function.get("VpcConfig") or {}).get("SubnetIds") or []
        facts: dict[str, Any] = {"serverless": True}
        if subnets:
            facts["vpc_subnets"] = len(subnets)
        yield ctx.workload(
            RESOURCE_TYPE,
            arn,
            tags,
            name=tags.get("Name") or function["FunctionName"],
            state=function.get("State"),
            size=f"{function['MemorySize']} MB",
            # Lambda runs across the region's AZs, unless pinned into a single VPC subnet.
            resilient=len(subnets) != 1,
            flexible=True,
            efficient=True,
            facts=facts,
            extra={
                "runtime": function.get("Runtime"),
                "memory_mb": function["MemorySize"],
                "package_type": function.get("PackageType"),
                "architectures": function.get("Architectures"),
                "timeout_s": function.get("Timeout"),
                "last_modified": function.get("LastModified"),
            },
        )
