"""The Outcomes page and the hosting page's exit forecast and energy rows, over HTTP: every
figure is the API's, and the workloads listed as falling short are `GET /workloads`'s with
their reasons."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import Settings
from estate.status import Role
from tests.migration.test_forecast import estate, keep_snapshots
from tests.migration.test_outcomes import cloud, cmdb
from tests.web.conftest import SignIn

FIELD = re.compile(r'data-field="(\w+)">([^<]*)<')


def fields(html: str, element_id: str) -> dict[str, str]:
    """The data-field values inside the element with this id (up to its closing tag)."""
    start = html.index(f'id="{element_id}"')
    tag = html.rfind("<", 0, start) + 1
    name = re.match(r"\w+", html[tag:])
    assert name is not None
    end = html.index(f"</{name.group(0)}>", start)
    return dict(FIELD.findall(html[start:end]))


def number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text.replace("\u2212", "-")))


def test_the_headlines_and_shortfalls_are_the_apis(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    cmdb(engine, settings)
    cloud(engine, settings)
    viewer = signed_in(Role.VIEWER)

    page = viewer.get("/outcomes")
    short = viewer.get("/outcomes?show=oversized")

    assert page.status_code == 200
    total = client.get("/api/v1/outcomes").json()["total"]
    shown = {key: number(value) for key, value in fields(page.text, "headlines").items()}
    assert shown == {key: total[key] for key in shown}
    assert set(shown) >= {"workloads", "percent_resilient", "not_flexible", "efficient_unknown"}
    listed = client.get("/api/v1/workloads", params={"migrated": "true", "resilient": "false"})
    rows = re.findall(r'<tr data-id="(\d+)">\s*<th scope="row">([^<]+)</th>', page.text)
    assert [(int(i), n) for i, n in rows] == [(w["id"], w["name"]) for w in listed.json()["items"]]
    assert "a lone instance, in one Availability Zone; no backup in the last 7 days" in page.text
    assert "/api/v1/workloads?migrated=true&amp;resilient=false" in page.text
    assert "p95 CPU 5.0% over 336 hours: oversized" in short.text


def test_a_bad_choice_is_named_and_the_page_still_shows(signed_in: SignIn) -> None:
    viewer = signed_in(Role.VIEWER)

    page = viewer.get("/outcomes?show=everything&offset=many")

    assert page.status_code == 400
    assert "show must be one of not-resilient" in page.text
    assert "offset must be a whole number" in page.text
    assert 'id="shortfalls-table"' in page.text


def test_the_hosting_page_shows_the_forecast_and_the_energy_rows(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    site_id = estate(engine, settings, client)
    keep_snapshots(engine, site_id, {60: 12, 30: 11, 0: 10})
    viewer = signed_in(Role.VIEWER)

    page = viewer.get(f"/hosting?site={site_id}")

    assert page.status_code == 200
    found = client.get(f"/api/v1/sites/{site_id}/forecast").json()
    headlines = fields(page.text, "forecast-headlines")
    assert number(headlines["still_to_migrate"]) == found["still_to_migrate"]["servers"]
    assert headlines["planned_exit"] == "30 Jun 2027"
    assert found["planned_exit"] == "2027-06-30"
    planned = re.findall(r'data-field="plan_servers">(\d+)<', page.text)
    assert [int(n) for n in planned] == [m["plan"]["servers"] for m in found["months"]]
    hosting = client.get(f"/api/v1/sites/{site_id}/hosting").json()
    for field in ("kwh_per_year", "cost_per_year", "tco2e_per_year"):
        row = page.text.index(f'<tr data-field="{field}">')
        cell = re.search(r'data-of="now">([^<]+)<', page.text[row:])
        assert cell is not None
        assert number(cell.group(1)) == round(hosting["now"][field], 1 if "tco2e" in field else 0)
