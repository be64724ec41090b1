from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import get_args

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from estate.config import Settings, SourceConfig
from estate.devices.policy import RULES
from estate.inventory.records import DeviceRecord
from estate.status import ReplacementRule as Rule
from estate.status import Role
from scanners.runner import run_source
from tests.api.conftest import MakeClient
from tests.core.helpers import complete, scan

TODAY = date.today()


def device(tag: str, **fields: object) -> DeviceRecord:
    return DeviceRecord(external_id=tag, scope="file", asset_tag=tag, **fields)  # type: ignore[arg-type]


def load(engine: Engine, settings: Settings) -> None:
    from estate.db import session_scope
    from estate.refresh import refresh_derived

    scan(
        engine,
        settings,
        "register",
        complete(
            [
                device(
                    "A1",
                    device_type="laptop",
                    department="Planning",
                    purchased_on=date(2019, 5, 1),
                    purchase_cost=900.0,
                    hostname='=HYPERLINK("http://x","y")',
                    assigned_to="jo@example.gov.uk",
                ),
                device(
                    "A2",
                    device_type="laptop",
                    department="Planning",
                    purchased_on=date(TODAY.year, 1, 10),
                    purchase_cost=1000.0,
                ),
                device(
                    "A3",
                    device_type="desktop",
                    department="Housing",
                    purchased_on=date(2018, 6, 1),
                    purchase_cost=600.0,
                    os_name="Windows 10",
                    os_version="22H2",
                ),
                device("A4", device_type="phone", department="Housing"),
            ]
        ),
    )
    with session_scope(engine) as session:
        refresh_derived(session, settings, TODAY)


def test_the_reason_filter_knows_every_rule() -> None:
    assert set(get_args(Rule)) == set(RULES)


def test_devices_filter_by_due_reason_department_and_type(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)

    def tags(**params: str) -> list[str]:
        body = client.get("/api/v1/devices", params={"sort": "asset_tag", **params})
        assert body.status_code == 200, body.text
        return [d["asset_tag"] for d in body.json()["items"]]

    assert tags(due="true") == ["A1", "A3"]
    assert tags(due="false") == ["A2", "A4"]
    assert tags(reason="os-end-of-support") == ["A3"]
    assert tags(reason="lifespan", department="Planning") == ["A1", "A2"]
    assert tags(device_type="desktop") == ["A3"]
    assert tags(due_before="2020-01-01") == []
    assert client.get("/api/v1/devices", params={"reason": "vibes"}).status_code == 422


def test_forecast_sums_equal_the_filtered_list(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)

    for params in (
        {},
        {"department": "Planning"},
        {"device_type": "desktop"},
        {"due_from": "2023-04-01", "due_before": "2030-04-01"},
    ):
        forecast = client.get("/api/v1/devices/replacement-forecast", params=params).json()
        listed = client.get("/api/v1/devices", params={**params, "limit": 1000}).json()
        dated = [d for d in listed["items"] if d["replacement_due_on"]]
        assert forecast["count"] == len(dated), params
        assert sum(r["count"] for r in forecast["rows"]) == len(dated)


