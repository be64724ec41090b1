"""Progress equals what the filtered server lists give; snapshots form a burn-down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from estate.config import Settings
from estate.inventory.records import ScopeEnd, ServerRecord
from estate.migration.progress import MIGRATED
from estate.models import Server
from estate.status import MigrationStatus
from tests.core.helpers import complete, server
from tests.migration.helpers import instance, refresh, scan_and_refresh

APPS = {0: ("Payroll",), 1: ("Payroll", "HR"), 2: ("HR",), 3: ("Libraries",), 4: ()}


def load_estate(client: TestClient, engine: Engine, settings: Settings) -> None:
    """15 servers on two sites in three applications, planned in two waves; some replicating
    through MGN, some migrated."""
    records = [
        server(
            str(n),
            hostname=f"srv{n:02d}",
            kind="physical" if n % 3 else "virtual",
            site="Civic Centre" if n % 2 else "Northgate",
            applications=APPS[n % 5],
        )
        for n in range(15)
    ]
    scan_and_refresh(engine, settings, "cmdb", complete(records))
    for name in ("Wave 1", "Wave 2"):
        assert client.post("/api/v1/waves", json={"name": name}).status_code == 201
    plan = [
        {"server": f"srv{n:02d}", "wave": "Wave 1" if n < 6 else "Wave 2", "strategy": "rehost"}
        for n in range(10)
    ] + [{"server": "srv10", "strategy": "retire"}, {"server": "srv11", "strategy": "retain"}]
    assert client.post("/api/v1/assignments", json={"assignments": plan}).status_code == 200
    mgn = [
        ServerRecord(
            external_id=f"m{n}",
            scope="mgn",
            match_only=True,
            hostname=f"srv{n:02d}",
            mgn_lifecycle_state=state,
        )
        for n, state in ((6, "NOT_READY"), (7, "TESTING"), (8, "CUTOVER"))
    ]
    scan_and_refresh(engine, settings, "mgn", [*mgn, ScopeEnd(scope="mgn", complete=True)], "aws")
    workloads = [instance(f"i-{n}", f"srv{n:02d}") for n in range(4)]
    scan_and_refresh(engine, settings, "aws", complete(workloads, "111122223333/eu-west-2"), "aws")


def total(client: TestClient, **params: Any) -> int:
    response = client.get("/api/v1/servers", params={"limit": 1, **params})
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


FILTERS = {"by_wave": "wave", "by_strategy": "strategy", "by_site": "site"}


def test_progress_counts_equal_the_filtered_lists(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load_estate(client, engine, settings)

    progress = client.get("/api/v1/progress").json()

    assert progress["total"]["servers"] == total(client) == 15
    assert progress["total"]["by_status"] == {
        "not-assessed": 3,
        "planned": 3,
        "replicating": 1,
        "testing": 1,
        "cutover": 1,
        "migrated": 4,
        "retained": 1,
        "retired": 1,
    }
    for status, count in progress["total"]["by_status"].items():
        assert total(client, migration_status=status) == count
    assert progress["total"]["migrated"] == total(client, migration_status=sorted(MIGRATED))
    checked = 0
    for breakdown, parameter in FILTERS.items():
        for group in progress[breakdown]:
            value = group["key"] if group["key"] is not None else "none"
            assert group["servers"] == total(client, **{parameter: value}), (breakdown, group)
            for status, count in group["by_status"].items():
                assert total(client, **{parameter: value, "migration_status": status}) == count
                checked += 1
    for group in progress["by_application"]:
        servers = total(client, application=group["name"])
        migrated = total(client, application=group["name"], migration_status=sorted(MIGRATED))
        assert (group["servers"], group["migrated"]) == (servers, migrated)
        assert group["applications_migrated"] == (1 if servers == migrated else 0)
        checked += 1
    assert checked == 31


def test_applications_are_migrated_when_all_their_servers_are(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load_estate(client, engine, settings)

    progress = client.get("/api/v1/progress").json()
    by_name = {g["name"]: g for g in progress["by_application"]}

    assert {n: (g["servers"], g["migrated"]) for n, g in by_name.items()} == {
        "HR": (6, 2),
        "Libraries": (3, 1),
        "Payroll": (6, 2),
    }
    # srv00..srv03 migrated: Payroll has srv00, srv01, srv05, srv06, srv10, srv11; none complete.
    assert (progress["total"]["applications"], progress["total"]["applications_migrated"]) == (
        3,
        0,
    )
    wave_1 = next(g for g in progress["by_wave"] if g["name"] == "Wave 1")
    assert (wave_1["servers"], wave_1["migrated"], wave_1["percent_migrated"]) == (6, 4, 66.7)
    assert wave_1["applications"] == 3
    # HR (srv01, srv02) and Libraries (srv03) have every server in Wave 1 migrated.
    assert wave_1["applications_migrated"] == 2


def test_progress_is_kept_not_recounted_per_request(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load_estate(client, engine, settings)
    before = client.get("/api/v1/progress").json()
    with Session(engine) as session:
        session.execute(update(Server).values(migration_status=MigrationStatus.RETIRED))
        session.commit()

    kept = client.get("/api/v1/progress").json()
    refresh(engine, settings)
    after = client.get("/api/v1/progress").json()

    assert kept == before
    assert after["total"]["by_status"] == before["total"]["by_status"]
    assert after["refreshed_at"] > before["refreshed_at"]


def test_daily_snapshots_form_a_burn_down(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    start = datetime.now(UTC) - timedelta(days=3)
    records = [server(str(n), hostname=f"srv{n}", site="Civic Centre") for n in range(4)]
    scan_and_refresh(engine, settings, "cmdb", complete(records))
    client.post("/api/v1/waves", json={"name": "Wave 1"})
    client.post(
        "/api/v1/assignments",
        json={"assignments": [{"server": f"srv{n}", "wave": "Wave 1"} for n in range(4)]},
    )
    wave_id = client.get("/api/v1/waves").json()["items"][0]["id"]
    for day in range(3):
        live = [instance(f"i-{n}", f"srv{n}") for n in range(day + 1)]
        scan_and_refresh(engine, settings, "aws", complete(live, "111122223333/eu-west-2"), "aws")
        refresh(engine, settings, now=start + timedelta(days=day))

    series = client.get("/api/v1/progress/history").json()
    window = client.get(
        "/api/v1/progress/history",
        params={
            "from": str((start + timedelta(days=1)).date()),
            "to": str(start.date() + timedelta(days=1)),
        },
    ).json()
    wave = client.get("/api/v1/progress/history", params={"wave": wave_id}).json()

    days = [str((start + timedelta(days=d)).date()) for d in range(3)]
    today = str(datetime.now(UTC).date())
    assert [(d["day"], d["migrated"], d["remaining"]) for d in series] == [
        (days[0], 1, 3),
        (days[1], 2, 2),
        (days[2], 3, 1),
        (today, 3, 1),
    ]
    assert [d["day"] for d in window] == [days[1]]
    assert [d["remaining"] for d in wave] == [3, 2, 1, 1]
    assert (
        client.get("/api/v1/progress/history", params={"from": today, "to": days[0]}).status_code
        == 422
    )
