"""One application, Payroll, from not assessed to decommissioned: plans through the API, MGN
states and a linked cloud workload through the real ingest, review and removal by the
capital assets team; progress and hosting checked at every step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import MigrationSettings, Settings
from estate.inventory.records import Event, NetworkDeviceRecord, ScopeEnd, ServerRecord
from estate.status import Role
from tests.api.conftest import MakeClient
from tests.core.helpers import complete, server
from tests.migration.helpers import HOSTING_FIGURES, instance, refresh, scan_and_refresh

NOW = datetime.now(UTC)
BASELINE = (NOW - timedelta(days=60)).date()
SITE = "Civic Centre"
PAYROLL = ("payroll-app01", "payroll-db01")


def vm(external_id: str, hostname: str, application: str, power: str) -> ServerRecord:
    """One application's VM on esx01, as the CMDB lists it."""
    return server(
        external_id,
        hostname=hostname,
        kind="virtual",
        site=SITE,
        host="esx01",
        applications=(application,),
        power_state=power,
    )


def cmdb(power: str = "on") -> list[Event]:
    """The CMDB export: a VM host, Payroll's VM and physical database server, HR's VM and a
    Wi-Fi access point."""
    payroll_power = {"power_state": power}
    servers = list(
        complete(
            [
                server(
                    "1",
                    hostname="esx01",
                    serial="H1",
                    kind="physical",
                    site=SITE,
                    rack="R1",
                    rack_unit=10,
                    rack_units=2,
                    power_watts=500.0,
                    power_state="on",
                ),
                vm("2", "payroll-app01", "Payroll", power),
                server(
                    "3",
                    hostname="payroll-db01",
                    serial="D1",
                    asset_tag="NBC-0042",
                    kind="physical",
                    site=SITE,
                    room="B1",
                    rack="R2",
                    rack_unit=4,
                    rack_units=1,
                    power_watts=200.0,
                    applications=("Payroll",),
                    **payroll_power,
                ),
                vm("4", "hr-app01", "HR", "on"),
            ]
        )
    )
    return [
        *servers,
        NetworkDeviceRecord(
            external_id="ap1", scope="f", name="ap-civic-1", site=SITE, device_class="wireless-ap"
        ),
        ScopeEnd(scope="f", complete=True),
    ]


def mgn(state: str) -> list[Event]:
    records = [
        ServerRecord(
            external_id=f"s-{name}",
            scope="mgn",
            match_only=True,
            hostname=name,
            mgn_lifecycle_state=state,
        )
        for name in PAYROLL
    ]
    return [*records, ScopeEnd(scope="mgn", complete=True)]


def statuses(client: TestClient) -> dict[str, str]:
    items = client.get("/api/v1/servers", params={"limit": 100}).json()["items"]
    return {s["hostname"]: s["migration_status"] for s in items}


def payroll(client: TestClient) -> dict[str, Any]:
    groups = client.get("/api/v1/progress").json()["by_application"]
    return next(g for g in groups if g["name"] == "Payroll")


def hosting_now(client: TestClient, site_id: int) -> tuple[int, ...]:
    now = client.get(f"/api/v1/sites/{site_id}/hosting").json()["now"]
    return tuple(now[k] for k in HOSTING_FIGURES)


