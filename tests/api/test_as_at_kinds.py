"""`as_at` for devices, network devices and workloads: a register, a CMDB and an AWS account
scanned day after day through the real ingest, with users' decisions about devices through the
API; every live answer of each day is saved, and afterwards `as_at` that day gives it, save
who held a device disposed of since (forgotten, in history too)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlmodel import Session, col

from estate.config import Settings
from estate.inventory.records import DeviceRecord, Event, NetworkDeviceRecord, ScopeEnd
from estate.models import HostingFigures
from estate.refresh import refresh_derived
from estate.status import Role
from tests.api.conftest import MakeClient
from tests.api.links import live_links
from tests.api.test_as_at import FIRST, at_ten, settings
from tests.core.helpers import complete, scan, server
from tests.migration.helpers import instance

__all__ = ["settings"]  # the day-by-day test's settings fixture
DAYS = [FIRST + timedelta(days=n) for n in range(6)]
DEVICES: dict[str, dict[str, Any]] = {
    "L1": {"device_type": "laptop", "department": "Planning", "assigned_to": "jo@example.gov.uk",
           "purchased_on": date(2021, 5, 1), "site": "Civic Centre"},
    "L2": {"device_type": "laptop", "department": "Housing", "assigned_to": "al@example.gov.uk",
           "purchased_on": date(2019, 6, 1), "site": "Civic Centre"},
    "D1": {"device_type": "desktop", "department": "Housing", "purchased_on": date(2022, 1, 10)},
}  # fmt: skip
NETWORK = {"sw1": {"name": "core-sw1", "device_class": "switch", "site": "Civic Centre"}}
SERVERS = {
    "a": {"hostname": "gis01", "site": "Civic Centre", "kind": "physical", "rack": "R1"},
    "b": {"hostname": "web01", "site": "Civic Centre"},
}
WORKLOADS = {"i-1": {"source_server": "gis01"}}
# Each day's moves: (register devices, network devices, CMDB servers, AWS workloads); a new
# or changed thing's fields, or None where the source no longer lists it.
MOVES: list[tuple[dict[str, Any], ...]] = [
    ({}, {}, {}, {}),
    ({"L1": {"assigned_to": "sam@example.gov.uk"}, "T1": {"device_type": "tablet"}},
     {"ap1": {"name": "ap-1", "device_class": "wireless-ap", "site": "Civic Centre"}}, {},
     {"i-2": {"source_server": "web01"}}),
    ({"D1": {"department": "Planning"}}, {"sw1": {"location": "Rack 4"}}, {},
     {"i-1": {"state": "stopped"}}),
    ({"L2": {"assigned_to": "kim@example.gov.uk"}, "T1": None}, {"ap1": None},
     {"b": {"hostname": "web02"}}, {}),
    ({}, {"sw1": {"name": "core-sw01"}}, {}, {"i-2": {"state": "terminated", "ended": True}}),
    ({"L1": {"os_name": "Windows 11"}}, {}, {}, {}),
]  # fmt: skip
# Users' decisions: (day, device, PATCH body); disposing of L2 forgets who held it.
DECISIONS = [
    (2, "D1", {"replacement_override_on": "2030-03-31"}),
    (4, "L2", {"disposed_on": "2026-03-06"}),
]
LISTS = [
    "/api/v1/devices?limit=1000",
    "/api/v1/devices?sort=-asset_tag&limit=2&offset=1",
    "/api/v1/devices?department=Housing",
    "/api/v1/devices?status=missing",
    "/api/v1/network-devices?limit=1000",
    "/api/v1/network-devices?q=core",
    "/api/v1/workloads?limit=1000",
    "/api/v1/workloads?state=running",
    "/api/v1/workloads?migrated=true",
]
NOT_STATE = ("observations", "changes")
# The figures, and (as at a day) where each was read from.
FIGURES = [
    "/api/v1/outcomes",
    "/api/v1/sites/1/hosting",
    "/api/v1/devices/replacement-forecast",
    "/api/v1/sites/1/forecast",
]


def _moved(state: dict[str, dict[str, Any]], moves: dict[str, Any]) -> None:
    for key, fields in moves.items():
        if fields is None:
            state.pop(key)
        else:
            state[key] = {**state.get(key, {}), **fields}


def _register(devices: dict[str, Any], network: dict[str, Any]) -> Iterator[Event]:
    for tag, fields in sorted(devices.items()):
        yield DeviceRecord(external_id=tag, scope="f", asset_tag=tag, **fields)
    for key, fields in sorted(network.items()):
        yield NetworkDeviceRecord(external_id=key, scope="f", **fields)
    yield ScopeEnd(scope="f", complete=True)


def _scan_day(engine: Engine, settings: Settings, day: date, state: list[dict[str, Any]]) -> None:
    devices, network, servers, workloads = state
    scan(engine, settings, "register", _register(devices, network))
    scan(engine, settings, "cmdb", complete([server(k, **f) for k, f in sorted(servers.items())]))
    cloud = [instance(k, **f) for k, f in sorted(workloads.items())]
    scan(engine, settings, "aws", complete(cloud, "111122223333/eu-west-2"), kind="aws")
    with Session(engine) as session:
        refresh_derived(session, settings, day)
        session.commit()


def _with(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}" if query else path


def _answers(
    clients: dict[str, TestClient], ids: dict[str, str], query: str = ""
) -> tuple[dict[str, Any], list[str]]:
    """Each role's lists and details, and the figures (with `query`: 'as_at=...'); and where
    each figure was read from."""
    found: dict[str, Any] = {}
    for role, client in clients.items():
        for path in LISTS:
            found[f"{role} {path}"] = client.get(_with(path, query)).json()
        for key, path in sorted(ids.items()):
            detail = client.get(_with(path, query)).json()
            found[f"{role} {key}"] = {k: v for k, v in detail.items() if k not in NOT_STATE}
    sources = []
    for path in FIGURES:
        found[path] = clients["admin"].get(_with(path, query)).json()
        sources.append(found[path].pop("source", None))
        assert found[path].pop("as_at", None) == (query.removeprefix("as_at=") or None)
    return found, sources


def _forgotten(answer: Any) -> Any:
    """The answer with L2's holder blank, as it is everywhere since its disposal."""
    if isinstance(answer, list):
        return [_forgotten(a) for a in answer]
    if not isinstance(answer, dict):
        return answer
    blank = answer.get("asset_tag") == "L2" and "assigned_to" in answer
    return {k: None if blank and k == "assigned_to" else _forgotten(v) for k, v in answer.items()}


