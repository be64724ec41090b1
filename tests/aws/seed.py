"""Build an AWS estate in moto's server, and list what moto holds independently of the scanner."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3

MANAGEMENT = "123456789012"  # moto's account for plain (non-assumed) credentials
ROLE = "EstateScanner"
LINK_TAG = "estate:source-server"
LINUX_AMI = "ami-1e749f67"
WINDOWS_AMI = "ami-12c6146b"
INSTANCE_TYPES = ("t3.micro", "m3.medium", "m5.large")

Key = tuple[str, str, str, str]  # (account, region, resource type, resource id)


@dataclass
class Estate:
    url: str
    accounts: list[str]
    regions: list[str]
    suspended: list[str] = field(default_factory=list)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)

    def client(self, service: str, account: str, region: str) -> Any:
        return boto3.client(
            service, region_name=region, endpoint_url=self.url, **self.keys.get(account, {})
        )


def build_organization(url: str, members: int, suspended: int, regions: list[str]) -> Estate:
    """An organization: the management account, `members` active accounts, and closed ones."""
    organizations = boto3.client("organizations", region_name="us-east-1", endpoint_url=url)
    organizations.create_organization(FeatureSet="ALL")
    created = []
    for n in range(members + suspended):
        answer = organizations.create_account(Email=f"acct{n}@council.test", AccountName=f"a{n}")
        created.append(answer["CreateAccountStatus"]["AccountId"])
    for account in created[members:]:
        organizations.close_account(AccountId=account)
    estate = Estate(url, [MANAGEMENT, *created[:members]], regions, created[members:])
    for account in estate.accounts[1:]:
        estate.keys[account] = assume(url, account)
    return estate


def assume(url: str, account: str) -> dict[str, str]:
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=url)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="seed"
    )["Credentials"]
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


def seed_all(estate: Estate, instances: int) -> None:
    """Every scope of the estate seeded alike."""
    for account in estate.accounts:
        for region in estate.regions:
            seed_scope(estate, account, region, instances)


def seed_scope(estate: Estate, account: str, region: str, instances: int) -> None:
    """Every resource type in one scope, with `instances` EC2 instances in all (3 from ASGs)."""

    def client(service: str) -> Any:
        return estate.client(service, account, region)

    subnets = client("ec2").describe_subnets()["Subnets"]
    subnet_ids = [s["SubnetId"] for s in sorted(subnets, key=lambda s: s["AvailabilityZone"])]
    _seed_autoscaling(client, region)
    _seed_instances(client, instances - 3)
    _seed_rds(client)
    role = client("iam").create_role(
        RoleName=f"estate-{region}", AssumeRolePolicyDocument=json.dumps({"Statement": []})
    )["Role"]["Arn"]
    _seed_lambda(client, role)
    _seed_containers(client, role, subnet_ids)
    client("elbv2").create_load_balancer(
        Name="front", Subnets=subnet_ids[:2], Tags=[{"Key": "Name", "Value": "front door"}]
    )


def web_template(client: Callable[[str], Any], instance_type: str) -> None:
    """The launch template "web" that `web_group`s launch from."""
    template = {"ImageId": LINUX_AMI, "InstanceType": instance_type}
    client("ec2").create_launch_template(LaunchTemplateName="web", LaunchTemplateData=template)


def web_group(
    client: Callable[[str], Any],
    name: str,
    sizes: tuple[int, int, int],
    azs: list[str],
    tags: list[dict[str, Any]] | None = None,
) -> None:
    """An Auto Scaling group launching from "web"; `sizes` are its (min, max, desired)."""
    low, high, desired = sizes
    client("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": "web"},
        MinSize=low,
        MaxSize=high,
        DesiredCapacity=desired,
        AvailabilityZones=azs,
        **({"Tags": tags} if tags else {}),
    )


def _seed_autoscaling(client: Callable[[str], Any], region: str) -> None:
    web_template(client, "t3.small")
    link = [{"Key": LINK_TAG, "Value": "web01.council.local", "PropagateAtLaunch": True}]
    web_group(client, "web-spread", (2, 4, 2), [f"{region}a", f"{region}b"], link)
    web_group(client, "batch-single", (1, 1, 1), [f"{region}a"])


def _seed_instances(client: Callable[[str], Any], count: int) -> None:
    """`count` instances in reservations of up to 7, so paging by reservation has many pages."""
    ec2 = client("ec2")
    made = 0
    for n in range(count):
        size = min(7, count - made)
        if size <= 0:
            break
        tags = [{"Key": "Name", "Value": f"app-{n}"}]
        if n % 3 == 0:
            tags.append({"Key": LINK_TAG, "Value": f"SRV{n:04d}"})
        kwargs: dict[str, Any] = {}
        if n == 0:
            kwargs["BlockDeviceMappings"] = [{"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 50}}]
        answer = ec2.run_instances(
            ImageId=WINDOWS_AMI if n % 5 == 4 else LINUX_AMI,
            MinCount=size,
            MaxCount=size,
            InstanceType=INSTANCE_TYPES[n % len(INSTANCE_TYPES)],
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
            **kwargs,
        )
        if n == 0:
            ec2.stop_instances(InstanceIds=[answer["Instances"][0]["InstanceId"]])
        made += size


def database(rds: Any, name: str, db_class: str, engine: str, gb: int, **parameters: Any) -> None:
    """A DB instance of `gb` GB with the seed's master user; `parameters` are CreateDBInstance's
    others."""
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass=db_class,
        Engine=engine,
        MasterUsername="estate",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=gb,
        **parameters,
    )


def _seed_rds(client: Callable[[str], Any]) -> None:
    rds = client("rds")
    link = [{"Key": LINK_TAG, "Value": "sql01.council.local"}]
    database(
        rds, "orders", "db.m5.large", "postgres", 100, EngineVersion="15.4", MultiAZ=True, Tags=link
    )
    database(rds, "legacy", "db.m3.medium", "mysql", 20, EngineVersion="5.7.44")
    rds.stop_db_instance(DBInstanceIdentifier="legacy")


def _seed_lambda(client: Callable[[str], Any], role: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    for name, runtime, memory in (("resize", "python3.12", 256), ("report", "nodejs20.x", 1024)):
        client("lambda").create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role,
            Handler="handler.handle",
            Code={"ZipFile": buffer.getvalue()},
            MemorySize=memory,
            Tags={"team": "digital"},
        )


def _seed_containers(client: Callable[[str], Any], role: str, subnets: list[str]) -> None:
    ecs = client("ecs")
    ecs.create_cluster(clusterName="apps")
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}]
    )
    groups = client("ec2").describe_security_groups(GroupNames=["default"])["SecurityGroups"]
    network = {
        "awsvpcConfiguration": {"subnets": subnets[:2], "securityGroups": [groups[0]["GroupId"]]}
    }
    ecs.create_service(
        cluster="apps",
        serviceName="web",
        taskDefinition="web",
        desiredCount=3,
        launchType="FARGATE",
        networkConfiguration=network,
    )
    ecs.create_service(
        cluster="apps", serviceName="worker", taskDefinition="web", desiredCount=1, launchType="EC2"
    )
    eks = client("eks")
    eks.create_cluster(name="platform", roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
    eks.create_nodegroup(
        clusterName="platform",
        nodegroupName="general",
        subnets=subnets[:2],
        nodeRole=role,
        instanceTypes=["m5.large"],
        scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2},
    )


def moto_holds(estate: Estate) -> set[Key]:
    """What moto holds, per account, region and resource type, read without the scanner."""
    with ThreadPoolExecutor(4) as pool:
        scopes = [
            pool.submit(_held_in, estate, account, region)
            for account in estate.accounts
            for region in estate.regions
        ]
        return set().union(*(scope.result() for scope in scopes))


def _held_in(estate: Estate, account: str, region: str) -> set[Key]:
    def client(service: str) -> Any:
        return estate.client(service, account, region)

    ids: list[tuple[str, str]] = []
    for reservation in client("ec2").describe_instances()["Reservations"]:
        for i in reservation["Instances"]:
            arn = f"arn:aws:ec2:{region}:{account}:instance/{i['InstanceId']}"
            ids.append(("ec2-instance", arn))
    databases = client("rds").describe_db_instances()["DBInstances"]
    ids += [("rds-db-instance", d["DBInstanceArn"]) for d in databases]
    functions = client("lambda").list_functions()["Functions"]
    ids += [("lambda-function", f["FunctionArn"]) for f in functions]
    ecs = client("ecs")
    for cluster in ecs.list_clusters()["clusterArns"]:
        ids += [("ecs-service", s) for s in ecs.list_services(cluster=cluster)["serviceArns"]]
    eks = client("eks")
    for name in eks.list_clusters()["clusters"]:
        ids.append(("eks-cluster", eks.describe_cluster(name=name)["cluster"]["arn"]))
        for group in eks.list_nodegroups(clusterName=name)["nodegroups"]:
            answer = eks.describe_nodegroup(clusterName=name, nodegroupName=group)
            ids.append(("eks-nodegroup", answer["nodegroup"]["nodegroupArn"]))
    groups = client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    ids += [("autoscaling-group", g["AutoScalingGroupARN"]) for g in groups]
    balancers = client("elbv2").describe_load_balancers()["LoadBalancers"]
    ids += [("elbv2-load-balancer", b["LoadBalancerArn"]) for b in balancers]
    return {(account, region, kind, arn) for kind, arn in ids}