def test_one_application_from_not_assessed_to_decommissioned(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    settings.migration = MigrationSettings(
        workload_running_days=14, not_seen_days=30, baseline_date=BASELINE
    )
    infra, assets, viewer = (make_client(r) for r in (Role.INFRA, Role.ASSETS, Role.VIEWER))

    # Found by the CMDB; the baseline day's figures kept.
    scan_and_refresh(engine, settings, "cmdb", cmdb())
    refresh(engine, settings, now=datetime.combine(BASELINE, datetime.min.time(), UTC))
    site_id = viewer.get("/api/v1/sites").json()["items"][0]["id"]
    app_id = next(
        a["id"]
        for a in viewer.get("/api/v1/applications").json()["items"]
        if a["name"] == "Payroll"
    )
    assert set(statuses(viewer).values()) == {"not-assessed"}
    assert hosting_now(viewer, site_id) == (4, 2, 2, 1, 2, 3, 700.0, 1)
    assert payroll(viewer)["by_status"] == {"not-assessed": 2}

    # Assessed: a strategy on the application.
    assert (
        infra.patch(f"/api/v1/applications/{app_id}", json={"strategy": "rehost"}).status_code
        == 200
    )
    assert [statuses(viewer)[h] for h in PAYROLL] == ["assessed", "assessed"]
    db_id = viewer.get("/api/v1/servers", params={"q": "payroll-db01"}).json()["items"][0]["id"]
    explained = viewer.get(f"/api/v1/servers/{db_id}").json()["migration"]
    assert (explained["fact"], explained["reason"]) == (
        "strategy",
        "strategy rehost (from application Payroll)",
    )

    # Planned: in a wave.
    wave = infra.post(
        "/api/v1/waves",
        json={
            "name": "Wave 1",
            "planned_start": str(NOW.date()),
            "planned_end": str(NOW.date() + timedelta(days=30)),
        },
    )
    assert wave.status_code == 201
    infra.patch(f"/api/v1/applications/{app_id}", json={"wave_id": wave.json()["id"]})
    assert [statuses(viewer)[h] for h in PAYROLL] == ["planned", "planned"]
    assert payroll(viewer)["by_status"] == {"planned": 2}

    # Replicating, testing, cut over: AWS MGN's lifecycle states through the ingest.
    for state, expected in (
        ("NOT_READY", "replicating"),
        ("TESTING", "testing"),
        ("CUTOVER", "cutover"),
    ):
        scan_and_refresh(engine, settings, "mgn", mgn(state), kind="aws")
        assert [statuses(viewer)[h] for h in PAYROLL] == [expected, expected]
        assert payroll(viewer)["by_status"] == {expected: 2}
        reason = viewer.get(f"/api/v1/servers/{db_id}").json()["migration_status_reason"]
        assert reason == f"AWS MGN lifecycle state {state}"

    # Migrated: linked EC2 instances running (launched 20 days ago).
    launched = NOW - timedelta(days=20)
    workloads = [instance(f"i-{n}", n, launched_at=launched) for n in PAYROLL]
    scan_and_refresh(engine, settings, "aws", complete(workloads, "111122223333/eu-west-2"), "aws")
    assert [statuses(viewer)[h] for h in PAYROLL] == ["migrated", "migrated"]
    progress = viewer.get("/api/v1/progress").json()["total"]
    assert (progress["migrated"], progress["percent_migrated"]) == (2, 50.0)
    assert (progress["applications"], progress["applications_migrated"]) == (2, 1)
    assert hosting_now(viewer, site_id) == (4, 2, 2, 1, 2, 3, 700.0, 1)

    # Decommission candidates: the on-premise servers powered off.
    scan_and_refresh(engine, settings, "cmdb", cmdb(power="off"))
    candidates = viewer.get("/api/v1/decommission/candidates").json()
    assert [(c["hostname"], c["migration_status"]) for c in candidates["items"]] == [
        ("payroll-app01", "decommission-candidate"),
        ("payroll-db01", "decommission-candidate"),
    ]
    assert candidates["items"][1]["evidence"] == [
        f"linked workload payroll-db01 running since {launched:%Y-%m-%d} (20 days)",
        "on-premise server powered off",
    ]

    # Approved and removed, by the capital assets team.
    for server_id in (c["server_id"] for c in candidates["items"]):
        review = assets.post(
            f"/api/v1/decommission/{server_id}/review",
            json={"decision": "approve", "note": "cut over cleanly"},
        )
        assert (review.status_code, review.json()["migration_status"]) == (
            200,
            "decommission-approved",
        )
        assert review.json()["reviewer"] == "assets-1"
    assert payroll(viewer)["by_status"] == {"decommission-approved": 2}
    for server_id in (c["server_id"] for c in candidates["items"]):
        done = assets.post(
            f"/api/v1/decommission/{server_id}/complete",
            json={
                "removed_on": str(NOW.date()),
                "disposal_reference": "WEEE-2026-117",
                "data_sanitisation_reference": "SAN-88",
            },
        )
        assert (done.status_code, done.json()["migration_status"]) == (200, "decommissioned")

    # Decommissioned: gone from the site's figures; progress and the burn-down follow.
    assert [statuses(viewer)[h] for h in PAYROLL] == ["decommissioned", "decommissioned"]
    assert payroll(viewer)["by_status"] == {"decommissioned": 2}
    assert payroll(viewer)["applications_migrated"] == 1
    hosting = viewer.get(f"/api/v1/sites/{site_id}/hosting").json()
    assert hosting_now(viewer, site_id) == (2, 1, 1, 1, 1, 2, 500.0, 1)
    assert hosting["baseline"]["on"] == str(BASELINE)
    assert hosting["difference"]["servers"] == -2
    assert hosting["difference"]["watts"] == -200.0
    assert [m["on"] for m in hosting["months"]] == [str(BASELINE), str(NOW.date())]
    burn_down = viewer.get("/api/v1/progress/history").json()
    assert [(d["day"], d["remaining"], d["migrated"]) for d in burn_down] == [
        (str(BASELINE), 4, 0),
        (str(NOW.date()), 2, 2),
    ]
    assert viewer.get(f"/api/v1/servers/{db_id}").json()["migration"]["fact"] == "decommission"