def _ids(client: TestClient) -> dict[str, str]:
    paths: dict[str, str] = {}
    for kind in ("devices", "network-devices", "workloads"):
        for item in client.get(f"/api/v1/{kind}?limit=1000").json()["items"]:
            paths[f"{kind}:{item['id']}"] = f"/api/v1/{kind}/{item['id']}"
    return paths


def test_as_at_gives_each_days_devices_network_and_workloads(
    engine: Engine, settings: Settings, make_client: MakeClient
) -> None:
    clients = {"admin": make_client(Role.ADMIN), "viewer": make_client(Role.VIEWER)}
    state = [dict(DEVICES), dict(NETWORK), dict(SERVERS), dict(WORKLOADS)]
    saved: dict[date, tuple[dict[str, str], dict[str, Any]]] = {}
    for n, (day, moves) in enumerate(zip(DAYS, MOVES, strict=True)):
        with time_machine.travel(at_ten(day), tick=True):
            for part, move in zip(state, moves, strict=True):
                _moved(part, move)
            _scan_day(engine, settings, day, state)
            ids = _ids(clients["admin"])
            listed = clients["admin"].get("/api/v1/devices").json()["items"]
            tags = {item["asset_tag"]: item["id"] for item in listed}
            for _, tag, body in (d for d in DECISIONS if d[0] == n):
                assert (
                    clients["admin"].patch(f"/api/v1/devices/{tags[tag]}", json=body).status_code
                    == 200
                )
            saved[day] = (ids, _answers(clients, ids)[0])
    with Session(engine) as session:  # no figures kept that day: counted from the history
        session.execute(delete(HostingFigures).where(col(HostingFigures.day) == DAYS[3]))
        session.commit()
    sources = {}
    with time_machine.travel(at_ten(DAYS[-1] + timedelta(days=1)), tick=True):
        for day in DAYS:
            ids, answers = saved[day]
            got, sources[day] = _answers(clients, ids, f"as_at={day}")
            assert _diff(live_links(got, day), _forgotten(answers)) == [], day
    assert sources == {
        day: ["history", "history" if day == DAYS[3] else "snapshot", "history", "history"]
        for day in DAYS
    }
    first = saved[DAYS[0]][1]
    assert [d["assigned_to"] for d in first["admin /api/v1/devices?limit=1000"]["items"]] == [
        None, "jo@example.gov.uk", "al@example.gov.uk",
    ]  # fmt: skip
    assert "assigned_to" not in first["viewer /api/v1/devices?limit=1000"]["items"][1]
    assert saved[DAYS[3]][1]["admin /api/v1/network-devices?q=core"]["total"] == 1
    migrated = [saved[day][1]["/api/v1/outcomes"]["total"]["workloads"] for day in DAYS]
    assert migrated == [1, 2, 2, 2, 1, 1]
    due = [saved[day][1]["/api/v1/devices/replacement-forecast"]["count"] for day in DAYS]
    assert due == [3, 3, 3, 3, 2, 2]  # L2 disposed of on the fifth day
    exits = [saved[day][1]["/api/v1/sites/1/forecast"] for day in DAYS]
    # A server is migrated while its workload runs: i-1 stops on day 3, i-2 ends on day 5.
    assert [(f["on"], f["still_to_migrate"]["servers"]) for f in exits] == [
        (day.isoformat(), left) for day, left in zip(DAYS, [1, 0, 1, 1, 2, 2], strict=True)
    ]
    hosted = [saved[day][1]["/api/v1/sites/1/hosting"]["now"] for day in DAYS]
    assert [(h["servers"], h["racks"], h["access_points"]) for h in hosted] == [
        (2, 1, 0), (2, 1, 1), (2, 1, 1), (2, 1, 1), (2, 1, 1), (2, 1, 0),  # ap-1 missing, then gone
    ]  # fmt: skip


