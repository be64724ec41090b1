"""Pure transforms on recorded payloads: no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from estate.inventory.records import Problem, ScopeEnd, ServerRecord, WorkloadRecord
from scanners.aws import autoscaling, ec2, eks, mgn, workloads
from scanners.aws.common import Lookups, ScopeContext, previous_generation
from scanners.aws.scope import transform_scope
from scanners.aws.session import transform_organization_accounts
from tests.aws.data import autoscaling as asg_data
from tests.aws.data import ec2 as ec2_data
from tests.aws.data import ecs as ecs_data
from tests.aws.data import eks as eks_data
from tests.aws.data import elbv2 as elbv2_data
from tests.aws.data import lambda_functions as lambda_data
from tests.aws.data import mgn as mgn_data
from tests.aws.data import organizations as org_data
from tests.aws.data import rds as rds_data
from tests.aws.helpers import judged, outcomes

CTX = ScopeContext("111122223333", "eu-west-2")


def _ec2_records(lookups: Lookups) -> list[WorkloadRecord]:
    payload = ec2.Ec2Payload(ec2_data.INSTANCES, ec2_data.VOLUMES, ec2_data.INSTANCE_TYPES)
    return list(ec2.transform_instances(payload, CTX, lookups))


def test_ec2_instance_in_a_spread_group_links_by_tag() -> None:
    lookups = Lookups()
    autoscaling.index_auto_scaling_groups(asg_data.GROUPS, lookups)

    first = _ec2_records(lookups)[0]

    assert first.external_id == "arn:aws:ec2:eu-west-2:111122223333:instance/i-0a1b2c3d4e5f60001"
    assert first.resource_id == first.external_id
    assert (first.scope, first.account_id, first.region) == (
        "111122223333/eu-west-2",
        "111122223333",
        "eu-west-2",
    )
    assert (first.name, first.state, first.size) == ("planning-app-01", "running", "m5.large")
    assert first.launched_at == datetime(2025, 3, 4, 8, 30, tzinfo=UTC)
    assert first.migrated_from_server == "PLANAPP01.council.local"
    # Spread over two AZs; whether it is backed up and how busy it is come from the snapshot,
    # AWS Backup and CloudWatch reads, not from this payload: estate cannot say yet.
    assert outcomes(first) == (None, True, None)
    assert first.facts == {
        "autoscaled": True,
        "previous_generation": False,
        "in_asg": True,
        "asg_azs": 2,
    }
    assert first.extra == {
        "instance_id": "i-0a1b2c3d4e5f60001",
        "az": "eu-west-2a",
        "platform": "Linux/UNIX",
        "private_ips": ["10.20.1.15", "10.20.1.16"],
        "ebs_gb": 230,
        "asg_name": "planning-asg",
        "vpc_id": "vpc-0aa11bb22cc33dd44",
        "image_id": "ami-0abcdef1234567890",
    }


def test_ec2_stopped_old_instance_is_inefficient() -> None:
    stopped = _ec2_records(Lookups())[1]

    assert (stopped.state, stopped.migrated_from_server) == ("stopped", None)
    assert outcomes(stopped) == (False, False, False)
    # m4 is not in the built-in family list: DescribeInstanceTypes says it is old.
    assert stopped.facts == {
        "in_asg": False,
        "autoscaled": False,
        "previous_generation": True,
        "stopped_with_volumes_gb": 80,
    }
    assert stopped.extra["platform"] == "Windows"
    assert stopped.extra["private_ips"] == ["10.20.2.40"]


def test_ec2_group_known_only_by_tag_has_unknown_resilience() -> None:
    # Auto Scaling was not readable: the tag names the group, its AZ spread is unknown.
    first = _ec2_records(Lookups())[0]

    assert first.extra["asg_name"] == "planning-asg"
    assert (judged(first).resilient, judged(first).flexible) == (None, True)
    assert "asg_azs" not in first.facts


def test_ec2_bare_pending_instance() -> None:
    pending = _ec2_records(Lookups())[2]

    assert (pending.name, pending.tags, pending.extra["ebs_gb"]) == (None, {}, 0)
    assert pending.extra["az"] is None
    assert pending.extra["private_ips"] == []
    assert judged(pending).efficient is False


def test_ec2_mgn_launched_instance_links_without_a_tag() -> None:
    lookups = Lookups()
    mgn.index_source_servers(mgn_data.SOURCE_SERVERS, lookups)
    untagged = {**ec2_data.INSTANCES[0], "Tags": []}
    payload = ec2.Ec2Payload([untagged], ec2_data.VOLUMES, [])

    (record,) = ec2.transform_instances(payload, CTX, lookups)

    assert record.migrated_from_server == "planapp01.council.local"


def test_previous_generation_families() -> None:
    assert [previous_generation(c) for c in ("m3.medium", "db.m3.large", "t3.micro")] == [
        True,
        True,
        False,
    ]


def test_auto_scaling_groups() -> None:
    spread, single = workloads.transform_auto_scaling_groups(asg_data.GROUPS, CTX, Lookups())

    assert (spread.name, spread.size, spread.state) == ("planning-asg", "desired 2", None)
    assert (judged(spread).resilient, judged(spread).flexible) == (True, True)
    assert spread.facts == {"autoscaled": True, "asg_azs": 2}
    assert spread.extra["azs"] == ["eu-west-2a", "eu-west-2b"]
    assert spread.extra["launch_template"] == "planning"
    assert spread.tags == {"service": "planning"}
    assert (single.state, judged(single).resilient, judged(single).flexible) == (
        "Delete in progress",
        False,
        False,
    )
    assert single.extra["launch_configuration"] == "kiosk-lc"


def test_rds_instances() -> None:
    sql, gis, aurora = workloads.transform_db_instances(rds_data.DB_INSTANCES, CTX, Lookups())

    assert (sql.name, sql.state, sql.size) == ("revenues-db", "available", "db.r6g.large")
    assert sql.migrated_from_server == "CZ20481X7Q"
    # Multi-AZ; the payload says nothing of its backups or CPU, so those stay unknown.
    assert outcomes(sql) == (None, True, None)
    assert sql.facts == {
        "multi_az": True,
        "serverless": False,
        "storage_autoscaling": True,
        "previous_generation": False,
        "backup_retention_days": None,
    }
    assert sql.extra["engine"] == "sqlserver-se"
    assert sql.extra["storage_gb"] == 500
    assert sql.launched_at == datetime(2025, 5, 20, 22, 15, 1, tzinfo=UTC)
    assert (gis.name, judged(gis).resilient, judged(gis).efficient) == (
        "GIS (legacy)",
        False,
        False,
    )
    assert gis.facts["stopped_with_storage_gb"] == 50
    assert gis.facts["previous_generation"] is True
    assert (aurora.launched_at, judged(aurora).flexible) == (None, True)
    assert aurora.extra["db_cluster"] == "new-aurora"


def test_lambda_functions() -> None:
    reminders, sync = workloads.transform_functions(lambda_data.FUNCTIONS, CTX, Lookups())

    assert (reminders.size, reminders.state) == ("512 MB", "Active")
    assert reminders.migrated_from_server == "batch01"
    assert (
        judged(reminders).resilient,
        judged(reminders).flexible,
        judged(reminders).efficient,
    ) == (True, True, True)
    assert reminders.facts == {"serverless": True}
    assert reminders.extra["runtime"] == "python3.12"
    assert reminders.extra["memory_mb"] == 512
    # Pinned into one VPC subnet, so one AZ; a container image has no runtime.
    assert (judged(sync).resilient, sync.facts) == (False, {"serverless": True, "vpc_subnets": 1})
    assert (sync.extra["runtime"], sync.state) == (None, None)


def test_ecs_services() -> None:
    permits, render = workloads.transform_services(ecs_data.SERVICES, CTX, Lookups())

    assert (permits.name, permits.size, permits.state) == ("parking-permits", "desired 3", "ACTIVE")
    assert permits.migrated_from_server == "parkweb02"
    assert (judged(permits).resilient, judged(permits).flexible) == (True, True)
    assert permits.facts == {"containers": True, "desired_count": 3, "subnets": 2}
    assert permits.extra["cluster"] == "digital"
    assert permits.extra["launch_type"] == "FARGATE"
    assert (permits.extra["desired_count"], permits.extra["running_count"]) == (3, 3)
    assert render.extra["launch_type"] == "capacity-provider:FARGATE_SPOT"
    assert (judged(render).resilient, render.launched_at) == (False, None)


def test_eks_clusters_and_node_groups() -> None:
    lookups = Lookups()
    autoscaling.index_auto_scaling_groups([eks_data.NODEGROUP_ASG], lookups)
    payload = eks.EksPayload(eks_data.CLUSTERS, eks_data.NODEGROUPS)

    cluster, general, legacy = workloads.transform_clusters(payload, CTX, lookups)

    assert (cluster.resource_type, cluster.name) == ("eks-cluster", "platform")
    assert cluster.state == "ACTIVE"
    assert (judged(cluster).resilient, judged(cluster).flexible) == (True, True)
    assert cluster.extra["kubernetes_version"] == "1.31"
    assert (general.resource_type, general.size) == ("eks-nodegroup", "m6i.large,m5.large")
    assert (judged(general).resilient, judged(general).efficient) == (True, True)
    assert general.facts == {
        "containers": True,
        "autoscaled": True,
        "previous_generation": False,
        "asg_azs": 3,
    }
    assert general.extra["desired_size"] == 3
    assert (judged(legacy).resilient, judged(legacy).efficient, legacy.state) == (
        None,
        False,
        "DEGRADED",
    )


def test_load_balancers() -> None:
    web, syslog = workloads.transform_load_balancers(elbv2_data.LOAD_BALANCERS, CTX, Lookups())

    assert (web.name, web.size, web.state) == ("public web", "application", "active")
    assert judged(web).resilient is True
    assert web.extra["azs"] == ["eu-west-2a", "eu-west-2b"]
    assert web.facts == {"lb_azs": 2}
    assert (syslog.name, judged(syslog).resilient, syslog.launched_at) == ("syslog", False, None)


def test_mgn_source_servers_are_match_only_server_records() -> None:
    cutover, syncing, discovered = mgn.transform_source_servers(
        mgn_data.SOURCE_SERVERS, CTX, Lookups()
    )

    assert cutover == ServerRecord(
        external_id="mgn:111122223333/eu-west-2/s-3b9d7a1e2c4f50001",
        scope="111122223333/eu-west-2",
        match_only=True,
        hostname="PLANAPP01",
        fqdn="planapp01.council.local",
        mgn_lifecycle_state="CUTOVER",
        mgn_replication_state="CONTINUOUS",
        mgn_launched_instance_id="i-0a1b2c3d4e5f60001",
        extra={
            "source_server_id": "s-3b9d7a1e2c4f50001",
            "arn": "arn:aws:mgn:eu-west-2:111122223333:source-server/s-3b9d7a1e2c4f50001",
            "archived": False,
            "replication_type": "AGENT_BASED",
            "vmware_uuid": "4201a2b3-c4d5-e6f7-0811-223344556677",
            "launched_first_boot": "SUCCEEDED",
            "recommended_instance_type": "m5.large",
        },
    )
    # An empty FQDN hint is absent, not "".
    assert (syncing.fqdn, syncing.mgn_replication_state) == (None, "INITIAL_SYNC")
    assert (discovered.hostname, discovered.mgn_lifecycle_state) == ("kiosk07", "DISCOVERED")
    assert (discovered.mgn_replication_state, discovered.mgn_launched_instance_id) == (None, None)


def test_organization_accounts_keep_only_active() -> None:
    assert transform_organization_accounts(org_data.ACCOUNTS) == [
        "111122223333",
        "444455556666",
        "555566667777",
    ]


def test_unreadable_payload_fails_only_its_service() -> None:
    broken = [{"DBInstanceIdentifier": "no-arn"}]

    events = transform_scope(CTX, {"rds": broken, "elbv2": elbv2_data.LOAD_BALANCERS})

    problems = [e for e in events if isinstance(e, Problem)]
    assert [p.target for p in problems] == ["111122223333/eu-west-2/rds"]
    assert "KeyError" in problems[0].reason
    assert len([e for e in events if isinstance(e, WorkloadRecord)]) == 2
    assert not any(isinstance(e, ScopeEnd) for e in events)


def test_an_item_the_payload_cannot_make_a_record_of_costs_only_itself() -> None:
    broken = {"InstanceId": "i-broken"}  # no InstanceType, State, ... as AWS always sends
    payload = ec2.Ec2Payload(
        instances=[ec2_data.INSTANCES[0], broken, *ec2_data.INSTANCES[1:]],
        volumes=ec2_data.VOLUMES,
        instance_types=ec2_data.INSTANCE_TYPES,
    )

    events = list(ec2.transform_instances(payload, CTX, Lookups()))

    problems = [e for e in events if isinstance(e, Problem)]
    assert len(events) == len(ec2_data.INSTANCES) + 1
    assert [(p.target, p.reason.split(" not recorded:")[0]) for p in problems] == [
        (
            f"{CTX.scope}/ec2",
            f"account {CTX.account_id}, region {CTX.region}, ec2: instance 'i-broken'",
        )
    ]
