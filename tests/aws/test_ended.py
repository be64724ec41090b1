"""A workload whose provider state is terminal (an EC2 instance terminated, which AWS still
lists for a while) is ended: shown as such, and its on-premise server is not migrated by it."""

from __future__ import annotations

from typing import Any

import boto3
from sqlalchemy import Engine, select
from sqlmodel import Session

from estate.config import Settings, SourceConfig
from estate.inventory.ingest import run_scan
from estate.inventory.records import ScopeEnd, ServerRecord
from estate.models import Server, Workload
from estate.status import MigrationStatus, RunStatus
from scanners.runner import run_source
from tests.api.conftest import MakeClient, make_client

__all__ = ["make_client"]
REGION = "eu-west-2"


def ec2(moto: str) -> Any:
    return boto3.client("ec2", region_name=REGION, endpoint_url=moto)


def launch(moto: str, origin: str) -> str:
    image = ec2(moto).describe_images()["Images"][0]["ImageId"]
    started = ec2(moto).run_instances(
        ImageId=image,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "estate:source-server", "Value": origin}]}
        ],
    )
    instance_id: str = started["Instances"][0]["InstanceId"]
    return instance_id


def state(engine: Engine) -> tuple[MigrationStatus, list[tuple[str | None, bool]]]:
    with Session(engine) as session:
        [server] = session.execute(select(Server)).scalars().all()
        workloads = session.execute(select(Workload)).scalars().all()
        return server.migration_status, [(w.state, w.ended) for w in workloads]


def test_a_terminated_instance_is_ended_and_migrates_nothing(
    engine: Engine, settings: Settings, moto: str, make_client: MakeClient
) -> None:
    run_scan(
        engine,
        settings,
        SourceConfig(name="cmdb", kind="cmdb"),
        [
            ServerRecord(external_id="app", scope="file", hostname="nbc-app01"),
            ScopeEnd(scope="file", complete=True),
        ],
    )
    cloud = SourceConfig(
        name="cloud",
        kind="aws",
        options={"regions": [REGION], "services": ["ec2"], "endpoint_url": moto},
    )
    settings = settings.model_copy(update={"sources": [cloud]})
    instance = launch(moto, "nbc-app01")
    assert run_source(engine, settings, "cloud").status == RunStatus.OK
    running = state(engine)

    ec2(moto).terminate_instances(InstanceIds=[instance])
    assert run_source(engine, settings, "cloud").status == RunStatus.OK

    assert running == (MigrationStatus.MIGRATED, [("running", False)])
    assert state(engine) == (MigrationStatus.NOT_ASSESSED, [("terminated", True)])
    listed = make_client().get("/api/v1/workloads", params={"ended": "true"}).json()
    assert [(w["state"], w["ended"]) for w in listed["items"]] == [("terminated", True)]
    assert make_client().get("/api/v1/workloads", params={"ended": "false"}).json()["total"] == 0
