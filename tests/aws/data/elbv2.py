"""DescribeLoadBalancers answers with DescribeTags merged under "Tags"."""

from datetime import UTC, datetime
from typing import Any

LOAD_BALANCERS: list[dict[str, Any]] = [
    {
        "LoadBalancerArn": (
            "arn:aws:elasticloadbalancing:eu-west-2:111122223333:loadbalancer/app/web/50dc6c495c0c9188"
        ),
        "DNSName": "web-1234567890.eu-west-2.elb.amazonaws.com",
        "LoadBalancerName": "web",
        "Scheme": "internet-facing",
        "VpcId": "vpc-0aa11bb22cc33dd44",
        "State": {"Code": "active"},
        "Type": "application",
        "CreatedTime": datetime(2024, 7, 30, 16, 0, tzinfo=UTC),
        "AvailabilityZones": [
            {"ZoneName": "eu-west-2b", "SubnetId": "subnet-0bb"},
            {"ZoneName": "eu-west-2a", "SubnetId": "subnet-0aa"},
        ],
        "Tags": [{"Key": "Name", "Value": "public web"}],
    },
    {
        "LoadBalancerArn": (
            "arn:aws:elasticloadbalancing:eu-west-2:111122223333:loadbalancer/net/syslog/9a8b7c6d"
        ),
        "LoadBalancerName": "syslog",
        "Scheme": "internal",
        "State": {"Code": "provisioning"},
        "Type": "network",
        "AvailabilityZones": [{"ZoneName": "eu-west-2a", "SubnetId": "subnet-0aa"}],
        "Tags": [],
    },
]
