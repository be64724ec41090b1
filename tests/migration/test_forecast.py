"""The Civic Centre exit forecast, against figures worked out by hand: the planned day (the last
wave's planned end), the trend's day (the rate of the last 60 days of snapshots) and the days
the trend runs behind the plan, month by month in servers, rack units and kW."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select
from sqlmodel import Session

from estate.config import Settings
from estate.migration import forecast
from estate.migration.progress import SNAPSHOTS
from tests.core.helpers import complete, server
from tests.migration.helpers import scan_and_refresh

TODAY = date(2026, 11, 30)
SITE = "Civic Centre"


def estate(engine: Engine, settings: Settings, client: TestClient) -> int:
    """Ten physical servers still to migrate (2U, 500 W each: four in Wave 1, six in Wave 2)
    and one retained (staying, so never counted)."""
    records = [
        server(f"s{i}", hostname=f"srv{i:02d}", kind="physical", site=SITE, rack_units=2,
               power_watts=500.0)
        for i in range(11)
    ]  # fmt: skip
    scan_and_refresh(engine, settings, "cmdb", complete(records))
    for name, end in (("Wave 1", "2027-01-31"), ("Wave 2", "2027-06-30")):
        client.post("/api/v1/waves", json={"name": name, "planned_end": end})
    plan = [{"server": f"srv{i:02d}", "wave": "Wave 1" if i < 4 else "Wave 2"} for i in range(10)]
    plan.append({"server": "srv10", "strategy": "retain"})
    assert client.post("/api/v1/assignments", json={"assignments": plan}).status_code == 200
    sites = {s["name"]: s["id"] for s in client.get("/api/v1/sites").json()["items"]}
    return int(sites[SITE])


def keep_snapshots(
    engine: Engine, site_id: int, remaining: dict[int, int], today: date = TODAY
) -> None:
    """The site's kept days: `remaining` servers still to migrate that many days before
    `today`, and the retained one."""
    rows = []
    for days_ago, count in remaining.items():
        day = today - timedelta(days=days_ago)
        for status, servers in (("planned", count), ("retained", 1)):
            rows.append(
                {"day": day, "dimension": "site", "key": str(site_id), "status": status,
                 "servers": servers}
            )  # fmt: skip
    with Session(engine) as session:
        session.execute(insert(SNAPSHOTS), rows)
        session.commit()


def test_plan_trend_and_days_behind_are_the_hand_worked_figures(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    site_id = estate(engine, settings, client)
    # One server left a month over the last 60 days: 12, 11, 10.
    keep_snapshots(engine, site_id, {60: 12, 30: 11, 0: 10})

    with Session(engine) as session:
        found = forecast.forecast(session, site_id, settings.outcomes, TODAY, TODAY - timedelta(45))

    assert found is not None
    assert found.still_to_migrate.model_dump() == {"servers": 10, "rack_units": 20, "kw": 5.0}
    # The first snapshot on or after the baseline (45 days ago) is 30 days ago's.
    assert found.baseline_servers == 11
    # The plan: Wave 2, the last, ends on 30 June 2027.
    assert found.planned_exit == date(2027, 6, 30)
    # The trend: 1 server per 30 days, 10 left: 300 days from 30 Nov 2026.
    assert (found.trend_exit, found.trend_per_month) == (date(2027, 9, 26), 1.0)
    # 26 Sep 2027 is 88 days after 30 Jun 2027.
    assert found.behind_plan_days == 88
    months = {m.month: m for m in found.months}
    assert (min(months), max(months)) == (date(2026, 11, 1), date(2027, 9, 1))
    # At the end of December all ten are still there; by the end of January, Wave 1's planned
    # end, its four have gone.
    assert months[date(2026, 12, 1)].plan.servers == 10
    assert months[date(2027, 1, 1)].plan.model_dump() == {"servers": 6, "rack_units": 12,
                                                          "kw": 3.0}  # fmt: skip
    assert months[date(2027, 7, 1)].plan.servers == 0
    # End of December, 31 days on: 10 - 31/30 = 8.97 servers, so 9 (rack units and kW in step).
    december = months[date(2026, 12, 1)].trend
    assert december is not None
    assert december.model_dump() == {"servers": 9, "rack_units": 18, "kw": 4.483}


def test_without_wave_dates_or_enough_snapshots_no_day_is_made_up(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    site_id = estate(engine, settings, client)
    client.post("/api/v1/waves", json={"name": "Wave 3"})  # no planned end
    client.post(
        "/api/v1/assignments", json={"assignments": [{"server": "srv00", "wave": "Wave 3"}]}
    )
    # Days before the API's today, beside the one its scan kept: two days of snapshots, not 7.
    keep_snapshots(engine, site_id, {2: 11, 0: 10}, date.today())

    answer = client.get(f"/api/v1/sites/{site_id}/forecast").json()

    assert (answer["planned_exit"], answer["trend_exit"], answer["behind_plan_days"]) == (
        None,
        None,
        None,
    )
    assert answer["plan_note"] == (
        "1 of 10 servers still to migrate have no wave with a planned end: the plan gives no day"
    )
    assert answer["trend_note"] == "fewer than 7 days of snapshots in the last 90"
    assert client.get("/api/v1/sites/999/forecast").status_code == 404


def test_the_daily_snapshot_keeps_each_site(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    site_id = estate(engine, settings, client)

    assert client.post("/api/v1/progress/snapshots").status_code == 200

    with Session(engine) as session:
        kept = session.execute(
            select(SNAPSHOTS.c.status, SNAPSHOTS.c.servers).where(
                SNAPSHOTS.c.dimension == "site", SNAPSHOTS.c.key == str(site_id)
            )
        ).all()
    assert sorted(kept) == [("planned", 10), ("retained", 1)]
