"""End to end: Intune (Graph peer), Active Directory (slapd) and the asset register (kind cmdb)
run through `run_source` into one devices row per machine, then replacement and forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from estate.config import Settings, SourceConfig
from estate.devices.forecast import DeviceFilter, forecast
from estate.devices.policy import Policy
from estate.devices.store import refresh_replacement
from estate.models.device import Device
from scanners.runner import run_source
from tests.devices.conftest import Directory
from tests.devices.graph_peer import CLIENT_ID, SECRET, TENANT, GraphPeer
from tests.devices.test_ldap import DEPARTMENTS

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 11, 25)


def sources(graph: GraphPeer, directory: Directory) -> list[SourceConfig]:
    return [
        SourceConfig(
            name="intune",
            kind="intune",
            options={
                "tenant_id": TENANT,
                "client_id": CLIENT_ID,
                "client_secret_env": "ESTATE_TEST_GRAPH_SECRET",
                "graph_url": graph.base_url,
                "authority_url": graph.base_url,
            },
        ),
        SourceConfig(
            name="ad",
            kind="ldap",
            options={
                "url": directory.url,
                "base_dn": directory.base_dn,
                "bind_dn": directory.bind_dn,
                "password_env": "ESTATE_TEST_LDAP_PASSWORD",
                "page_size": 2,
                "departments": DEPARTMENTS,
            },
        ),
        SourceConfig(
            name="asset-register",
            kind="cmdb",
            options={"path": str(DATA / "asset_register.csv"), "entity": "device"},
        ),
    ]


@pytest.mark.parametrize(
    "order", [("intune", "ad", "asset-register"), ("asset-register", "ad", "intune")]
)
def test_three_sources_reconcile_to_one_row_per_machine(
    engine: Engine,
    settings: Settings,
    graph: GraphPeer,
    directory: Directory,
    monkeypatch: pytest.MonkeyPatch,
    order: tuple[str, ...],
) -> None:
    monkeypatch.setenv("ESTATE_TEST_GRAPH_SECRET", SECRET)
    monkeypatch.setenv("ESTATE_TEST_LDAP_PASSWORD", directory.password)
    settings = settings.model_copy(update={"sources": sources(graph, directory)})

    runs = [run_source(engine, settings, name) for name in order]

    assert [(r.source, r.status, r.errors) for r in runs] == [(n, "ok", []) for n in order]
    with Session(engine) as session:
        devices = {d.hostname: d for d in session.execute(select(Device)).scalars()}
    assert sorted(devices) == [
        "CPC-dpatel-7Q2X", "LT-0003", "LT-0008", "PC-0001", "PC-0002", "PC-0004", "PC-0006",
        "PC-0007", "TC-0005", "iPhone",
    ]  # fmt: skip
    pc = devices["PC-0001"]
    assert (pc.serial, pc.asset_tag, pc.device_type, pc.department) == (
        "5CG1234ABC", "AT-0001", "desktop", "Finance",
    )  # fmt: skip
    assert (pc.os_name, pc.os_version, pc.compliance_state) == (
        "Windows", "10.0.22631.4460", "compliant",
    )  # fmt: skip
    assert (pc.purchased_on, pc.purchase_cost, pc.warranty_expires_on) == (
        date(2021, 3, 15), 650.0, date(2024, 3, 14),
    )  # fmt: skip
    assert pc.last_seen_at == datetime(2026, 11, 24, 8, 12, 45, 123456, tzinfo=UTC)
    assert pc.enrolled_at == datetime(2023, 10, 2, 9, 30, tzinfo=UTC)
    assert devices["LT-0003"].memory_gb == 16.0
    assert (devices["TC-0005"].device_type, devices["TC-0005"].os_name) == (
        "thin-client", "Windows 10 IoT Enterprise LTSC",
    )  # fmt: skip
    assert devices["PC-0002"].assigned_to is None
    assert devices["PC-0006"].department == "Finance"


def test_replacement_and_forecast_after_ingest(
    engine: Engine,
    settings: Settings,
    graph: GraphPeer,
    directory: Directory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESTATE_TEST_GRAPH_SECRET", SECRET)
    monkeypatch.setenv("ESTATE_TEST_LDAP_PASSWORD", directory.password)
    settings = settings.model_copy(update={"sources": sources(graph, directory)})
    for name in ("intune", "ad", "asset-register"):
        run_source(engine, settings, name)
    policy = Policy.from_settings()

    with Session(engine) as session:
        refresh_replacement(session, policy, TODAY)
        session.commit()
        devices = {d.hostname: d for d in session.execute(select(Device)).scalars()}
        result = forecast(session, DeviceFilter(department="Housing"), policy.settings)

    due = {
        name: (d.replacement_due_on, [r["rule"] for r in d.replacement_reasons or []])
        for name, d in devices.items()
    }
    assert due["PC-0001"] == (date(2024, 3, 14), ["warranty", "lifespan", "os-end-of-support"])
    assert due["PC-0002"] == (date(2023, 4, 30), ["warranty", "lifespan", "os-end-of-support"])
    assert due["LT-0008"] == (date(2027, 2, 28), ["warranty", "lifespan"])
    assert due["TC-0005"] == (date(2029, 6, 1), ["lifespan", "os-end-of-support"])
    # Housing: PC-0002 (2023/24 Q1, £720), TC-0005 (2029/30 Q1, £310), LT-0008 (2026/27 Q4,
    # £980). PC-0007 is in Housing only by its OU, which the register does not know of.
    assert [(r.financial_year, r.quarter, r.count, r.cost) for r in result.rows] == [
        ("2023/24", "Q1", 1, 720.0),
        ("2026/27", "Q4", 1, 980.0),
        ("2029/30", "Q1", 1, 310.0),
    ]
