"""Every count of GET /progress and GET /sites/{id}/hosting links to a list whose total is the
count: live, and as at a past day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import Settings
from estate.inventory.records import NetworkDeviceRecord
from tests.core.helpers import complete, scan, server
from tests.migration.helpers import scan_and_refresh
from tests.migration.test_progress import load_estate

LONDON = ZoneInfo("Europe/London")
FIRST = date(2026, 3, 2)
INFRA = {
    "h1": {"hostname": "esx01", "kind": "physical", "serial": "H1", "site": "Civic Centre",
           "rack": "R1", "rack_units": 2, "power_watts": 400.0},
    "h2": {"hostname": "esx02", "kind": "physical", "serial": "H2", "site": "Civic Centre",
           "rack": "R2", "rack_units": 1},
    "vm1": {"hostname": "vm01", "kind": "virtual", "host": "H1", "site": "Civic Centre"},
    "vm2": {"hostname": "vm02", "kind": "virtual", "host": "H1", "site": "Civic Centre"},
    "vm3": {"hostname": "vm03", "kind": "virtual", "host": "H2", "site": "Civic Centre"},
}  # fmt: skip


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=LONDON)


def build(client: TestClient, engine: Engine, settings: Settings) -> None:
    """load_estate's servers, physical hosts with VMs (one host's only VM decommissioned),
    Wi-Fi access points, and one application all migrated."""
    load_estate(client, engine, settings)
    scan_and_refresh(engine, settings, "infra", infra(INFRA))
    aps = [
        NetworkDeviceRecord(external_id=name, scope="file", name=name, site=site,
                            device_class=kind)
        for name, site, kind in (("ap1", "Civic Centre", "wireless-ap"),
                                 ("ap2", "Civic Centre", "wireless-ap"),
                                 ("sw1", "Civic Centre", "switch"),
                                 ("ap3", "Northgate", "wireless-ap"))
    ]  # fmt: skip
    scan(engine, settings, "snmp", complete(aps), kind="snmp")
    for hostname, status in (("vm03", "decommissioned"), ("srv08", "migrated"),
                             ("srv13", "migrated")):  # fmt: skip
        server_id = client.get(f"/api/v1/servers?q={hostname}").json()["items"][0]["id"]
        body = {"status_override": status, "status_override_reason": "test"}
        assert client.patch(f"/api/v1/servers/{server_id}", json=body).status_code == 200


def infra(state: dict[str, dict[str, Any]]) -> Any:
    return complete([server(key, **fields) for key, fields in sorted(state.items())])


def figure(holder: dict[str, Any], key: str) -> int:
    if key.startswith("by_status."):
        return int(holder["by_status"][key.removeprefix("by_status.")])
    return int(holder[key])


def walk(client: TestClient, holder: dict[str, Any]) -> int:
    """Open each of the holder's links; its total must be the figure beside it."""
    for key, link in holder["links"].items():
        answer = client.get(link + ("&" if "?" in link else "?") + "limit=1")
        assert answer.status_code == 200, (link, answer.text)
        assert answer.json()["total"] == figure(holder, key), (key, link)
    return len(holder["links"])


def walk_progress(client: TestClient, progress: dict[str, Any]) -> int:
    groups = ("by_wave", "by_strategy", "by_application", "by_site")
    holders = [progress["total"], *(g for name in groups for g in progress[name])]
    return sum(walk(client, holder) for holder in holders)


def walk_hosting(client: TestClient, as_at: str = "") -> int:
    walked = 0
    for site in client.get("/api/v1/sites").json()["items"]:
        hosting = client.get(f"/api/v1/sites/{site['id']}/hosting{as_at}").json()
        days = [hosting["now"], hosting["baseline"], *hosting["months"]]
        walked += sum(walk(client, day) for day in days if day is not None)
    return walked


def test_every_figure_links_to_the_rows_it_counts(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    with time_machine.travel(at_ten(FIRST), tick=True):
        build(client, engine, settings)
        progress = client.get("/api/v1/progress").json()
        walked = walk_progress(client, progress)
        walked_hosting = walk_hosting(client)
        civic = next(s for s in progress["by_site"] if s["name"] == "Civic Centre")

    assert progress["total"]["applications_migrated"] == 1  # Libraries
    assert civic["links"]["servers"].startswith("/api/v1/servers?site=")
    assert walked > 80
    assert walked_hosting >= 9


def test_a_past_days_figures_link_to_the_rows_as_at_that_day(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    with time_machine.travel(at_ten(FIRST), tick=True):
        build(client, engine, settings)
    with time_machine.travel(at_ten(FIRST + timedelta(days=1)), tick=True):
        moved = {**INFRA, "vm1": {**INFRA["vm1"], "site": "Northgate", "host": None}}
        del moved["vm2"]
        scan_and_refresh(engine, settings, "infra", infra(moved))
    with time_machine.travel(at_ten(FIRST + timedelta(days=2)), tick=True):
        then = client.get(f"/api/v1/progress?as_at={FIRST}").json()
        walked = walk_progress(client, then)
        walked_hosting = walk_hosting(client, f"?as_at={FIRST}")
        today = walk_hosting(client)

    assert all(f"as_at={FIRST}" in link for link in then["total"]["links"].values())
    assert walked > 80
    assert walked_hosting >= 9
    assert today >= 9
