"""POST /api/v1/scans queues a request that a scheduler runs; /ready and /metrics."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from estate.config import DatabaseSettings, Settings
from estate.status import Role
from scanners.scheduler import Jobs
from tests.api.conftest import MakeClient
from tests.peers import free_port
from tests.scheduling.sources import servers_source


def test_a_requested_scan_is_queued_then_run_by_the_scheduler(
    engine: Engine, settings: Settings, make_client: MakeClient, tmp_path: Path
) -> None:
    settings.sources = [servers_source(tmp_path)]
    infra = make_client(Role.INFRA)

    queued = infra.post("/api/v1/scans", json={"source": "servers"})

    assert queued.status_code == 202
    body = queued.json()
    assert (body["source"], body["status"], body["requested_by"]) == (
        "servers",
        "queued",
        "infra-0",
    )
    assert body["request_id"] == queued.headers["X-Request-ID"]
    assert body["scan_run_id"] is None

    Jobs(engine, settings).scan_requests()

    done = infra.get(f"/api/v1/scans/requests/{body['id']}").json()
    assert done["status"] == "done" and done["finished_at"] is not None
    run = infra.get(f"/api/v1/scans/{done['scan_run_id']}").json()
    assert (run["source"], run["status"], run["added"]) == ("servers", "ok", 2)
    listed = infra.get("/api/v1/scans/requests", params={"status": "done"}).json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]


def test_an_unknown_source_is_a_422_naming_source(
    settings: Settings, client: TestClient, tmp_path: Path
) -> None:
    settings.sources = [servers_source(tmp_path)]

    response = client.post("/api/v1/scans", json={"source": "nope"})

    assert response.status_code == 422
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", "source"]
    assert detail["msg"] == "no source named 'nope' (known: servers)"


def test_only_roles_that_may_scan_may_ask(
    settings: Settings, make_client: MakeClient, tmp_path: Path
) -> None:
    settings.sources = [servers_source(tmp_path)]

    viewer = make_client(Role.VIEWER).post("/api/v1/scans", json={"source": "servers"})
    anonymous = make_client(None).post("/api/v1/scans", json={"source": "servers"})

    assert (viewer.status_code, anonymous.status_code) == (403, 401)
    assert viewer.json()["detail"][0]["msg"] == "the viewer role may not scan"


def test_ready_when_the_database_is_at_head(client: TestClient) -> None:
    assert client.get("/ready").json() == {"status": "ready"}


def test_not_ready_when_the_database_is_unreachable() -> None:
    url = f"postgresql://estate@127.0.0.1:{free_port()}/estate"
    app = create_app(Settings(database=DatabaseSettings(url=url)))

    response = TestClient(app).get("/ready")

    assert response.status_code == 503
    assert response.json()["reason"] == "database unreachable: OperationalError"


def test_not_ready_before_the_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app(Settings(database=DatabaseSettings(url=url)))

    response = TestClient(app).get("/ready")

    assert response.status_code == 503
    assert "not at the latest migration" in response.json()["reason"]


def test_metrics_show_scan_counts_outbox_depth_and_request_latency(
    engine: Engine, settings: Settings, client: TestClient, tmp_path: Path
) -> None:
    settings.sources = [servers_source(tmp_path)]
    jobs = Jobs(engine, settings)
    jobs.run_scan("servers")
    jobs.run_scan("servers")
    client.get("/api/v1/servers")
    client.get("/api/v1/scans/1")

    text = client.get("/metrics").text

    assert 'estate_scan_runs_total{source="servers",status="ok"} 2.0' in text
    assert 'estate_outbox_messages{status="pending"} 0.0' in text
    assert "estate_scan_requests_queued 0.0" in text
    assert 'estate_scan_duration_seconds_count{source="servers",status="ok"}' in text
    assert (
        'estate_http_request_duration_seconds_count{method="GET",route="/api/v1/servers",'
        'status="200"}' in text
    )
    assert (
        'estate_http_request_duration_seconds_count{method="GET",route="/api/v1/scans/{run_id}",'
        'status="200"}' in text
    )
    assert "estate_database_up 1.0" in text
