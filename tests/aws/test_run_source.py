"""End to end: run_source against moto's server into the database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from estate.config import Settings, SourceConfig
from estate.inventory.ingest import run_scan
from estate.inventory.records import ScopeEnd, ServerRecord
from estate.models import Change, Server, Workload
from estate.status import RunStatus
from scanners.runner import run_source
from tests.aws.faults import FaultProxy, Faults
from tests.aws.mgn_peer import source_server
from tests.aws.seed import MANAGEMENT, ROLE, build_organization, moto_holds, seed_scope

REGIONS = ["eu-west-2", "eu-west-1"]


@pytest.fixture
def proxy(moto: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(moto, Faults())
    yield proxy.start()
    proxy.stop()


def _with_aws(settings: Settings, **options: Any) -> Settings:
    source = SourceConfig(name="cloud", kind="aws", options={"max_attempts": 2, **options})
    return settings.model_copy(update={"sources": [source]})


def _workloads(engine: Engine) -> dict[str, Workload]:
    with Session(engine) as session:
        return {w.resource_id: w for w in session.execute(select(Workload)).scalars()}


def _change_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Change)).scalar_one())


def test_workloads_equal_moto_and_a_second_run_changes_nothing(
    engine: Engine, settings: Settings, moto: str, mgn: Any, proxy: FaultProxy
) -> None:
    estate = build_organization(moto, members=2, suspended=0, regions=REGIONS)
    for account in estate.accounts:
        for region in REGIONS:
            seed_scope(estate, account, region, instances=12)
    ec2 = estate.client("ec2", MANAGEMENT, "eu-west-2")
    # app-1 carries no link tag: only MGN's launched instance says where it came from.
    app1 = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["app-1"]}])
    launched = app1["Reservations"][0]["Instances"][0]["InstanceId"]
    mgn.servers[(MANAGEMENT, "eu-west-2")] = [
        source_server(
            "s-1", "PAYROLL01", "payroll01.council.local", "CUTOVER", "CONTINUOUS", launched
        )
    ]
    onprem = run_scan(
        engine,
        settings,
        SourceConfig(name="cmdb", kind="cmdb"),
        [
            ServerRecord(external_id="payroll", scope="file", hostname="payroll01"),
            ServerRecord(external_id="sql", scope="file", fqdn="sql01.council.local"),
            ScopeEnd(scope="file", complete=True),
        ],
    )
    assert onprem.status == RunStatus.OK
    configured = _with_aws(
        settings,
        accounts="organization",
        assume_role=ROLE,
        regions=REGIONS,
        endpoint_url=proxy.url,
        service_endpoint_urls={"mgn": mgn.url},
    )

    first = run_source(engine, configured, "cloud")

    assert first.status == RunStatus.OK
    rows = _workloads(engine)
    assert {(w.account_id, w.region, w.resource_type, w.resource_id) for w in rows.values()} == (
        moto_holds(estate)
    )
    with Session(engine) as session:
        servers = {s.hostname or s.fqdn: s for s in session.execute(select(Server)).scalars()}
    payroll = servers["payroll01"]
    assert (payroll.mgn_lifecycle_state, payroll.mgn_launched_instance_id) == ("CUTOVER", launched)
    arn = f"arn:aws:ec2:eu-west-2:{MANAGEMENT}:instance/{launched}"
    assert rows[arn].migrated_from_server_id == payroll.id
    orders = rows[f"arn:aws:rds:eu-west-2:{MANAGEMENT}:db:orders"]
    assert orders.migrated_from_server_id == servers["sql01.council.local"].id
    changes = _change_count(engine)

    second = run_source(engine, configured, "cloud")

    assert second.status == RunStatus.OK
    assert (second.added, second.changed, second.missing) == (0, 0, 0)
    assert _change_count(engine) == changes


def test_a_failing_region_is_partial_and_marks_nothing_missing_there(
    engine: Engine, settings: Settings, moto: str, mgn: Any, proxy: FaultProxy
) -> None:
    estate = build_organization(moto, members=0, suspended=0, regions=REGIONS)
    for region in REGIONS:
        seed_scope(estate, MANAGEMENT, region, instances=4)
    configured = _with_aws(
        settings, regions=REGIONS, endpoint_url=proxy.url, service_endpoint_urls={"mgn": mgn.url}
    )
    assert run_source(engine, configured, "cloud").status == RunStatus.OK
    for region in REGIONS:
        estate.client("lambda", MANAGEMENT, region).delete_function(FunctionName="resize")
    proxy.faults.failing_regions.add("eu-west-1")

    run = run_source(engine, configured, "cloud")

    assert run.status == RunStatus.PARTIAL
    assert run.scopes == {f"{MANAGEMENT}/eu-west-1": False, f"{MANAGEMENT}/eu-west-2": True}
    assert [e["target"] for e in run.errors] == [f"{MANAGEMENT}/eu-west-1/autoscaling"]
    rows = _workloads(engine)
    gone = f"arn:aws:lambda:eu-west-2:{MANAGEMENT}:function:resize"
    kept = f"arn:aws:lambda:eu-west-1:{MANAGEMENT}:function:resize"
    assert rows[gone].missing_since is not None
    assert [w.resource_id for w in rows.values() if w.missing_since is not None] == [gone]
    assert rows[kept].missing_since is None
