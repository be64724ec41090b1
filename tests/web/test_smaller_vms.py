"""VMs that could move to a smaller size: the API's `usage_below` filter on /servers and the
migration page's list are the same VMs, from vCenter's quick stats."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import Settings
from estate.inventory.records import ServerRecord
from estate.status import Role
from tests.core.helpers import complete, scan
from tests.web.conftest import SignIn


def _vms(engine: Engine, settings: Settings) -> None:
    usage = {"idle01": (3.0, 12.5), "quiet01": (8.2, 19.9), "busy01": (64.0, 71.0),
             "hungry01": (4.0, 88.0), "off01": (None, None)}  # fmt: skip
    rows = [
        ServerRecord(
            external_id=name,
            scope="vc",
            kind="virtual",
            hostname=name,
            cpu_cores=4,
            memory_gb=16.0,
            cpu_usage_percent=cpu,
            memory_usage_percent=memory,
        )
        for name, (cpu, memory) in usage.items()
    ]
    scan(engine, settings, "vc", complete(rows, "vc"), kind="vcenter")


def test_smaller_size_candidates_on_the_api_and_the_migration_page(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    _vms(engine, settings)

    listed = client.get("/api/v1/servers", params={"usage_below": 20, "sort": "cpu_usage_percent"})
    page = signed_in(Role.VIEWER).get("/migration")

    names = [s["hostname"] for s in listed.json()["items"]]
    assert names == ["idle01", "quiet01"]
    assert page.status_code == 200
    table = page.text[page.text.index('id="smaller"') :]
    shown = re.findall(r'<tr data-id="\d+">\s*<th scope="row">([^<]+)</th>', table)
    assert shown == names
    assert "3.0%" in table and "19.9%" in table
    refused = client.get("/api/v1/servers", params={"usage_below": 0})
    assert refused.status_code == 422
