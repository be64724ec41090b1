"""`estate demo` from its baseline: eighteen months replayed through the real scanners (the
CMDB and infrastructure exports, AWS in moto), the plan, the reviews; the numbers the API then
gives are the story's (examples/demo/README.md), exactly."""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli.demo_story import month
from estate.config import DatabaseSettings
from estate.config.loading import load_settings
from tests.conftest import fresh_database
from tests.e2e.conftest import ESTATE, EXAMPLES
from tests.snmp.conftest import _responder

TODAY = date.today()
# Eighteen months before this one, so the story ends today whenever the test runs.
START = month(TODAY.replace(day=1), -18)
TOKEN = re.compile(r"demo viewer token \(this demo database only\): (\S+)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    """One demo load for the module: a client holding the viewer token it printed."""
    with fresh_database(tmp_path_factory) as url:
        config = tmp_path_factory.mktemp("demo") / "estate.toml"
        config.write_text(f'[database]\nurl = "{url}"\n')
        done = subprocess.run(
            [ESTATE, "--config", str(config), "demo", "--start", START.isoformat()],
            capture_output=True,
            text=True,
            timeout=1200,
            env={**os.environ, "ESTATE_DEMO_SNMPSIM": _responder()},
        )
        assert done.returncode == 0, done.stdout + done.stderr
        found = TOKEN.search(done.stdout)
        assert found is not None, done.stdout
        # The demo config, as `make run` serves it, on the test's database.
        settings = load_settings(EXAMPLES / "estate.example.toml")
        settings.database = DatabaseSettings(url=url)
        settings.migration.baseline_date = START
        with TestClient(create_app(settings)) as client:
            client.headers["Authorization"] = f"Bearer {found.group(1)}"
            yield client, done.stdout


def get(client: TestClient, path: str, **params: Any) -> Any:
    answer = client.get(f"/api/v1{path}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def site_id(client: TestClient, name: str) -> int:
    return next(s["id"] for s in get(client, "/sites", limit=100)["items"] if s["name"] == name)


def test_the_demo_is_mid_migration_with_waves_and_strategies(
    demo: tuple[TestClient, str],
) -> None:
    client, _ = demo

    progress = get(client, "/progress")

    total = progress["total"]
    assert (total["servers"], total["migrated"], total["percent_migrated"]) == (308, 174, 56.5)
    assert total["by_status"] == {
        "planned": 116,
        "migrated": 2,
        "decommission-candidate": 26,
        "decommission-approved": 67,
        "decommissioned": 79,
        "retained": 18,
    }
    waves = {g["name"]: g["servers"] for g in progress["by_wave"]}
    assert waves == {
        "Wave 1: pilot": 44,
        "Wave 2: corporate services": 58,
        "Wave 3: revenues and housing": 76,
        "Wave 4: core systems": 104,
        None: 26,
    }
    strategies = {g["name"]: g["servers"] for g in progress["by_strategy"]}
    assert strategies == {
        "refactor": 10,
        "rehost": 143,
        "relocate": 13,
        "replatform": 41,
        "repurchase": 27,
        "retain": 18,
        "retire": 23,
        None: 33,
    }


def test_the_demo_has_cloud_workloads_linked_to_on_premise_servers(
    demo: tuple[TestClient, str],
) -> None:
    client, _ = demo

    workloads = get(client, "/workloads", limit=500)

    kinds = Counter(w["resource_type"] for w in workloads["items"])
    linked = sum(1 for w in workloads["items"] if w["migrated_from_server_id"] is not None)
    assert (workloads["total"], linked) == (156, 151)
    assert dict(kinds) == {
        "ec2-instance": 147,
        "autoscaling-group": 1,
        "rds-db-instance": 6,
        "lambda-function": 1,
        "ecs-service": 1,
    }


def test_the_capital_assets_team_has_candidates_in_every_state(
    demo: tuple[TestClient, str],
) -> None:
    client, _ = demo

    candidates = get(client, "/decommission/candidates", limit=500)

    states = Counter(
        (c["migration_status"], c["decision"], c["removed_on"] is not None)
        for c in candidates["items"]
    )
    assert candidates["total"] == 174
    assert dict(states) == {
        ("decommissioned", "approve", True): 79,
        ("decommission-approved", "approve", False): 67,
        ("decommission-candidate", None, False): 8,
        ("decommission-candidate", "defer", False): 18,
        ("migrated", "reject", False): 2,
    }


def test_the_civic_centre_has_a_baseline_and_months_of_hosting_and_history(
    demo: tuple[TestClient, str],
) -> None:
    client, _ = demo
    civic = site_id(client, "Civic Centre")

    hosting = get(client, f"/sites/{civic}/hosting")
    history = get(client, "/progress/history")
    forecast = get(client, f"/sites/{civic}/forecast")
    outcomes = get(client, "/outcomes")

    assert hosting["baseline_date"] == START.isoformat()
    assert (hosting["baseline"]["servers"], hosting["now"]["servers"]) == (210, 91)
    # The Wi-Fi, read over SNMP at the start and today: nine access points, none moved.
    wifi = (hosting["baseline"]["access_points"], hosting["now"]["access_points"])
    assert wifi == (9, 9)
    assert hosting["difference"]["access_points"] == 0
    assert len(hosting["months"]) == 19
    percents = [0.0] * 3 + [14.3] * 4 + [29.2] * 6 + [53.9] * 4 + [56.5] * 2
    days = [month(START, n).isoformat() for n in range(18)] + [TODAY.isoformat()]
    assert [(d["day"], d["percent_migrated"]) for d in history] == list(
        zip(days, percents, strict=True)
    )
    assert forecast["baseline_servers"] == 190
    assert forecast["planned_exit"] == month(START, 22).isoformat()
    assert forecast["trend_exit"] is not None
    assert {k: outcomes["total"][k] for k in ("workloads", "resilient", "flexible")} == {
        "workloads": 151,
        "resilient": 6,
        "flexible": 116,
    }


def test_the_devices_forecast_splits_into_overdue_this_year_next_and_later(
    demo: tuple[TestClient, str],
) -> None:
    """The devices' purchase dates are fixed by the generator but the last pass runs today, so
    how many fall in each line moves with the day (the README gives one day's figures); what
    holds every day is checked here."""
    client, _ = demo

    forecast = get(client, "/devices/replacement-forecast")
    due = get(client, "/devices", due="true", limit=1)

    lines = [forecast["split"][k] for k in ("overdue", "this_year", "next_year", "later")]
    assert (forecast["on"], forecast["count"], forecast["undated"]) == (TODAY.isoformat(), 3966, 28)
    assert sum(line["count"] for line in lines) == forecast["count"]
    assert round(sum(line["cost"] for line in lines), 2) == forecast["cost"] == 3052449.92
    assert lines[0]["count"] == due["total"]
