"""The scanner against moto's server (and the local MGN), over real sockets."""

from __future__ import annotations

from collections import Counter
from typing import Any

import boto3

from estate.migration.outcome_rules import shortfall
from tests.aws.faults import FaultProxy, Faults
from tests.aws.helpers import (
    collect,
    judged,
    problems,
    scope_ends,
    servers,
    workload_keys,
    workloads,
)
from tests.aws.mgn_peer import source_server
from tests.aws.seed import (
    MANAGEMENT,
    ROLE,
    Estate,
    build_organization,
    moto_holds,
    seed_all,
    seed_scope,
)

REGIONS = ["eu-west-2", "eu-west-1", "us-east-1"]


def _mgn_servers(estate: Estate, account: str, region: str, count: int) -> list[dict[str, Any]]:
    prefix = f"arn:aws:mgn:{region}:{account}"
    return [
        source_server(
            f"s-{account[-4:]}{n:04d}",
            f"host{n}",
            f"host{n}.council.local",
            "READY_FOR_CUTOVER",
            "CONTINUOUS",
            arn_prefix=prefix,
        )
        for n in range(count)
    ]


def test_organization_scan_equals_what_moto_holds(moto: str, mgn: Any) -> None:
    estate = build_organization(moto, members=3, suspended=1, regions=REGIONS)
    seed_all(estate, instances=84)
    member = estate.accounts[1]
    mgn.servers[(member, "eu-west-2")] = _mgn_servers(estate, member, "eu-west-2", 7)

    events = collect(
        accounts="organization",
        assume_role=ROLE,
        regions=REGIONS,
        endpoint_url=moto,
        service_endpoint_urls={"mgn": mgn.url},
        page_size=5,
        max_workers=6,
    )

    assert problems(events) == []
    assert scope_ends(events) == {f"{a}/{r}": True for a in estate.accounts for r in REGIONS}
    assert estate.suspended[0] not in {key[0] for key in workload_keys(events)}
    assert workload_keys(events) == moto_holds(estate)
    per_type = Counter(record.resource_type for record in workloads(events))
    assert per_type == {
        "ec2-instance": 1008,
        "autoscaling-group": 24,
        "rds-db-instance": 24,
        "lambda-function": 24,
        "ecs-service": 24,
        "eks-cluster": 12,
        "eks-nodegroup": 12,
        "elbv2-load-balancer": 12,
    }
    mgn_records = servers(events)
    assert sorted(r.hostname or "" for r in mgn_records) == [f"host{n}" for n in range(7)]
    assert {r.scope for r in mgn_records} == {f"{member}/eu-west-2"}
    # Seven servers at five a page: the scanner followed nextToken.
    assert mgn.pages_served == 2


def test_one_scope_in_detail(moto: str, mgn: Any) -> None:
    estate = Estate(moto, [MANAGEMENT], ["eu-west-2"])
    seed_scope(estate, MANAGEMENT, "eu-west-2", instances=20)
    ec2 = estate.client("ec2", MANAGEMENT, "eu-west-2")
    launched = _instance_named(ec2, "app-1")
    mgn.servers[(MANAGEMENT, "eu-west-2")] = [
        source_server(
            "s-1", "PAYROLL01", "payroll01.council.local", "CUTOVER", "CONTINUOUS", launched
        )
    ]

    events = collect(
        regions=["eu-west-2"], endpoint_url=moto, service_endpoint_urls={"mgn": mgn.url}
    )

    instances = {r.extra["instance_id"]: r for r in workloads(events) if r.extra.get("instance_id")}
    (stopped,) = [r for r in instances.values() if r.state == "stopped"]
    assert (stopped.name, stopped.size, judged(stopped).efficient) == ("app-0", "t3.micro", False)
    assert stopped.migrated_from_server == "SRV0000"
    assert stopped.extra["ebs_gb"] >= 50
    assert stopped.facts == {
        "autoscaled": False,
        "previous_generation": False,
        "in_asg": False,
        "stopped_with_volumes_gb": stopped.extra["ebs_gb"],
        # Its volumes' snapshots were asked for and it has none.
        "snapshots_read": True,
    }
    old = instances[launched]
    assert (old.size, judged(old).efficient, old.facts["previous_generation"]) == (
        "m3.medium",
        False,
        True,
    )
    # No link tag on app-1: MGN's launched instance says where it came from.
    assert old.migrated_from_server == "payroll01.council.local"
    spread = [r for r in instances.values() if r.extra["asg_name"] == "web-spread"]
    # Spread over two AZs, but their volumes have no snapshot: not resilient, and why.
    assert [(judged(r).resilient, judged(r).flexible, r.facts["asg_azs"]) for r in spread] == [
        (False, True, 2)
    ] * 2
    assert shortfall(judged(spread[0]).evidence, "resilient") == ["no backup in the last 7 days"]
    assert {r.migrated_from_server for r in spread} == {"web01.council.local"}
    (single,) = [r for r in instances.values() if r.extra["asg_name"] == "batch-single"]
    assert (judged(single).resilient, judged(single).flexible) == (False, False)
    others = {(r.resource_type, r.name): r for r in workloads(events)}
    orders = others[("rds-db-instance", "orders")]
    assert (judged(orders).resilient, orders.migrated_from_server) == (True, "sql01.council.local")
    assert (orders.extra["engine"], orders.extra["storage_gb"]) == ("postgres", 100)
    assert others[("rds-db-instance", "legacy")].facts["stopped_with_storage_gb"] == 20
    web = others[("ecs-service", "web")]
    assert (web.extra["launch_type"], web.extra["desired_count"], judged(web).resilient) == (
        "FARGATE",
        3,
        True,
    )
    assert others[("lambda-function", "report")].extra["memory_mb"] == 1024
    assert judged(others[("elbv2-load-balancer", "front door")]).resilient is True
    (payroll,) = servers(events)
    assert (payroll.mgn_lifecycle_state, payroll.mgn_launched_instance_id) == ("CUTOVER", launched)


