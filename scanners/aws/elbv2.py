"""Elastic Load Balancing v2: application, network and gateway load balancers."""

from __future__ import annotations

from typing import Any

from scanners.aws.common import Lookups, chunks, page_config, paged, utc

RESOURCE_TYPE = "elbv2-load-balancer"
_TAGS_AT_ONCE = 20  # DescribeTags takes at most twenty ARNs per call


def fetch_load_balancers(clients: Any, page_size: int | None) -> list[dict]:
    """Each load balancer with its tags under "Tags" (DescribeLoadBalancers leaves them out)."""
    elbv2 = clients("elbv2")
    balancers = paged(
        elbv2, "describe_load_balancers", "LoadBalancers", page_config(page_size, 1, 400)
    )
    tags: dict[str, list[dict]] = {}
    for chunk in chunks([b["LoadBalancerArn"] for b in balancers], _TAGS_AT_ONCE):
        for description in elbv2.describe_tags(ResourceArns=list(chunk))["TagDescriptions"]:
            tags[description["ResourceArn"]] = description.get("Tags", [])
    return [{**b, "Tags": tags.get(b["LoadBalancerArn"], [])} for b in balancers]


def balancer_fields(balancer: dict, lookups: Lookups) -> dict[str, Any]:
    azs = sorted(zone["ZoneName"] for zone in balancer.get("AvailabilityZones", []))
    return {
        "state": (balancer.get("State") or {}).get("Code"),
        "size": balancer.get("Type"),
        "launched_at": utc(balancer.get("CreatedTime")),
        "facts": {"lb_azs": len(azs)},
        "extra": {
            "type": balancer.get("Type"),
            "scheme": balancer.get("Scheme"),
            "azs": azs,
            "dns_name": balancer.get("DNSName"),
            "vpc_id": balancer.get("VpcId"),
        },
    }
