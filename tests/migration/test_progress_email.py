"""The migration-progress email says the outcomes, each site's exit forecast against plan and
what leaving has freed, in plain English, with the API's numbers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from estate.config import MigrationSettings, ReportConfig, Settings, WebSettings
from estate.outbox.reports import report_for
from estate.refresh import refresh_derived
from estate.status import ServerKind
from tests.core.helpers import complete, scan
from tests.migration.helpers import instance, refresh, scan_and_refresh
from tests.migration.test_hosting import CIVIC, at, estate
from tests.migration.test_progress import load_estate


def test_the_email_tells_outcomes_forecast_and_savings_with_the_apis_numbers(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    today = settings.today()
    settings.migration = MigrationSettings(baseline_date=today - timedelta(days=30))
    settings.ingest.grace_days = 0
    settings.outcomes.default_watts = {ServerKind.PHYSICAL: 0.0}
    settings.reports["migration-progress"] = ReportConfig(
        options={"sites": [CIVIC.upper(), "Atlantis"]}
    )
    scan_and_refresh(engine, settings, "cmdb", complete(estate()))  # type: ignore[arg-type]
    refresh(engine, settings, now=at(today - timedelta(days=31)))
    # db01 (800 W) leaves; vm01 moves to a lone EC2 instance, judged not resilient.
    scan_and_refresh(engine, settings, "cmdb", complete(estate(with_db=False)))  # type: ignore[arg-type]
    cloud = [instance("w1", "vm01", facts={"previous_generation": False, "snapshots_read": True})]
    run = scan(engine, settings, "aws", complete(cloud, "111122223333/eu-west-2"), "aws")
    with Session(engine) as session:
        refresh_derived(session, settings, today, run)
        session.commit()

    with Session(engine) as session:
        email = report_for("migration-progress").render(session, settings, today)

    outcomes = client.get("/api/v1/outcomes").json()["total"]
    civic = next(s for s in client.get("/api/v1/sites").json()["items"] if s["name"] == CIVIC)
    forecast = client.get(f"/api/v1/sites/{civic['id']}/forecast").json()
    freed = client.get(f"/api/v1/sites/{civic['id']}/hosting").json()["difference"]
    assert (outcomes["workloads"], outcomes["resilient"], outcomes["not_resilient"]) == (1, 0, 1)
    assert (
        "Outcomes: 0 of 1 migrated workload is resilient, 0 flexible and 0 efficient;"
        " 0 are oversized and 0 idle. Not known yet: flexibility for 1, efficiency for 1."
    ) in email.text
    left = forecast["still_to_migrate"]
    assert left["servers"] == 3
    assert (
        f"{CIVIC}: 3 servers still to migrate ({left['rack_units']} rack units,"
        f" {left['kw']:g} kW). The plan gives no day (3 of 3 servers still to migrate have no"
        f" wave with a planned end); at the rate achieved ({forecast['trend_per_month']:g} servers"
        f" a month) on {date.fromisoformat(forecast['trend_exit']):%d %B %Y}."
    ) in email.text
    # 800 W a year: 7,008 kWh, at £0.25 a kWh £1,752, at 0.177 kg a kWh 1.24 tCO2e.
    assert (freed["watts"], freed["kwh_per_year"], freed["cost_per_year"]) == (
        -800.0,
        -7008.0,
        -1752.0,
    )
    baseline = f"{settings.migration.baseline_date:%d %B %Y}"
    assert (
        f"{CIVIC}: since the baseline ({baseline}), 0.8 kW less is drawn: 7,008 kWh, £1,752 and"
        " 1.2 tCO2e a year; 1 fewer server and 4 rack units freed."
    ) in email.text
    assert "Depot" not in email.text
    assert "No site named Atlantis is known" in email.text
    assert '<p id="outcomes">0 of 1 migrated workload is resilient' in email.html


def test_the_email_says_as_at_when_and_links_each_headline_to_its_rows(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    settings.web = WebSettings(public_url="https://estate.example.gov.uk/")
    load_estate(client, engine, settings)
    today = settings.today()

    with Session(engine) as session:
        email = report_for("migration-progress").render(session, settings, today)

    progress = client.get("/api/v1/progress").json()
    refreshed = datetime.fromisoformat(progress["refreshed_at"]).astimezone(
        ZoneInfo(settings.scheduler.timezone)
    )
    base = "https://estate.example.gov.uk"
    assert f"Figures as at {refreshed:%d %b %Y %H:%M}." in email.text
    assert f"Dashboard: {base}/migration" in email.text
    rows = progress["total"]["links"]["migrated"]
    assert f"The migrated servers: {base}{rows}" in email.text
    assert f'<a href="{base}{escape(rows)}">{progress["total"]["migrated"]}</a>' in email.html
    listed = client.get(f"{rows}&limit=1").json()["total"]
    assert listed == progress["total"]["migrated"]
    for wave in progress["by_wave"]:
        assert f"{base}{wave['links']['migrated']}" in email.text
