"""Writing plans: applications, waves, a server's plan and bulk assignment, each audited with
who, when, what (before and after) and the request id."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import Settings
from estate.status import Role
from tests.api.conftest import MakeClient
from tests.core.helpers import complete, server
from tests.migration.helpers import scan_and_refresh


def load(engine: Engine, settings: Settings) -> None:
    records = [
        server("1", hostname="nbc-app01", site="Civic Centre", applications=("Payroll",)),
        server("2", hostname="nbc-app02", site="Civic Centre"),
        server("3", hostname="nbc-db01.ad.example.gov.uk", site="Northgate"),
    ]
    scan_and_refresh(engine, settings, "cmdb", complete(records))


# A server's explanation before anything is known of its plan.
NO_FACTS = "no strategy, wave or migration facts yet"


def changes(client: TestClient, **params: str | int) -> list[tuple[object, ...]]:
    items = client.get("/api/v1/changes", params={"limit": 100, **params}).json()["items"]
    return sorted((c["entity_id"], c["field"], c["old"], c["new"], c["actor"]) for c in items)


def test_an_application_is_created_and_planned_and_its_servers_follow(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    infra = make_client(Role.INFRA)
    wave = infra.post(
        "/api/v1/waves",
        json={"name": "Wave 3", "planned_start": "2027-01-04", "planned_end": "2027-02-26"},
    ).json()

    created = infra.post("/api/v1/applications", json={"name": "Planning", "owner": "J Smith"})
    changed = infra.patch(
        "/api/v1/applications/1",
        json={"strategy": "replatform", "wave_id": wave["id"], "target_date": "2027-02-28"},
        headers={"X-Request-ID": "req-plan-1"},
    )

    assert created.status_code == 201
    assert (created.json()["name"], created.json()["owner"], created.json()["strategy"]) == (
        "Planning",
        "J Smith",
        None,
    )
    body = changed.json()
    assert (body["strategy"], body["wave"], body["target_date"], body["server_count"]) == (
        "replatform",
        "Wave 3",
        "2027-02-28",
        1,
    )
    detail = infra.get("/api/v1/servers/1").json()
    assert (detail["migration_status"], detail["effective_strategy"]) == ("planned", "replatform")
    assert detail["migration"]["wave"] == "Wave 3"
    assert changes(infra, request_id="req-plan-1") == [
        (1, "effective_strategy", None, "replatform", "infra-0"),
        (1, "effective_wave_id", None, wave["id"], "infra-0"),
        (1, "migration_status", "not-assessed", "planned", "infra-0"),
        (
            1,
            "migration_status_reason",
            NO_FACTS,
            "wave Wave 3 (from application Payroll)",
            "infra-0",
        ),
        (1, "strategy", None, "replatform", "infra-0"),
        (1, "target_date", None, "2027-02-28", "infra-0"),
        (1, "wave_id", None, wave["id"], "infra-0"),
    ]
    assert infra.get("/api/v1/waves").json()["items"][0]["servers"] == 1
    assert infra.get("/api/v1/applications", params={"wave": "Wave 3"}).json()["total"] == 1


def test_a_server_plan_overrides_its_application_and_is_audited(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    client.post("/api/v1/applications", json={"name": "Libraries"})

    response = client.patch(
        "/api/v1/servers/2",
        json={
            "applications": ["libraries"],
            "strategy_override": "retain",
            "notes": "kept for the archive",
            "status_override": "retired",
            "status_override_reason": "switched off in March",
        },
        headers={"X-Request-ID": "req-server-2"},
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["applications"], body["migration_status"], body["migration_status_reason"]) == (
        ["Libraries"],
        "retired",
        "set by hand: switched off in March",
    )
    assert body["migration"]["fact"] == "status_override"
    assert changes(client, request_id="req-server-2") == [
        (2, "applications", [], ["Libraries"], "admin-0"),
        (2, "effective_strategy", None, "retain", "admin-0"),
        (2, "migration_status", "not-assessed", "retired", "admin-0"),
        (2, "migration_status_reason", NO_FACTS, "set by hand: switched off in March", "admin-0"),
        (2, "notes", None, "kept for the archive", "admin-0"),
        (2, "status_override", None, "retired", "admin-0"),
        (2, "status_override_reason", None, "switched off in March", "admin-0"),
        (2, "strategy_override", None, "retain", "admin-0"),
    ]


def test_bad_plan_writes_are_refused_naming_the_field(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)

    no_reason = client.patch("/api/v1/servers/1", json={"status_override": "retired"})
    scanned = client.patch("/api/v1/servers/1", json={"applications": []})
    no_wave = client.patch("/api/v1/servers/1", json={"wave_id": 99})
    unknown_app = client.patch("/api/v1/servers/1", json={"applications": ["Nope"]})
    twice = client.post("/api/v1/applications", json={"name": "Payroll"})
    dates = client.post(
        "/api/v1/waves",
        json={"name": "W", "planned_start": "2027-02-01", "planned_end": "2027-01-01"},
    )
    missing = client.patch("/api/v1/applications/99", json={"owner": "x"})

    assert no_reason.status_code == 422
    assert (scanned.status_code, scanned.json()["detail"][0]["loc"]) == (
        422,
        ["body", "applications"],
    )
    assert "reported by a scanned source" in scanned.json()["detail"][0]["msg"]
    assert (no_wave.status_code, no_wave.json()["detail"][0]["loc"]) == (422, ["body", "wave_id"])
    assert unknown_app.json()["detail"][0]["msg"] == "no application named 'Nope'"
    assert (twice.status_code, dates.status_code, missing.status_code) == (409, 422, 404)
    assert changes(client) == []


def test_bulk_assignment_from_a_list_is_all_or_nothing(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    client.post("/api/v1/waves", json={"name": "Wave 1"})
    client.post("/api/v1/applications", json={"name": "Libraries"})

    refused = client.post(
        "/api/v1/assignments",
        json={
            "assignments": [
                {"server": "nbc-app01", "wave": "Wave 1"},
                {"server": "nbc-nope", "wave": "Wave 1"},
            ]
        },
    )
    done = client.post(
        "/api/v1/assignments",
        json={
            "assignments": [
                {"server": "NBC-APP01", "wave": "wave 1", "strategy": "rehost"},
                {"server": 2, "wave": "Wave 1", "applications": ["Libraries"]},
                {"server": "nbc-db01.ad.example.gov.uk", "strategy": "retire", "notes": "unused"},
            ]
        },
        headers={"X-Request-ID": "bulk-1"},
    )

    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "assignments", 1, "server"]
    assert done.json() == {"servers": 3, "request_id": "bulk-1"}
    listed = client.get("/api/v1/servers", params={"wave": "Wave 1"}).json()["items"]
    assert [(s["hostname"], s["migration_status"], s["applications"]) for s in listed] == [
        ("nbc-app01", "planned", ["Payroll"]),
        ("nbc-app02", "planned", ["Libraries"]),
    ]
    assert changes(client, request_id="bulk-1") == [
        (1, "effective_strategy", None, "rehost", "admin-0"),
        (1, "effective_wave_id", None, 1, "admin-0"),
        (1, "migration_status", "not-assessed", "planned", "admin-0"),
        (1, "migration_status_reason", NO_FACTS, "wave Wave 1 (from server)", "admin-0"),
        (1, "strategy_override", None, "rehost", "admin-0"),
        (1, "wave_id", None, 1, "admin-0"),
        (2, "applications", [], ["Libraries"], "admin-0"),
        (2, "effective_wave_id", None, 1, "admin-0"),
        (2, "migration_status", "not-assessed", "planned", "admin-0"),
        (2, "migration_status_reason", NO_FACTS, "wave Wave 1 (from server)", "admin-0"),
        (2, "wave_id", None, 1, "admin-0"),
        (3, "effective_strategy", None, "retire", "admin-0"),
        (3, "migration_status", "not-assessed", "retired", "admin-0"),
        (3, "migration_status_reason", NO_FACTS, "strategy retire (from server)", "admin-0"),
        (3, "notes", None, "unused", "admin-0"),
        (3, "strategy_override", None, "retire", "admin-0"),
    ]


def test_bulk_assignment_from_a_csv_file(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    client.post("/api/v1/waves", json={"name": "Wave 2"})
    csv_file = (
        "Server,Wave,Strategy,Applications,Notes\r\n"
        "nbc-app01,Wave 2,rehost,,\r\n"
        "3,Wave 2,-,Payroll,first in\r\n"
    )
    bad_row = "server,strategy\nnbc-app02,lift-and-shift\n"

    done = client.post(
        "/api/v1/assignments/csv", content=csv_file, headers={"Content-Type": "text/csv"}
    )
    refused = client.post("/api/v1/assignments/csv", content=bad_row)
    unknown = client.post("/api/v1/assignments/csv", content="server,colour\nnbc-app01,red\n")

    assert done.json()["servers"] == 2
    db = client.get("/api/v1/servers/3").json()
    assert (db["applications"], db["notes"], db["effective_strategy"]) == (
        ["Payroll"],
        "first in",
        None,
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "csv", 2, "strategy"]
    assert unknown.json()["detail"][0]["msg"].startswith("unknown column 'colour'")


def test_a_nul_in_a_query_is_refused_alike_on_every_database(client: TestClient) -> None:
    answers = [
        client.get("/api/v1/servers", params={"q": "nbc\x00"}),
        client.get("/api/v1/applications", params={"criticality": "\x00"}),
    ]

    assert [r.status_code for r in answers] == [422, 422]
    assert answers[0].json()["detail"][0]["msg"] == "NUL characters are not allowed"


def test_a_csv_upload_with_a_cell_past_csvs_own_limit_is_refused_naming_its_cell(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    upload = f"server,notes\nnbc-app01,short\nnbc-app02,{'n' * 200_000}\n"

    refused = client.post(
        "/api/v1/assignments/csv", content=upload, headers={"Content-Type": "text/csv"}
    )

    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "csv", 3, "notes"]
    assert refused.json()["detail"][0]["msg"].startswith("row 3: ")
    assert "at most 10000" in refused.json()["detail"][0]["msg"]
