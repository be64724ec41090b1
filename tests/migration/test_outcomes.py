"""Outcomes judged after a scan and counted per application, wave, strategy and site; each count's
workloads are the /workloads list with the same filters."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config import Settings
from estate.inventory.records import ScopeEnd, ServerRecord
from estate.models import Change, Workload
from estate.models.base import utcnow
from estate.refresh import refresh_derived
from tests.core.helpers import complete, scan
from tests.migration.helpers import instance

SCOPE = "111122223333/eu-west-2"


def cmdb(engine: Engine, settings: Settings) -> None:
    rows = [
        ServerRecord(external_id=name, scope="file", hostname=name, applications=(app,))
        for name, app in (("app01", "Payroll"), ("app02", "Payroll"), ("web01", "Intranet"))
    ]
    scan(engine, settings, "cmdb", complete(rows))


def cloud(engine: Engine, settings: Settings, **changes: Any) -> None:
    recent = (utcnow() - timedelta(days=1)).isoformat()
    busy = {"previous_generation": False}
    records = [
        instance(
            "w1",
            "app01",
            cpu_p95=50.0,
            cpu_hours=336,
            facts={**busy, "in_asg": True, "asg_azs": 2, "autoscaled": True,
                   "last_snapshot_at": recent},
        ),
        instance("w2", "app02", cpu_p95=5.0, cpu_hours=336,
                 facts={**busy, "in_asg": False, "autoscaled": False, "snapshots_read": True}),
        instance(
            "w3",
            "web01",
            resource_type="rds-db-instance",
            facts={"multi_az": True, "backup_retention_days": 7, "serverless": False,
                   "storage_autoscaling": False, "previous_generation": False},
        ),
        instance("w4", "nowhere01", facts=busy),
        instance("w5", "web01", state="terminated", ended=True, facts=busy),
    ]  # fmt: skip
    records = [r.model_copy(update=changes.get(r.external_id, {})) for r in records]
    run = scan(engine, settings, "aws", [*records, ScopeEnd(scope=SCOPE, complete=True)], "aws")
    with Session(engine) as session:
        refresh_derived(session, settings, date.today(), run)
        session.commit()


def test_outcomes_overall_and_per_group_match_the_workload_lists(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    cmdb(engine, settings)
    wave = client.post("/api/v1/waves", json={"name": "Wave 1"}).json()
    payroll = client.get("/api/v1/applications", params={"q": "payroll"}).json()["items"][0]
    client.patch(f"/api/v1/applications/{payroll['id']}", json={"wave_id": wave["id"]})
    cloud(engine, settings)

    found = client.get("/api/v1/outcomes").json()

    total = found["total"]
    assert (total["workloads"], total["resilient"], total["not_resilient"]) == (3, 2, 1)
    assert (total["flexible"], total["not_flexible"], total["flexible_unknown"]) == (1, 2, 0)
    assert (total["efficient"], total["not_efficient"], total["efficient_unknown"]) == (1, 1, 1)
    assert (total["oversized"], total["idle"], total["percent_resilient"]) == (1, 0, 66.7)
    apps = {
        g["name"]: (g["workloads"], g["resilient"], g["oversized"]) for g in found["by_application"]
    }
    assert apps == {"Intranet": (1, 1, 0), "Payroll": (2, 1, 1)}
    waves = {g["name"]: g["workloads"] for g in found["by_wave"]}
    assert waves == {"Wave 1": 2, None: 1}
    listed = client.get(
        "/api/v1/workloads", params={"migrated": "true", "resilient": "false"}
    ).json()
    assert [w["name"] for w in listed["items"]] == ["app02"]
    in_wave = client.get(
        "/api/v1/workloads", params={"migrated": "true", "wave": "Wave 1", "oversized": "true"}
    ).json()
    assert [w["name"] for w in in_wave["items"]] == ["app02"]
    unknown = client.get(
        "/api/v1/workloads", params={"migrated": "true", "efficient": "unknown"}
    ).json()
    assert [w["name"] for w in unknown["items"]] == ["web01"]


def test_an_outcome_that_moves_is_a_change_with_its_evidence_kept(
    engine: Engine, settings: Settings
) -> None:
    cmdb(engine, settings)
    cloud(engine, settings)
    old = (utcnow() - timedelta(days=30)).isoformat()

    cloud(engine, settings, w1={"facts": {"in_asg": True, "asg_azs": 2, "autoscaled": True,
                                          "previous_generation": False,
                                          "last_snapshot_at": old}})  # fmt: skip

    with Session(engine) as session:
        w1 = session.execute(select(Workload).where(col(Workload.name) == "app01")).scalar_one()
        moved = session.execute(
            select(col(Change.field), col(Change.old), col(Change.new)).where(
                col(Change.entity_id) == w1.id, col(Change.field) == "resilient"
            )
        ).all()
    assert w1.resilient is False
    assert w1.outcome_evidence["resilient"][1]["why"].startswith("last backup ")
    # Judged first when the scan found it, then moved when its backup aged.
    assert [tuple(m) for m in moved] == [("resilient", None, True), ("resilient", True, False)]
