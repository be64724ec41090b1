"""The devices page over HTTP: its headline is `GET /devices?due=true`'s total, its split is the
API's, the devices due are that list a page at a time (longest overdue first, ties by id) with
their reasons and never who holds them, and the long tables are folded away."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Engine

from estate.config import Settings
from estate.db import session_scope
from estate.inventory.records import DeviceRecord
from estate.refresh import refresh_derived
from estate.status import Role
from tests.api.conftest import MakeClient
from tests.core.helpers import complete, scan
from tests.web.conftest import SignIn
from tests.web.test_outcomes_page import FIELD, fields, number

TODAY = date.today()
REASON = "laptop purchased 2015-01-01; lifespan 4 years"
# Seventeen laptops past their four years (two bought the same day), one not yet due.
BOUGHT = [date(2015, 1, 1 + n) for n in range(16)] + [date(2015, 1, 5), TODAY]


def _load(engine: Engine, settings: Settings) -> None:
    records = [
        DeviceRecord(
            external_id=f"L{n:02d}",
            scope="file",
            asset_tag=f"L{n:02d}",
            device_type="laptop",
            department="Finance" if n % 2 else "Housing",
            purchased_on=bought,
            purchase_cost=800.0,
            assigned_to=f"holder{n}@example.gov.uk",
        )
        for n, bought in enumerate(BOUGHT)
    ]
    scan(engine, settings, "register", complete(records))
    with session_scope(engine) as session:
        refresh_derived(session, settings, TODAY)


def _row(html: str, key: str) -> tuple[float, ...]:
    start = html.index(f'<tr data-key="{key}">')
    found = dict(FIELD.findall(html[start : html.index("</tr>", start)]))
    return tuple(number(found[name]) for name in ("count", "cost", "uncosted"))


def _due_tags(html: str) -> list[str]:
    table = html[html.index('id="due"') : html.index("</table>", html.index('id="due"'))]
    return re.findall(r'<tr data-id="\d+"><th scope="row">([^<]+)</th>', table)


def test_the_headline_and_the_devices_due_are_the_apis(
    make_client: MakeClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    _load(engine, settings)
    admin = signed_in(Role.ADMIN)  # granted personal data, and still shown no holder
    client = make_client(Role.VIEWER)

    first = admin.get("/devices")
    second = admin.get("/devices?offset=12")
    housing = admin.get("/devices?department=Housing")

    due = client.get("/api/v1/devices", params={"due": "true", "sort": "replacement_due_on"})
    listed = [d["asset_tag"] for d in due.json()["items"]]
    api = client.get("/api/v1/devices/replacement-forecast").json()
    assert first.status_code == 200
    assert number(fields(first.text, "headlines")["due"]) == due.json()["total"] == 17
    assert _due_tags(first.text) + _due_tags(second.text) == listed
    assert listed[4:6] == ["L04", "L16"]  # bought the same day: by id
    assert len(_due_tags(first.text)) == 12
    assert REASON in first.text
    assert "holder" not in first.text + second.text
    assert {key: _row(first.text, key) for key in api["split"]} == {
        key: (line["count"], round(line["cost"]), line["uncosted"])
        for key, line in api["split"].items()
    }
    assert 'href="/devices?department=&amp;device_type=&amp;offset=12#due-heading"' in first.text
    assert number(fields(housing.text, "headlines")["due"]) == 9
    assert '<details id="by-year">' in first.text and '<details id="by-department">' in first.text
    ready = api["windows11"]
    shown = fields(first.text, "due-notes")
    assert (
        number(shown["windows11_ready"]),
        number(shown["windows11_not_ready"]),
        number(shown["windows11_unknown"]),
    ) == (ready["ready"], ready["not_ready"], ready["unknown"])


def test_the_devices_page_as_at_a_day_is_the_apis_as_at_that_day(
    make_client: MakeClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    _load(engine, settings)
    viewer = signed_in(Role.VIEWER)
    client = make_client(Role.INFRA)
    day = TODAY.isoformat()

    page = viewer.get(f"/devices?as_at={day}")
    due = client.get("/api/v1/devices", params={"due": "true", "as_at": day}).json()
    then = client.get("/api/v1/devices/replacement-forecast", params={"as_at": day}).json()

    assert page.status_code == 200 and 'id="as-at-note"' in page.text
    assert number(fields(page.text, "headlines")["due"]) == due["total"]
    assert {key: _row(page.text, key) for key in then["split"]} == {
        key: (line["count"], round(line["cost"]), line["uncosted"])
        for key, line in then["split"].items()
    }