def test_xlsx_and_csv_exports_open_and_neutralise_formulas(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    viewer, admin = make_client(Role.VIEWER), make_client(Role.ADMIN)

    xlsx = viewer.get("/api/v1/devices", params={"format": "xlsx", "sort": "asset_tag"})
    csv_text = viewer.get("/api/v1/devices", params={"format": "csv"}).text
    admin_csv = admin.get("/api/v1/devices", params={"format": "csv"}).text

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["Host name"] == '\'=HYPERLINK("http://x","y")'
    assert sheet.max_row == 5
    assert "Assigned to" not in header and "jo@example" not in csv_text
    assert "Assigned to" in admin_csv and "jo@example.gov.uk" in admin_csv


def test_a_register_scan_sets_replacement_dates(
    client: TestClient, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    register = tmp_path / "register.csv"
    register.write_text("Asset Tag,Device Type,Purchase Date\nNBC-1,Laptop,29/02/2020\n")
    options = {"path": str(register), "entity": "device"}
    settings.sources = [SourceConfig(name="register", kind="cmdb", options=options)]

    run_source(engine, settings, "register")

    only = client.get("/api/v1/devices").json()["items"][0]
    assert only["replacement_due_on"] == "2024-02-29"
    assert [r["rule"] for r in only["replacement_reasons"]] == ["lifespan"]


def test_an_override_date_wins_and_disposal_forgets_who_held_it(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    infra, assets, admin = (
        make_client(Role.INFRA),
        make_client(Role.ASSETS),
        make_client(Role.ADMIN),
    )

    override = infra.patch("/api/v1/devices/1", json={"replacement_override_on": "2031-03-31"})
    refused = infra.patch("/api/v1/devices/1", json={"disposed_on": "2026-01-05"})
    disposed = assets.patch("/api/v1/devices/1", json={"disposed_on": "2026-01-05"})
    bad = assets.patch("/api/v1/devices/1", json={"colour": "red"})

    assert override.status_code == 200, override.text
    assert (override.json()["replacement_due_on"], override.json()["replacement_explicit"]) == (
        "2031-03-31",
        True,
    )
    assert refused.status_code == 403
    assert disposed.status_code == 200
    assert bad.status_code == 422
    detail = admin.get("/api/v1/devices/1").json()
    assert (detail["disposed_on"], detail["assigned_to"]) == ("2026-01-05", None)
    changes = admin.get("/api/v1/changes", params={"entity_kind": "device", "entity_id": 1}).json()[
        "items"
    ]
    assert {(c["field"], c["actor"]) for c in changes} >= {
        ("replacement_override_on", "infra-0"),
        ("disposed_on", "assets-1"),
    }
    assert "jo@example" not in admin.get("/api/v1/changes").text


def test_devices_filter_by_windows11_readiness_and_the_forecast_counts_it(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    from estate.db import session_scope
    from estate.refresh import refresh_derived

    windows = {"os_name": "Windows 10", "os_version": "22H2"}
    records = [
        device("W1", cpu_model="Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz", **windows),
        device("W2", cpu_model="Intel(R) Core(TM) i5-7300U CPU @ 2.60GHz", **windows),
        device("W3", **windows),
        device("P1", os_name="iOS", cpu_model="Apple A15"),
    ]
    scan(engine, settings, "register", complete(records))
    with session_scope(engine) as session:
        refresh_derived(session, settings, TODAY)

    def tags(**params: str) -> list[tuple[str, str | None, bool | None]]:
        body = client.get("/api/v1/devices", params={"sort": "asset_tag", **params})
        assert body.status_code == 200, body.text
        return [
            (d["asset_tag"], d["cpu_model"], d["windows11_ready"]) for d in body.json()["items"]
        ]

    assert tags(windows11_ready="true") == [
        ("W1", "Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz", True)
    ]
    assert tags(windows11_ready="false") == [
        ("W2", "Intel(R) Core(TM) i5-7300U CPU @ 2.60GHz", False)
    ]
    assert [t[2] for t in tags()] == [None, True, False, None]
    w2 = client.get("/api/v1/devices", params={"q": "W2"}).json()["items"][0]["id"]
    detail = client.get(f"/api/v1/devices/{w2}").json()
    assert detail["windows11_ready"] is False
    forecast = client.get("/api/v1/devices/replacement-forecast").json()
    assert forecast["windows11"] == {"ready": 1, "not_ready": 1, "unknown": 1}
    # As at today, from the change log: the same answers.
    assert tags(windows11_ready="false", as_at=TODAY.isoformat()) == [
        ("W2", "Intel(R) Core(TM) i5-7300U CPU @ 2.60GHz", False)
    ]
    then = client.get("/api/v1/devices/replacement-forecast", params={"as_at": TODAY.isoformat()})
    assert then.json()["windows11"] == {"ready": 1, "not_ready": 1, "unknown": 1}
