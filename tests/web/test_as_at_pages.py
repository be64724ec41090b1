"""The migration and hosting pages as at a past day show the API's figures as at that day; a
day to come or a malformed one is named on the page, which shows today."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import Settings
from estate.status import Role
from tests.migration.helpers import scan_and_refresh
from tests.migration.test_decommission_at import load
from tests.migration.test_figure_links import FIRST, INFRA, at_ten, build, infra
from tests.web.conftest import SignIn


def on_day(n: int) -> Any:
    """The clock at ten on the scenario's nth day."""
    return time_machine.travel(at_ten(FIRST + timedelta(days=n)), tick=True)


def headline(html: str, field: str) -> str:
    found = re.search(rf'data-field="{field}">([^<]+)<', html)
    assert found, field
    return found.group(1)


def test_pages_as_at_a_day_show_that_days_figures(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    with on_day(0):
        build(client, engine, settings)
    with on_day(1):
        added = {
            "vm4": {"hostname": "vm04", "kind": "virtual", "host": "H2", "site": "Civic Centre"}
        }
        scan_and_refresh(engine, settings, "infra", infra(INFRA | added))
    with on_day(2):
        viewer = signed_in(Role.VIEWER)
        then = client.get(f"/api/v1/progress?as_at={FIRST}").json()["total"]
        now = client.get("/api/v1/progress").json()["total"]
        page_then = viewer.get(f"/migration?as_at={FIRST}")
        page_now = viewer.get("/migration")
        site = client.get("/api/v1/sites?q=Civic").json()["items"][0]["id"]
        hosted_then = client.get(f"/api/v1/sites/{site}/hosting?as_at={FIRST}").json()
        hosting_then = viewer.get(f"/hosting?site={site}&as_at={FIRST}")
        future = viewer.get(f"/migration?as_at={FIRST + timedelta(days=3)}")
        malformed = viewer.get("/hosting?as_at=2026-02-30")

    assert then["servers"] != now["servers"]
    assert headline(page_then.text, "servers") == str(then["servers"])
    assert headline(page_now.text, "servers") == str(now["servers"])
    assert f'value="{FIRST.isoformat()}"' in page_then.text
    assert 'id="as-at-note"' in page_then.text and 'id="as-at-note"' not in page_now.text
    assert hosting_then.status_code == 200
    assert f">{hosted_then['now']['servers']}<" in hosting_then.text
    assert future.status_code == 400 and "as_at is a day still to come" in future.text
    assert headline(future.text, "servers") == str(now["servers"])
    assert malformed.status_code == 400 and "as_at must be a day as YYYY-MM-DD" in malformed.text


def reviewed(client: TestClient, engine: Engine, settings: Settings) -> None:
    """Two candidates on the first day; the next, the first of them rejected."""
    with on_day(0):
        load(client, engine, settings)
    review = {"decision": "reject", "note": "still in use"}
    with on_day(1):
        assert client.post("/api/v1/decommission/1/review", json=review).status_code == 200


def test_the_decommission_page_as_at_a_day_is_that_days_list_and_read_only(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    reviewed(client, engine, settings)
    with on_day(2):
        assets = signed_in(Role.ASSETS)
        then = assets.get(f"/decommission?as_at={FIRST}")
        now = assets.get("/decommission")

    assert then.status_code == 200
    assert 'data-field="decision">Not reviewed' in then.text
    assert 'action="/decommission/1/review"' not in then.text
    assert "/decommission/export.xlsx" not in then.text
    assert 'data-field="decision">reject by' in now.text
    assert 'action="/decommission/2/review"' in now.text
