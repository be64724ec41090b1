"""`as_at`: a changing estate scanned day after day through the real ingest, with plans changed
by users through the API; every live answer of each day is saved, and afterwards `as_at` that
day gives exactly it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import DatabaseSettings, IngestSettings, Settings
from estate.inventory.records import Event
from tests.api.conftest import MakeClient
from tests.api.links import live_links
from tests.core.helpers import complete, server
from tests.migration.helpers import scan_and_refresh

LONDON = ZoneInfo("Europe/London")
FIRST = date(2026, 3, 2)
DAYS = [FIRST + timedelta(days=n) for n in range(8)]
BASE: dict[str, dict[str, Any]] = {
    "a": {"hostname": "payroll-app01", "os_name": "Windows Server", "os_version": "2016",
          "site": "Civic Centre", "cpu_cores": 4, "memory_gb": 16.0,
          "applications": ("Payroll",), "power_state": "on"},
    "b": {"hostname": "payroll-db01", "os_name": "Windows Server", "os_version": "2012",
          "site": "Civic Centre", "cpu_cores": 8, "memory_gb": 64.0, "kind": "physical",
          "serial": "DB1", "rack": "R1", "rack_unit": 4, "rack_units": 2,
          "applications": ("Payroll",), "power_state": "on"},
    "c": {"hostname": "hr-app01", "os_name": "RHEL", "os_version": "7",
          "site": "Civic Centre", "applications": ("HR",), "power_state": "on"},
    "d": {"hostname": "files01", "os_name": "Windows Server", "os_version": "2008",
          "site": "Civic Centre", "power_state": "off"},
}  # fmt: skip
# Each day's changes to the CMDB export: new or changed fields (None: dropped from the file).
# Server a's applications move by scan and by a user (who adds HR, which the source names later).
CMDB_MOVES: list[dict[str, dict[str, Any] | None]] = [
    {},
    {"b": {"memory_gb": 128.0}, "e": {"hostname": "gis01", "site": "Depot"}},
    {"c": None, "d": {"os_version": "2019"}},
    {"f": {"hostname": "web01", "site": "Depot", "applications": ("Website",)}},
    {"d": {"site": "Depot"}, "a": {"applications": ("Payroll", "Website")}},
    {"c": {}},
    {"e": {"rack": "D2"}},
    {"b": {"hostname": "payroll-db02"}, "a": {"applications": ("HR", "Payroll")}},
]
# Each day's plan changes by users: (server, PATCH body).
PLANS: list[list[tuple[str, dict[str, Any]]]] = [
    [],
    [("a", {"strategy_override": "rehost"})],
    [
        ("b", {"status_override": "retained", "status_override_reason": "kept on site"}),
        ("d", {"applications": ["HR"]}),
    ],
    [("d", {"strategy_override": "retire"})],
    [],
    [("a", {"strategy_override": None})],
    [
        ("f", {"strategy_override": "repurchase"}),
        ("a", {"applications": ["HR", "Payroll", "Website"]}),
    ],
    [("b", {"status_override": None})],
]
LISTS = [
    "/api/v1/servers?limit=1000",
    "/api/v1/servers?sort=-hostname&limit=2&offset=1",
    "/api/v1/servers?status=missing",
    "/api/v1/servers?site=Civic%20Centre&sort=hostname",
    "/api/v1/servers?strategy=rehost",
    "/api/v1/servers?q=payroll",
    "/api/v1/servers?application=HR",
    "/api/v1/servers?application=Website",
]
# The detail's parts that are not the server's own state then (re-derived now, or the source
# rows' latest sighting).
NOT_STATE = ("migration", "observations", "workloads", "changes")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database_url, lock_timeout_seconds=5),
        ingest=IngestSettings(grace_days=2),
        config_path=tmp_path / "estate.toml",
    )


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=LONDON)


def export(state: dict[str, dict[str, Any]]) -> Iterator[Event]:
    return complete([server(key, **fields) for key, fields in sorted(state.items())])


def live(client: TestClient, ids: dict[str, int]) -> dict[str, Any]:
    """Everything the day's readers could ask: the lists, each server, the progress."""
    answers: dict[str, Any] = {path: client.get(path).json() for path in LISTS}
    for key, server_id in sorted(ids.items()):
        detail = client.get(f"/api/v1/servers/{server_id}").json()
        answers[key] = {k: v for k, v in detail.items() if k not in NOT_STATE}
    progress = client.get("/api/v1/progress").json()
    answers["progress"] = {k: v for k, v in progress.items() if k != "refreshed_at"}
    return answers