def test_regions_all_are_the_enabled_regions(moto: str) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=moto)
    enabled = {
        region["RegionName"]
        for region in ec2.describe_regions()["Regions"]
        if region.get("OptInStatus") != "not-opted-in"
    }

    events = collect(regions="all", endpoint_url=moto, services=["ec2"], max_workers=8)

    assert scope_ends(events) == {f"{MANAGEMENT}/{region}": True for region in enabled}


def test_listed_accounts_are_reached_by_assume_role(moto: str) -> None:
    estate = build_organization(moto, members=2, suspended=0, regions=["eu-west-2"])
    _, first, second = estate.accounts
    seed_scope(estate, second, "eu-west-2", instances=5)

    events = collect(
        accounts=[first, second],
        assume_role=ROLE,
        regions=["eu-west-2"],
        endpoint_url=moto,
        services=["ec2", "rds"],
    )

    assert scope_ends(events) == {f"{first}/eu-west-2": True, f"{second}/eu-west-2": True}
    assert Counter(key[0] for key in workload_keys(events)) == {second: 7}


def test_mgn_pages_by_next_token_at_its_own_page_size(moto: str, mgn: Any) -> None:
    estate = Estate(moto, [MANAGEMENT], ["eu-west-2"])
    mgn.servers[(MANAGEMENT, "eu-west-2")] = _mgn_servers(estate, MANAGEMENT, "eu-west-2", 5)

    events = collect(
        regions=["eu-west-2", "eu-west-1"],
        endpoint_url=moto,
        service_endpoint_urls={"mgn": mgn.url},
        services=["mgn"],
    )

    # The peer answers two a page when asked for no size; eu-west-1 is not initialised.
    assert mgn.pages_served == 3
    assert len(servers(events)) == 5
    assert scope_ends(events) == {f"{MANAGEMENT}/eu-west-2": True, f"{MANAGEMENT}/eu-west-1": True}


def test_ec2_pages_across_reservations(moto: str) -> None:
    # moto's MaxResults counts reservations, not instances: 50 instances in reservations of
    # up to seven, read five reservations a page, must take every page and lose none.
    estate = Estate(moto, [MANAGEMENT], ["eu-west-2"])
    seed_scope(estate, MANAGEMENT, "eu-west-2", instances=50)
    ec2 = estate.client("ec2", MANAGEMENT, "eu-west-2")
    reservations = len(ec2.describe_instances()["Reservations"])
    proxy = FaultProxy(moto, Faults()).start()
    try:
        events = collect(
            regions=["eu-west-2"], endpoint_url=proxy.url, services=["ec2"], page_size=5
        )
    finally:
        proxy.stop()

    assert workload_keys(events) == {k for k in moto_holds(estate) if k[2] == "ec2-instance"}
    assert len(workload_keys(events)) == 50
    assert reservations == 9  # seven of ours and one per Auto Scaling group
    assert proxy.faults.calls[("ec2", "DescribeInstances")] == -(-reservations // 5)


def _instance_named(ec2: Any, name: str) -> str:
    filters = [{"Name": "tag:Name", "Values": [name]}]
    reservations = ec2.describe_instances(Filters=filters)["Reservations"]
    return str(reservations[0]["Instances"][0]["InstanceId"])
