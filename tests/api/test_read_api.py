from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import Settings
from estate.inventory.records import ServerRecord
from tests.core.helpers import complete, scan, server


def app01(**fields: Any) -> ServerRecord:
    """The CMDB's physical server nbc-app01 as every scan here gives it, plus `fields`."""
    return server(
        "1", hostname="nbc-app01", serial="S1", kind="physical", site="Civic Centre", **fields
    )


def web01(**fields: Any) -> ServerRecord:
    """The CMDB's VM nbc-web01 on nbc-app01 as every scan here gives it, plus `fields`."""
    return server(
        "3", hostname="nbc-web01", kind="virtual", site="Civic Centre", host="nbc-app01", **fields
    )


def load(engine: Engine, settings: Settings) -> None:
    scan(
        engine,
        settings,
        "cmdb",
        complete(
            [
                app01(os_name="Windows Server 2019", applications=("Payroll",)),
                server(
                    "2",
                    hostname="nbc-db01",
                    serial="S2",
                    kind="physical",
                    site="Northgate Data Centre",
                    os_name="Red Hat Enterprise Linux 8",
                ),
                web01(os_name="Ubuntu 22.04"),
            ]
        ),
    )


def test_health_is_open(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_servers_filter_sort_and_page(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)

    body = client.get(
        "/api/v1/servers", params={"site": "civic centre", "sort": "-hostname", "limit": 1}
    ).json()

    assert (body["total"], body["limit"], body["offset"]) == (2, 1, 0)
    assert [(s["hostname"], s["site"]) for s in body["items"]] == [("nbc-web01", "Civic Centre")]


def test_servers_filter_by_kind_os_application_and_text(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)

    def hostnames(**params: str) -> list[str]:
        return [s["hostname"] for s in client.get("/api/v1/servers", params=params).json()["items"]]

    assert hostnames(kind="virtual") == ["nbc-web01"]
    assert hostnames(os="linux") == ["nbc-db01"]
    assert hostnames(application="payroll") == ["nbc-app01"]
    assert hostnames(q="DB") == ["nbc-db01"]
    assert hostnames(status="missing") == []


def test_server_detail_has_observations_history_host_and_applications(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    scan(engine, settings, "cmdb", complete([web01(os_name="Ubuntu 24.04")]))

    web = client.get("/api/v1/servers/3").json()
    app = client.get("/api/v1/servers/1").json()

    assert web["host"] == {"id": 1, "hostname": "nbc-app01"}
    assert [(o["source"], o["external_id"], o["missing_since"]) for o in web["observations"]] == [
        ("cmdb", "3", None)
    ]
    assert [(c["field"], c["old"], c["new"]) for c in web["changes"]] == [
        ("os_name", "Ubuntu 22.04", "Ubuntu 24.04")
    ]
    assert app["applications"] == ["Payroll"]
    assert app["status"] == "missing"
    assert app["missing_since"] is not None


def test_bad_parameters_are_422_naming_the_parameter(client: TestClient) -> None:
    too_many = client.get("/api/v1/servers", params={"limit": 5000})
    bad_sort = client.get("/api/v1/devices", params={"sort": "password"})
    bad_status = client.get("/api/v1/servers", params={"status": "exploded"})
    bad_site = client.get("/api/v1/servers", params={"site": "Atlantis"})
    bad_offset = client.get("/api/v1/workloads", params={"offset": -1})

    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "limit"]
    assert "1000" in too_many.json()["detail"][0]["msg"]
    assert [r.status_code for r in (bad_sort, bad_status, bad_site, bad_offset)] == [422] * 4
    assert [
        r.json()["detail"][0]["loc"][1] for r in (bad_sort, bad_status, bad_site, bad_offset)
    ] == ["sort", "status", "site", "offset"]


def test_unknown_ids_are_404(client: TestClient) -> None:
    paths = [
        "/api/v1/servers/999",
        "/api/v1/devices/999",
        "/api/v1/workloads/999",
        "/api/v1/scans/999",
    ]
    assert [client.get(p).status_code for p in paths] == [404] * 4
    assert client.get("/api/v1/servers/abc").status_code == 422


def test_scans_and_changes_are_listed_newest_first(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    # A second scan with nbc-app01 alone: the other two go missing, its cores are added and
    # its os_name cleared.
    scan(engine, settings, "cmdb", complete([app01(cpu_cores=8)]))

    scans = client.get("/api/v1/scans").json()
    changes = client.get("/api/v1/changes", params={"entity_kind": "server", "entity_id": 1}).json()

    assert [(s["id"], s["status"], s["added"], s["missing"]) for s in scans["items"]] == [
        (2, "ok", 0, 2),
        (1, "ok", 3, 0),
    ]
    assert {(c["field"], c["scan_run_id"]) for c in changes["items"]} >= {
        ("cpu_cores", 2),
        ("os_name", 2),
    }
