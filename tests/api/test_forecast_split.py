"""The forecast's split (overdue, the rest of this financial year, next, later) through the API:
each boundary day on the side it belongs, the lines adding up to the forecast, overdue equal to
the list's `due=true`, and `as_at` a past day giving that day's split."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from estate.config import Settings
from estate.db import session_scope
from estate.devices.forecast import DEVICES as DEVICES_TABLE
from estate.devices.forecast import DeviceFilter
from estate.devices.split import split
from estate.inventory.records import DeviceRecord
from estate.refresh import refresh_derived
from tests.core.helpers import complete, scan

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 12, 2)
LATER_DAY = date(2027, 4, 2)
# Asset tag: (department, purchase cost, the date a person set).
DEVICES: dict[str, tuple[str, float | None, date | None]] = {
    "O1": ("Planning", 100.0, date(2019, 1, 1)),
    "O2": ("Housing", 200.0, TODAY),  # due today: overdue, as `due=true` has it
    "T1": ("Planning", 300.0, date(2026, 12, 3)),
    "T2": ("Planning", None, date(2027, 3, 31)),  # the last day of 2026/27, no cost known
    "N1": ("Housing", 400.0, date(2027, 4, 1)),
    "N2": ("Planning", 500.0, date(2028, 3, 31)),
    "L1": ("Planning", 600.0, date(2028, 4, 1)),
    "U1": ("Planning", 700.0, None),  # no date: in no line
}
FORECAST = "/api/v1/devices/replacement-forecast"


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=LONDON)


def _load(client: TestClient, engine: Engine, settings: Settings) -> None:
    records = [
        DeviceRecord(
            external_id=tag,
            scope="file",
            asset_tag=tag,
            device_type="phone",
            department=department,
            purchase_cost=cost,
        )
        for tag, (department, cost, _due) in DEVICES.items()
    ]
    scan(engine, settings, "register", complete(records))
    with session_scope(engine) as session:
        refresh_derived(session, settings, TODAY)
    listed = client.get("/api/v1/devices", params={"limit": 100}).json()["items"]
    for item in listed:
        due = DEVICES[item["asset_tag"]][2]
        if due is not None:
            body = {"replacement_override_on": due.isoformat()}
            answer = client.patch(f"/api/v1/devices/{item['id']}", json=body)
            assert answer.status_code == 200, answer.text


def _lines(found: dict[str, Any]) -> list[tuple[Any, ...]]:
    split = found["split"]
    return [
        (split[p]["label"], split[p]["starts"], split[p]["ends"], split[p]["count"],
         split[p]["cost"], split[p]["uncosted"])
        for p in ("overdue", "this_year", "next_year", "later")
    ]  # fmt: skip


@pytest.fixture
def loaded(client: TestClient, engine: Engine, settings: Settings) -> TestClient:
    """The devices scanned and their dates set by a person on TODAY."""
    with time_machine.travel(at_ten(TODAY), tick=True):
        _load(client, engine, settings)
    return client


def test_the_split_puts_each_boundary_day_in_its_line(loaded: TestClient) -> None:
    client = loaded
    with time_machine.travel(at_ten(TODAY), tick=True):
        found = client.get(FORECAST).json()
        planning = client.get(FORECAST, params={"department": "Planning"}).json()
        due = client.get("/api/v1/devices", params={"due": "true"}).json()

    assert found["on"] == "2026-12-02"
    assert _lines(found) == [
        ("Overdue", None, "2026-12-02", 2, 300.0, 0),
        ("Rest of 2026/27", "2026-12-03", "2027-03-31", 2, 300.0, 1),
        ("2027/28", "2027-04-01", "2028-03-31", 2, 900.0, 0),
        ("2028/29 and later", "2028-04-01", None, 1, 600.0, 0),
    ]
    assert found["split"]["overdue"]["count"] == due["total"]
    assert sum(line[3] for line in _lines(found)) == found["count"] == 7
    assert sum(line[4] for line in _lines(found)) == found["cost"]
    assert [line[3] for line in _lines(planning)] == [1, 2, 1, 1]


def test_as_at_a_past_day_gives_that_days_split(loaded: TestClient) -> None:
    client = loaded
    with time_machine.travel(at_ten(TODAY), tick=True):
        then = client.get(FORECAST).json()
    with time_machine.travel(at_ten(LATER_DAY), tick=True):
        now = client.get(FORECAST).json()
        as_at = client.get(FORECAST, params={"as_at": TODAY.isoformat()}).json()

    assert (now["on"], as_at["on"], as_at["as_at"]) == ("2027-04-02", "2026-12-02", "2026-12-02")
    assert [line[3] for line in _lines(now)] == [5, 1, 1, 0]
    assert _lines(as_at) == _lines(then)


@pytest.mark.parametrize(
    "filters",
    [
        DeviceFilter(),
        DeviceFilter(department="Planning"),
        DeviceFilter(due_from=date(2026, 10, 1), due_to=date(2028, 3, 31)),
    ],
    ids=["all", "department", "whole-quarter-bounds"],
)
def test_the_split_from_the_buckets_equals_the_split_from_the_devices(
    loaded: TestClient, engine: Engine, settings: Settings, filters: DeviceFilter
) -> None:
    """Whole quarters from the buckets and the day's own from the devices, on every kind of
    day: each quarter's first, last and a middle day, across the devices' dates."""
    days = [
        day
        for year in range(2018, 2030)
        for month in (1, 3, 4, 6, 7, 9, 10, 12)
        for day in (date(year, month, 1), date(year, month, 15), last_day(year, month))
    ]
    with Session(engine) as session:
        for day in days:
            from_buckets = split(session, filters, settings.replacement, day)
            from_devices = split(session, filters, settings.replacement, day, DEVICES_TABLE.alias())
            assert from_buckets == from_devices, day


def last_day(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
