"""Lambda functions: runtime, memory and whether a VPC pins them to a subnet; serverless."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from estate.inventory.records import Problem, WorkloadRecord
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
) -> Iterator[WorkloadRecord | Problem]:
    return ctx.each(
        "lambda",
        "function",
        functions,
        lambda function: _functions_record(function, ctx),
        lambda function: function.get("FunctionName"),
    )


def _functions_record(function: dict, ctx: ScopeContext) -> WorkloadRecord:
    arn = function["FunctionArn"]
    tags = {str(k): str(v) for k, v in (function.get("Tags") or {}).items()}
    subnets = (function.get("VpcConfig") or {}).get("SubnetIds") or []
    facts: dict[str, Any] = {"serverless": True}
    if subnets:
        facts["vpc_subnets"] = len(subnets)
    return ctx.workload(
        RESOURCE_TYPE,
        arn,
        tags,
        name=tags.get("Name") or function["FunctionName"],
        state=function.get("State"),
        size=f"{function['MemorySize']} MB",
        # Lambda runs across the region's AZs, unless pinned into a single VPC subnet.
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
