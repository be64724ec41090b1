"""The decommission list as at a past day: reviews, a change of mind and a removal over
several days; afterwards `as_at` each day gives exactly the list saved that day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import Settings
from tests.core.helpers import complete, server
from tests.migration.helpers import instance, scan_and_refresh

LONDON = ZoneInfo("Europe/London")
FIRST = date(2026, 3, 2)
DAYS = [FIRST + timedelta(days=n) for n in range(5)]
LISTS = [
    "/api/v1/decommission/candidates",
    "/api/v1/decommission/candidates?decision=approve",
    "/api/v1/decommission/candidates?status=decommission-candidate",
    "/api/v1/decommission/candidates?site=Civic%20Centre&limit=1&offset=0",
]
REMOVED = {"disposal_reference": "WEEE-7", "data_sanitisation_reference": "SAN-7"}
# Each day's reviews and removals: (path, body).
STEPS: list[list[tuple[str, dict[str, Any]]]] = [
    [],
    [("1/review", {"decision": "reject", "note": "still in use"}),
     ("2/review", {"decision": "defer"})],
    [("1/review", {"decision": "approve", "note": "payroll moved"})],
    [("1/complete", {"removed_on": DAYS[3].isoformat(), **REMOVED}),
     ("2/review", {"decision": "approve"})],
    [],
]  # fmt: skip


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=LONDON)


def load(client: TestClient, engine: Engine, settings: Settings) -> None:
    """srv1 migrated and off, srv2 retired and off: both candidates; srv3 retired, still on."""
    records = [
        server("1", hostname="srv1", serial="S1", site="Civic Centre", rack="R4",
               power_watts=310.0, power_state="off", applications=("Payroll",)),
        server("2", hostname="srv2", site="Civic Centre", power_state="off"),
        server("3", hostname="srv3", power_state="on"),
    ]  # fmt: skip
    scan_and_refresh(engine, settings, "cmdb", complete(records))
    launched = at_ten(FIRST) - timedelta(days=30)
    workload = instance("i-1", "srv1", launched_at=launched)
    scan_and_refresh(engine, settings, "aws", complete([workload], "111122223333/eu-west-2"), "aws")
    plan = [{"server": 2, "strategy": "retire"}, {"server": 3, "strategy": "retire"}]
    assert client.post("/api/v1/assignments", json={"assignments": plan}).status_code == 200


def test_as_at_gives_each_days_decommission_list(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    saved: dict[date, dict[str, Any]] = {}
    for n, day in enumerate(DAYS):
        with time_machine.travel(at_ten(day), tick=True):
            if n == 0:
                load(client, engine, settings)
            for path, body in STEPS[n]:
                answer = client.post(f"/api/v1/decommission/{path}", json=body)
                assert answer.status_code == 200, answer.text
            saved[day] = {path: client.get(path).json() for path in LISTS}
    with time_machine.travel(at_ten(DAYS[-1] + timedelta(days=1)), tick=True):
        then = {
            day: {path: client.get(f"{path}{'&' if '?' in path else '?'}as_at={day}").json()
                  for path in LISTS}
            for day in DAYS
        }  # fmt: skip
        before = client.get(f"/api/v1/decommission/candidates?as_at={FIRST - timedelta(days=1)}")
        download = client.get(f"/api/v1/decommission/candidates?format=csv&as_at={FIRST}")

    for day in DAYS:
        assert then[day] == saved[day], day
    decided = [
        [
            (c["server_id"], c["decision"], c["migration_status"])
            for c in saved[day][LISTS[0]]["items"]
        ]
        for day in DAYS
    ]
    assert decided[1] == [(1, "reject", "migrated"), (2, "defer", "decommission-candidate")]
    assert decided[3] == [(1, "approve", "decommissioned"), (2, "approve", "decommission-approved")]
    assert saved[DAYS[3]][LISTS[0]]["items"][0]["disposal_reference"] == "WEEE-7"
    assert before.json()["total"] == 0
    assert download.status_code == 422
    assert download.json()["detail"][0]["loc"] == ["query", "as_at"]
