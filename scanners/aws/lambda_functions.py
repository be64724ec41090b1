"""Lambda functions: runtime, memory and whether a VPC pins them to a subnet; serverless."""

from __future__ import annotations

from typing import Any

from scanners.aws.common import Lookups, page_config, paged

RESOURCE_TYPE = "lambda-function"


def fetch_functions(clients: Any, page_size: int | None) -> list[dict]:
    """Each function with its tags under "Tags" (ListFunctions leaves tags out)."""
    lambda_ = clients("lambda")
    functions = paged(lambda_, "list_functions", "Functions", page_config(page_size, 1, 50))
    return [
        {**function, "Tags": lambda_.list_tags(Resource=function["FunctionArn"]).get("Tags", {})}
        for function in functions
    ]


def function_fields(function: dict, lookups: Lookups) -> dict[str, Any]:
    subnets = (function.get("VpcConfig") or {}).get("SubnetIds") or []
    facts: dict[str, Any] = {"serverless": True}
    if subnets:
        facts["vpc_subnets"] = len(subnets)
    return {
        "state": function.get("State"),
        "size": f"{function['MemorySize']} MB",
        # Lambda runs across the region's AZs, unless pinned into a single VPC subnet.
        "facts": facts,
        "extra": {
            "runtime": function.get("Runtime"),
            "memory_mb": function["MemorySize"],
            "package_type": function.get("PackageType"),
            "architectures": function.get("Architectures"),
            "timeout_s": function.get("Timeout"),
            "last_modified": function.get("LastModified"),
        },
    }