def test_who_held_a_device_follows_the_role_rules_and_disposal_in_history(
    engine: Engine, settings: Settings, make_client: MakeClient
) -> None:
    admin, viewer = make_client(Role.ADMIN), make_client(Role.VIEWER)
    held = {"L1": {"assigned_to": "jo@example.gov.uk"}, "L2": {"assigned_to": "al@example.gov.uk"}}
    with time_machine.travel(at_ten(FIRST), tick=True):
        scan(engine, settings, "register", _register(held, {}))
    with time_machine.travel(at_ten(FIRST + timedelta(days=1)), tick=True):
        moved = {
            "L1": {"assigned_to": "sam@example.gov.uk"},
            "L2": {"assigned_to": "kim@example.gov.uk"},
        }
        scan(engine, settings, "register", _register(moved, {}))
        assert (
            admin.patch("/api/v1/devices/2", json={"disposed_on": "2026-03-03"}).status_code == 200
        )
        then = f"as_at={FIRST}"
        listed = {
            who: [
                d.get("assigned_to", "-") for d in c.get(f"/api/v1/devices?{then}").json()["items"]
            ]
            for who, c in (("admin", admin), ("viewer", viewer))
        }
        details = [c.get(f"/api/v1/devices/{n}?{then}").json().get("assigned_to", "-")
                   for c in (admin, viewer) for n in (1, 2)]  # fmt: skip
        histories = {
            (who, n): [(e["old"], e["new"]) for e in _history(c, n) if e["field"] == "assigned_to"]
            for who, c in (("admin", admin), ("viewer", viewer)) for n in (1, 2)
        }  # fmt: skip
        download = admin.get(f"/api/v1/devices?format=csv&{then}")
    assert (download.status_code, download.json()["detail"][0]["loc"]) == (422, ["query", "as_at"])
    assert listed == {"admin": ["jo@example.gov.uk", None], "viewer": ["-", "-"]}
    assert details == ["jo@example.gov.uk", None, "-", "-"]
    assert histories == {
        ("admin", 1): [("jo@example.gov.uk", "sam@example.gov.uk")],
        ("admin", 2): [(None, None)],
        ("viewer", 1): [(None, None)],
        ("viewer", 2): [(None, None)],
    }


def _history(client: TestClient, device_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"/api/v1/devices/{device_id}/history").json()["items"]
    return items


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two answers differ, by path (empty: they are equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d
            for k in sorted(set(a) | set(b), key=str)
            for d in _diff(a.get(k), b.get(k), f"{path}/{k}")
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{path}/{i}")
        ]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
