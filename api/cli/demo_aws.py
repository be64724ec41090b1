"""The demo's local AWS: moto's server in this process on a free loopback port, and the cloud
side of the demo council's migration created in it through boto3, as the council's engineers
would have, so the real `aws` scanner finds it.

moto's ids are seeded (its /moto-api/seed), so the same story makes the same instance ids.
"""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import tempfile
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from api.cli.demo_story import Journey
from estate.status import Strategy

REGION = "eu-west-2"
ROLE = "EstateReadOnly"
LINK_TAG = "estate:source-server"
# The council's AWS accounts: corporate services (waves 1 and 2) and revenues and housing.
ACCOUNTS = ("210987650001", "210987650002")
AMI = "ami-1e749f67"
# The one image the demo launches, as moto's own list defines it: given alone (MOTO_AMIS_PATH),
# moto neither loads its ~1,300 default images per account nor filters them at each launch.
IMAGES = [
    {
        "ami_id": AMI,
        "state": "available",
        "public": True,
        "owner_id": "099720109477",
        "image_location": "amazon/getting-started",
        "sriov": "simple",
        "root_device_type": "ebs",
        "root_device_name": "/dev/sda1",
        "description": "Canonical, Ubuntu, 14.04 LTS, amd64 trusty image build on 2017-07-27",
        "image_type": "machine",
        "platform": None,
        "architecture": "x86_64",
        "name": "ubuntu/images/hvm-ssd/ubuntu-trusty-14.04-amd64-server-20170727",
        "virtualization_type": "hvm",
        "hypervisor": "xen",
    }
]
# Instances per account given CPU metrics (moto stores each datapoint: keep it small).
METERED = 4
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@contextmanager
def local_aws(seed: int) -> Iterator[str]:
    """moto's server on a free port with the demo's credentials in the environment; its URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="estate-demo-amis-") as images:
        json.dump(IMAGES, images)
        images.flush()
        with (
            _environment({**CREDENTIALS, "MOTO_AMIS_PATH": images.name}),
            _serve(seed, port) as url,
        ):
            yield url


@contextmanager
def _serve(seed: int, port: int) -> Iterator[str]:
    # moto reads MOTO_AMIS_PATH when its EC2 models are first imported: import it only now.
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        post = urllib.request.Request(f"{url}/moto-api/seed?a={seed}", method="POST")
        with urllib.request.urlopen(post, timeout=30):
            pass
        yield url
    finally:
        server.stop()


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Cloud:
    """The council's accounts in the local AWS, each reached through the scanner's role."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.keys = {account: self._assume(account) for account in ACCOUNTS}
        # A boto3 client costs a tenth of a second or more to build (its service model): one
        # per service and account for the whole replay.
        self.clients: dict[tuple[str, str], Any] = {}

    def _assume(self, account: str) -> dict[str, str]:
        sts = boto3.client("sts", region_name=REGION, endpoint_url=self.url)
        found = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="demo-seed"
        )["Credentials"]
        return {
            "aws_access_key_id": found["AccessKeyId"],
            "aws_secret_access_key": found["SecretAccessKey"],
            "aws_session_token": found["SessionToken"],
        }

    def client(self, service: str, account: str) -> Any:
        key = (service, account)
        if key not in self.clients:
            self.clients[key] = boto3.client(
                service, region_name=REGION, endpoint_url=self.url, **self.keys[account]
            )
        return self.clients[key]

    def cut_over(self, trips: list[Journey], wave: int) -> None:
        """The workloads that take over the servers of one wave's cutover month."""
        account = ACCOUNTS[0] if wave <= 2 else ACCOUNTS[1]
        instances: dict[str, list[str]] = {}  # instance type -> host names, in order
        for trip in sorted(trips, key=lambda t: t.hostname):
            database = any(part in trip.hostname for part in ("-db", "-sql-", "-ora-"))
            if trip.strategy == Strategy.REPLATFORM and database:
                self._database(account, trip.hostname)
            else:
                kind = "m5.large" if "-db" in trip.hostname else "t3.medium"
                instances.setdefault(kind, []).append(trip.hostname)
        for kind, hostnames in sorted(instances.items()):
            self._instances(account, kind, hostnames, wave)
        if wave == 3:
            self._platform(account)

    def _instances(self, account: str, kind: str, hostnames: list[str], wave: int) -> None:
        """One launch for the wave's instances of a type (a launch per instance costs moto
        and boto3 far more), then each named and linked to its server by its own tags."""
        ec2 = self.client("ec2", account)
        launch: dict[str, Any] = {}
        if wave >= 2:
            stack = [{"Key": "aws:cloudformation:stack-name", "Value": f"wave-{wave}"}]
            launch["TagSpecifications"] = [{"ResourceType": "instance", "Tags": stack}]
        count = len(hostnames)
        launched = ec2.run_instances(
            ImageId=AMI, MinCount=count, MaxCount=count, InstanceType=kind, **launch
        )["Instances"]
        for instance, hostname in zip(launched, hostnames, strict=True):
            tags = [{"Key": "Name", "Value": hostname}, {"Key": LINK_TAG, "Value": hostname}]
            ec2.create_tags(Resources=[instance["InstanceId"]], Tags=tags)

    def _database(self, account: str, hostname: str) -> None:
        self.client("rds", account).create_db_instance(
            DBInstanceIdentifier=hostname,
            DBInstanceClass="db.m5.large",
            Engine="postgres",
            EngineVersion="15.4",
            MasterUsername="estate",
            MasterUserPassword="demo-not-a-secret",
            AllocatedStorage=200,
            MultiAZ=True,
            Tags=[{"Key": LINK_TAG, "Value": hostname}],
        )

    def _platform(self, account: str) -> None:
        """Planning Portal's refactor: a web tier scaled over two zones, a container service
        and a function."""
        ec2, autoscaling = self.client("ec2", account), self.client("autoscaling", account)
        template = {"ImageId": AMI, "InstanceType": "t3.small"}
        ec2.create_launch_template(LaunchTemplateName="planning-web", LaunchTemplateData=template)
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName="planning-web",
            LaunchTemplate={"LaunchTemplateName": "planning-web"},
            MinSize=2,
            MaxSize=6,
            DesiredCapacity=2,
            AvailabilityZones=[f"{REGION}a", f"{REGION}b"],
        )
        role = self.client("iam", account).create_role(
            RoleName="planning", AssumeRolePolicyDocument=json.dumps({"Statement": []})
        )["Role"]["Arn"]
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("handler.py", "def handle(event, context):\n    return event\n")
        self.client("lambda", account).create_function(
            FunctionName="planning-documents",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handle",
            Code={"ZipFile": archive.getvalue()},
            MemorySize=512,
        )
        ecs = self.client("ecs", account)
        ecs.create_cluster(clusterName="planning")
        ecs.register_task_definition(
            family="planning-api",
            containerDefinitions=[{"name": "api", "image": "nginx", "memory": 256}],
        )
        ecs.create_service(
            cluster="planning", serviceName="api", taskDefinition="planning-api", desiredCount=2
        )

    def utilisation(self, now: datetime, days: int = 14) -> None:
        """Hourly CPU over the last `days` of the first instances of each account (by name):
        the database servers busy, the rest mostly idle (oversized), for right-sizing."""
        for account in ACCOUNTS:
            ec2, cloudwatch = self.client("ec2", account), self.client("cloudwatch", account)
            named = sorted(
                ({t["Key"]: t["Value"] for t in i.get("Tags", [])}.get("Name", ""), i["InstanceId"])
                for r in ec2.describe_instances()["Reservations"]
                for i in r["Instances"]
            )
            for name, instance_id in named[:METERED]:
                _put_cpu(cloudwatch, instance_id, now, days, "-db" in name)


def _put_cpu(cloudwatch: Any, instance_id: str, now: datetime, days: int, busy: bool) -> None:
    hours = [now.astimezone(UTC) - timedelta(hours=h) for h in range(1, days * 24 + 1)]
    data = [
        {
            "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "InstanceId", "Value": instance_id}],
            "Timestamp": hour,
            "Value": (55.0 if busy else 6.0) + (hour.hour % 6),
            "Unit": "Percent",
        }
        for hour in hours
    ]
    for start in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=data[start : start + 500])
