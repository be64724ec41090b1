"""Hosting per site: on site now against the baseline day, and month by month."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import MigrationSettings, Settings
from estate.inventory.records import NetworkDeviceRecord, ServerRecord
from estate.status import ServerKind
from tests.core.helpers import complete, server
from tests.migration.helpers import HOSTING_FIGURES, refresh, scan_and_refresh

CIVIC, DEPOT = "Civic Centre", "Depot"


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def esx_host(n: int, watts: float) -> ServerRecord:
    """VM host n: a 2U physical server in Civic Centre's room B1, rack R1."""
    return server(
        f"h{n}",
        hostname=f"esx0{n}",
        serial=f"H{n}",
        kind="physical",
        site=CIVIC,
        room="B1",
        rack="R1",
        rack_units=2,
        power_watts=watts,
    )


def estate(*, with_db: bool = True) -> list[object]:
    records = [
        esx_host(1, 450.0),
        esx_host(2, 450.5),
        server("v1", hostname="vm01", kind="virtual", site=CIVIC, host="esx01"),
        server("v2", hostname="vm02", kind="virtual", site=CIVIC, host="esx01"),
        server(
            "p1",
            hostname="depot01",
            kind="physical",
            site=DEPOT,
            room="Store",
            rack="R1",
            rack_units=1,
        ),
    ]
    if with_db:
        records.append(
            server(
                "p2",
                hostname="db01",
                kind="physical",
                site=CIVIC,
                room="B2",
                rack="R1",
                rack_units=4,
                power_watts=800.0,
            )
        )
    ap = NetworkDeviceRecord(
        external_id="ap1", scope="file", name="ap-civic", site=CIVIC, device_class="wireless-ap"
    )
    switch = NetworkDeviceRecord(
        external_id="sw1", scope="file", name="sw-civic", site=CIVIC, device_class="switch"
    )
    return [*records, ap, switch]


def test_hosting_now_against_the_baseline_and_by_month(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    settings.migration = MigrationSettings(baseline_date=date(2026, 4, 1))
    settings.ingest.grace_days = 0  # a server no source sees is gone at once
    # Watts as the sources give them: no default for a server that gives none (tested below).
    settings.outcomes.default_watts = {ServerKind.PHYSICAL: 0.0}
    scan_and_refresh(engine, settings, "cmdb", complete(estate()))  # type: ignore[arg-type]
    for day in (date(2026, 3, 15), date(2026, 3, 31), date(2026, 5, 2)):
        refresh(engine, settings, now=at(day))
    scan_and_refresh(engine, settings, "cmdb", complete(estate(with_db=False)))  # type: ignore[arg-type]
    sites = {s["name"]: s["id"] for s in client.get("/api/v1/sites").json()["items"]}

    civic = client.get(f"/api/v1/sites/{sites[CIVIC]}/hosting").json()
    depot = client.get(f"/api/v1/sites/{sites[DEPOT]}/hosting").json()

    today = str(datetime.now(UTC).date())
    assert [civic["now"][f] for f in HOSTING_FIGURES] == [4, 2, 2, 1, 1, 4, 900.5, 1]
    assert (civic["now"]["on"], civic["baseline"]["on"]) == (today, "2026-03-31")
    assert [civic["baseline"][f] for f in HOSTING_FIGURES] == [5, 3, 2, 1, 2, 8, 1700.5, 1]
    assert civic["difference"]["rack_units"] == -4
    assert [m["on"] for m in civic["months"]] == ["2026-03-31", "2026-05-02", today]
    assert [depot["now"][f] for f in HOSTING_FIGURES] == [1, 1, 0, 0, 1, 1, 0.0, None]
    assert depot["difference"]["access_points"] is None
    assert client.get("/api/v1/sites/999/hosting").status_code == 404


def test_energy_cost_and_carbon_follow_the_watts_and_the_configured_factors(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    settings.migration = MigrationSettings(baseline_date=date(2026, 4, 1))
    settings.outcomes.electricity_price_per_kwh = 0.30
    settings.outcomes.grid_intensity_kg_per_kwh = 0.2
    settings.ingest.grace_days = 0
    scan_and_refresh(engine, settings, "cmdb", complete(estate()))  # type: ignore[arg-type]
    refresh(engine, settings, now=at(date(2026, 3, 31)))
    scan_and_refresh(engine, settings, "cmdb", complete(estate(with_db=False)))  # type: ignore[arg-type]
    sites = {s["name"]: s["id"] for s in client.get("/api/v1/sites").json()["items"]}

    civic = client.get(f"/api/v1/sites/{sites[CIVIC]}/hosting").json()
    depot = client.get(f"/api/v1/sites/{sites[DEPOT]}/hosting").json()

    def energy(watts: float) -> list[float]:
        kwh = watts * 8760 / 1000
        return [round(kwh, 1), round(kwh * 0.30, 2), round(kwh * 0.2 / 1000, 3)]

    fields = ("kwh_per_year", "cost_per_year", "tco2e_per_year")
    now, then = civic["now"], civic["baseline"]
    # db01 (800 W) has left.
    assert (now["watts"], then["watts"]) == (900.5, 1700.5)
    for figures in (now, then, *civic["months"]):
        assert [figures[f] for f in fields] == energy(figures["watts"])
    assert [civic["difference"][f] for f in fields] == energy(-800.0)
    # The depot's server gives no watts: the default for a physical server (350 W) counts.
    assert (depot["now"]["watts"], depot["now"]["kwh_per_year"]) == (350.0, 3066.0)
