"""Acceptance: outcomes from a scan of moto's server (over HTTP) with CPU series written by
PutMetricData, counted per outcome, application and wave by GET /api/v1/outcomes, each
workload's evidence naming its reason; a rescan changes nothing, and a CloudWatch that keeps
throttling is a problem per resource that leaves the readings earlier scans found."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from estate.config import Settings, SourceConfig
from estate.inventory.records import ServerRecord
from estate.migration.outcome_rules import shortfall
from estate.models import Change
from estate.status import RunStatus
from scanners.runner import run_source
from tests.api.conftest import client, make_client
from tests.aws.faults import FaultProxy, Faults
from tests.aws.scenario import REGION, SERVERS, seed
from tests.core.helpers import complete, scan

__all__ = ["client", "make_client"]


@pytest.fixture
def throttling(moto: str) -> Iterator[FaultProxy]:
    """CloudWatch behind a proxy that throttles it for as long as it is asked."""
    proxy = FaultProxy(moto, Faults(throttled_regions={REGION}, throttles_per_service=10**6))
    yield proxy.start()
    proxy.stop()


def _aws(settings: Settings, moto: str, **endpoints: str) -> Settings:
    options = {
        "regions": [REGION],
        "endpoint_url": moto,
        "services": ["autoscaling", "ec2", "rds", "backup", "cloudwatch"],
        "max_attempts": 2,
        "service_endpoint_urls": endpoints,
    }
    source = SourceConfig(name="cloud", kind="aws", options=options)
    return settings.model_copy(update={"sources": [source]})


def _plan(client: TestClient, engine: Engine, settings: Settings) -> None:
    rows = [
        ServerRecord(external_id=name, scope="file", hostname=name, applications=(app,))
        for name, app in SERVERS.items()
    ]
    scan(engine, settings, "cmdb", complete(rows))
    for wave, app in (("Wave 1", "payroll"), ("Wave 2", "gis")):
        made = client.post("/api/v1/waves", json={"name": wave}).json()
        found = client.get("/api/v1/applications", params={"q": app}).json()["items"][0]
        client.patch(f"/api/v1/applications/{found['id']}", json={"wave_id": made["id"]})


def _evidence(client: TestClient) -> dict[str, dict[str, Any]]:
    """The migrated instances and databases by name (the group shares web01's name)."""
    listed = client.get("/api/v1/workloads", params={"migrated": "true", "limit": 100}).json()
    return {w["name"]: w for w in listed["items"] if w["resource_type"] != "autoscaling-group"}


def _figures(group: dict[str, Any]) -> tuple[int, ...]:
    names = ("workloads", "resilient", "flexible", "efficient", "efficient_unknown")
    return tuple(group[n] for n in (*names, "oversized", "idle"))


def _changes(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Change)).scalar_one())


def test_outcomes_of_a_scanned_estate_per_application_and_wave(
    client: TestClient, engine: Engine, settings: Settings, moto: str
) -> None:
    _plan(client, engine, settings)
    seed(moto)
    configured = _aws(settings, moto)

    first = run_source(engine, configured, "cloud")

    assert (first.status, first.errors) == (RunStatus.OK, [])
    found = client.get("/api/v1/outcomes").json()
    # workloads, resilient, flexible, efficient, efficient unknown, oversized, idle; web01 is
    # both the Auto Scaling group (its tag names web01) and the instance it launched.
    assert _figures(found["total"]) == (7, 3, 4, 2, 2, 1, 1)
    assert (found["total"]["not_resilient"], found["total"]["not_flexible"]) == (4, 3)
    assert {g["name"]: _figures(g) for g in found["by_application"]} == {
        "GIS": (1, 0, 0, 0, 0, 0, 0),
        "Intranet": (3, 2, 2, 1, 2, 0, 0),
        "Payroll": (3, 1, 2, 1, 0, 1, 1),
    }
    assert {g["name"]: _figures(g) for g in found["by_wave"]} == {
        "Wave 1": (3, 1, 2, 1, 0, 1, 1),
        "Wave 2": (1, 0, 0, 0, 0, 0, 0),
        None: (3, 2, 2, 1, 2, 0, 0),
    }
    seen = _evidence(client)
    today = f"{datetime.now(UTC):%Y-%m-%d}"
    web01 = seen["web01"]
    assert web01["outcome_evidence"]["resilient"] == [
        {"holds": True, "why": "spread over 2 Availability Zones"},
        {"holds": True, "why": f"EBS snapshot {today}"},
    ]
    assert (web01["cpu_p95"], web01["cpu_hours"]) == (60.0, 30)
    reasons = {
        name: {o: shortfall(seen[name]["outcome_evidence"], o) for o in ("resilient", "efficient")}
        for name in ("web02", "pay01", "pay02", "gis01")
    }
    assert reasons == {
        "web02": {
            "resilient": [
                "a lone instance, in one Availability Zone",
                "no backup in the last 7 days",
            ],
            "efficient": ["CPU utilisation not known yet"],
        },
        "pay01": {
            "resilient": ["a lone instance, in one Availability Zone"],
            "efficient": ["p95 CPU 1.0% over 30 hours: oversized"],
        },
        "pay02": {
            "resilient": [
                "a lone instance, in one Availability Zone",
                "no backup in the last 7 days",
            ],
            "efficient": ["stopped, still holding 8 GB of storage"],
        },
        "gis01": {
            "resilient": [
                "a lone instance, in one Availability Zone",
                "no backup in the last 7 days",
            ],
            "efficient": ["previous-generation size"],
        },
    }
    assert seen["payroll-db"]["outcome_evidence"]["resilient"] == [
        {"holds": True, "why": "Multi-AZ database"},
        {"holds": True, "why": "automated backups kept 7 days"},
    ]
    changes = _changes(engine)

    again = run_source(engine, configured, "cloud")

    assert (again.status, again.added, again.changed) == (RunStatus.OK, 0, 0)
    assert _changes(engine) == changes


def test_a_throttled_cloudwatch_is_a_problem_per_resource_and_keeps_the_readings(
    client: TestClient, engine: Engine, settings: Settings, moto: str, throttling: FaultProxy
) -> None:
    _plan(client, engine, settings)
    made = seed(moto)
    assert run_source(engine, _aws(settings, moto), "cloud").status == RunStatus.OK
    before = {n: (w["cpu_p95"], w["cpu_hours"]) for n, w in _evidence(client).items()}
    changes = _changes(engine)

    run = run_source(engine, _aws(settings, moto, cloudwatch=throttling.url), "cloud")

    assert run.status == RunStatus.PARTIAL
    targets = sorted(e["target"] for e in run.errors)
    scope = f"123456789012/{REGION}"
    instances = sorted(i for n, i in made.items() if n != "db01")
    assert targets == sorted(
        [f"{scope}/cloudwatch/{i}" for i in instances] + [f"{scope}/cloudwatch/payroll-db"]
    )
    assert "Throttling" in run.errors[0]["reason"]
    after = {n: (w["cpu_p95"], w["cpu_hours"]) for n, w in _evidence(client).items()}
    assert after == before
    assert before["pay01"] == (1.0, 30)
    assert _changes(engine) == changes