def as_at(client: TestClient, ids: dict[str, int], day: date) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for path in LISTS:
        answers[path] = client.get(f"{path}&as_at={day}").json()
    for key, server_id in sorted(ids.items()):
        detail = client.get(f"/api/v1/servers/{server_id}?as_at={day}").json()
        answers[key] = {k: v for k, v in detail.items() if k not in NOT_STATE}
    progress = client.get(f"/api/v1/progress?as_at={day}").json()
    assert (progress.pop("as_at"), progress.pop("source")) == (day.isoformat(), "history")
    answers["progress"] = live_links(
        {k: v for k, v in progress.items() if k != "refreshed_at"}, day
    )
    return answers


def test_as_at_gives_each_days_live_answers(
    engine: Engine, settings: Settings, make_client: MakeClient
) -> None:
    client = make_client()
    state = {key: dict(fields) for key, fields in BASE.items()}
    ids: dict[str, int] = {}
    saved: dict[date, dict[str, Any]] = {}
    for day, moves, plans in zip(DAYS, CMDB_MOVES, PLANS, strict=True):
        with time_machine.travel(at_ten(day), tick=True):
            for key, fields in moves.items():
                if fields is None:
                    state.pop(key)
                else:
                    state[key] = {**state.get(key, BASE.get(key, {})), **fields}
            scan_and_refresh(engine, settings, "cmdb", export(state))
            for item in client.get("/api/v1/servers?limit=1000").json()["items"]:
                ids.setdefault(_key_of(item["hostname"]), item["id"])
            for key, body in plans:
                assert client.patch(f"/api/v1/servers/{ids[key]}", json=body).status_code == 200
            saved[day] = live(client, ids)
    missing = [saved[day]["/api/v1/servers?status=missing"]["total"] for day in DAYS]
    assert missing == [0, 0, 1, 1, 0, 0, 0, 0]  # c: missing, then gone, then back
    assert saved[DAYS[4]]["c"]["status"] == "gone"
    with time_machine.travel(at_ten(DAYS[-1] + timedelta(days=1)), tick=True):
        for day in DAYS:
            known = {k: v for k, v in ids.items() if k in saved[day]}
            assert as_at(client, known, day) == saved[day], day


def _key_of(hostname: str) -> str:
    names = {f["hostname"]: k for k, f in BASE.items()} | {
        "gis01": "e", "web01": "f", "payroll-db02": "b",
    }  # fmt: skip
    return names[hostname]


def test_before_anything_empty_and_bad_days_named(
    engine: Engine, settings: Settings, make_client: MakeClient
) -> None:
    client = make_client()
    with time_machine.travel(at_ten(FIRST), tick=True):
        scan_and_refresh(engine, settings, "cmdb", export(BASE))
        before = (FIRST - timedelta(days=1)).isoformat()
        listed = client.get(f"/api/v1/servers?as_at={before}").json()
        progress = client.get(f"/api/v1/progress?as_at={before}").json()
        future = client.get(f"/api/v1/servers?as_at={FIRST + timedelta(days=1)}")
        malformed = client.get("/api/v1/progress?as_at=2026-02-30")
    assert (listed["items"], listed["total"]) == ([], 0)
    assert (progress["total"]["servers"], progress["by_site"]) == (0, [])
    assert future.status_code == 422
    assert future.json()["detail"][0]["loc"] == ["query", "as_at"]
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["query", "as_at"]


def test_a_servers_history_is_a_paged_timeline(
    engine: Engine, settings: Settings, make_client: MakeClient
) -> None:
    client = make_client()
    with time_machine.travel(at_ten(FIRST), tick=False):
        scan_and_refresh(engine, settings, "cmdb", export({"a": BASE["a"]}))
    with time_machine.travel(at_ten(FIRST + timedelta(days=1)), tick=False):
        scan_and_refresh(
            engine, settings, "cmdb", export({"a": BASE["a"] | {"os_version": "2019"}})
        )
    with time_machine.travel(at_ten(FIRST + timedelta(days=2)), tick=False):
        scan_and_refresh(engine, settings, "cmdb", export({}))
        first = client.get("/api/v1/servers/1/history?limit=2").json()
        rest = client.get("/api/v1/servers/1/history?limit=10&offset=2").json()

    seen = [(e["event"], e["field"], e["old"], e["new"]) for e in first["items"] + rest["items"]]
    assert first["total"] == 5
    assert seen == [
        ("changed", "missing_since", None, "2026-03-04T10:00:00+00:00"),
        ("changed", "status", "active", "missing"),
        ("disappeared", None, None, None),
        ("changed", "os_version", "2016", "2019"),
        ("appeared", None, None, None),
    ]
