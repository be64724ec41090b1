"""Decommission: candidates with evidence, reviews and removal, and the exports for the
capital assets team with formula cells neutralised."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session

from estate.config import Settings
from estate.history.changelog import Actor
from estate.migration import decommission
from estate.status import DecommissionDecision
from tests.core.helpers import complete, server
from tests.migration.helpers import instance, scan_and_refresh

HOSTILE = '=HYPERLINK("http://x","y")'
LAUNCHED = datetime.now(UTC) - timedelta(days=30)


def load(client: TestClient, engine: Engine, settings: Settings) -> None:
    """srv1 migrated and off; a hostile host name, retired and off; srv3 retired, still on."""
    records = [
        server(
            "1",
            hostname="srv1",
            serial="S1",
            asset_tag="NBC-1",
            site="Civic Centre",
            room="B1",
            rack="R4",
            rack_unit=12,
            power_watts=310.0,
            power_state="off",
            applications=("Payroll",),
        ),
        server("2", hostname=HOSTILE, serial="-2+3", asset_tag="@SUM(A1)", power_state="off"),
        server("3", hostname="srv3", power_state="on"),
    ]
    scan_and_refresh(engine, settings, "cmdb", complete(records))
    scan_and_refresh(
        engine,
        settings,
        "aws",
        complete([instance("i-1", "srv1", launched_at=LAUNCHED)], "111122223333/eu-west-2"),
        "aws",
    )
    client.post(
        "/api/v1/assignments",
        json={
            "assignments": [
                {"server": 2, "strategy": "retire"},
                {"server": 3, "strategy": "retire"},
            ]
        },
    )


def test_candidates_carry_their_evidence(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(client, engine, settings)

    page = client.get("/api/v1/decommission/candidates").json()

    assert page["total"] == 2
    assert [(c["server_id"], c["evidence"]) for c in page["items"]] == [
        (
            1,
            [
                f"linked workload srv1 running since {LAUNCHED:%Y-%m-%d} (30 days)",
                "on-premise server powered off",
            ],
        ),
        (2, ["strategy retire (from server)", "on-premise server powered off"]),
    ]
    assert page["items"][0]["applications"] == ["Payroll"]


def record_removal(client: TestClient, server_id: int, removed_on: str) -> Response:
    """Record the server's removal on the day, with disposal and sanitisation references."""
    body = {"removed_on": removed_on, "disposal_reference": "D", "data_sanitisation_reference": "S"}
    return client.post(f"/api/v1/decommission/{server_id}/complete", json=body)


def test_reviews_reject_defer_and_approve_then_completion(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(client, engine, settings)

    not_candidate = client.post("/api/v1/decommission/3/review", json={"decision": "approve"})
    early = record_removal(client, 1, "2026-11-01")
    rejected = client.post(
        "/api/v1/decommission/1/review", json={"decision": "reject", "note": "still in use"}
    )
    deferred = client.post("/api/v1/decommission/2/review", json={"decision": "defer"})
    approved = client.post("/api/v1/decommission/1/review", json={"decision": "approve"})
    future = record_removal(client, 1, "2999-01-01")

    assert (not_candidate.status_code, early.status_code, future.status_code) == (409, 409, 422)
    assert (rejected.json()["migration_status"], rejected.json()["decision"]) == (
        "migrated",
        "reject",
    )
    assert (deferred.json()["migration_status"], deferred.json()["decision"]) == (
        "decommission-candidate",
        "defer",
    )
    assert approved.json()["migration_status"] == "decommission-approved"
    decided = client.get("/api/v1/decommission/candidates", params={"decision": "approve"}).json()
    assert [c["server_id"] for c in decided["items"]] == [1]
    history = client.get(
        "/api/v1/changes", params={"entity_id": 1, "field": "decommission_decision"}
    )
    assert [(c["old"], c["new"]) for c in history.json()["items"]] == [
        ("reject", "approve"),
        (None, "reject"),
    ]


def test_exports_neutralise_formulas(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(client, engine, settings)

    xlsx = client.get("/api/v1/decommission/candidates", params={"format": "xlsx"})
    as_csv = client.get("/api/v1/decommission/candidates", params={"format": "csv"})

    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    cells = {c.coordinate: c for row in sheet.iter_rows() for c in row}
    assert rows[0][:4] == ("Hostname", "Serial", "Asset tag", "Site")
    assert rows[2][:3] == ("'" + HOSTILE, "'-2+3", "'@SUM(A1)")
    assert cells["A3"].data_type == "s"
    assert rows[1][:9] == ("srv1", "S1", "NBC-1", "Civic Centre", "B1", "R4", 12, None, 310.0)
    assert all(c.data_type != "f" for c in cells.values())
    assert as_csv.headers["content-disposition"] == (
        'attachment; filename="decommission-candidates.csv"'
    )
    parsed = list(csv.reader(io.StringIO(as_csv.text)))
    assert parsed[2][:3] == ["'" + HOSTILE, "'-2+3", "'@SUM(A1)"]
    assert parsed[1][9:12] == [
        "Payroll",
        "decommission-candidate",
        f"linked workload srv1 running since {LAUNCHED:%Y-%m-%d} (30 days); "
        "on-premise server powered off",
    ]


def test_a_round_of_reviews_and_removals_refreshes_once_with_the_same_outcome(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(client, engine, settings)
    actor = Actor("capital-assets", "round")
    removal = decommission.CompleteIn(
        removed_on=date(2026, 11, 1), disposal_reference="D", data_sanitisation_reference="S"
    )

    with Session(engine) as session:
        first = decommission.review_many(
            session,
            settings,
            actor,
            [
                (1, decommission.ReviewIn(decision=DecommissionDecision.APPROVE)),
                (2, decommission.ReviewIn(decision=DecommissionDecision.DEFER, note="later")),
            ],
            date(2026, 11, 1),
        )
        second = decommission.review_many(
            session, settings, actor, [(1, removal)], date(2026, 11, 1)
        )
        nothing = decommission.review_many(session, settings, actor, [], date(2026, 11, 1))
        session.commit()

    page = client.get("/api/v1/decommission/candidates").json()
    progress = client.get("/api/v1/progress").json()
    assert (first, second, nothing) == (2, 1, 0)
    assert [(c["server_id"], c["migration_status"], c["decision"]) for c in page["items"]] == [
        (1, "decommissioned", "approve"),
        (2, "decommission-candidate", "defer"),
    ]
    assert progress["total"]["by_status"]["decommissioned"] == 1
    moves = client.get("/api/v1/changes", params={"entity_id": 1, "field": "migration_status"})
    assert [(c["new"], c["actor"]) for c in moves.json()["items"]][:2] == [
        ("decommissioned", "capital-assets"),
        ("decommission-approved", "capital-assets"),
    ]
