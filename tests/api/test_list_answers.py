"""Every list answer (items and total), for each endpoint with no filter, with each documented
filter alone, each sort and a deep page, is the one the code gave before the list work
(tests/api/data/list_answers.<database>.json, recorded from that code on the same seeded
estate). `ESTATE_RECORD_LIST_ANSWERS=1` writes the file afresh instead of comparing."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from estate.config import Settings
from estate.inventory.devices import DEVICE_SORTS
from estate.inventory.servers import SERVER_SORTS
from estate.inventory.workloads import WORKLOAD_SORTS
from tests.api.conftest import MakeClient
from tests.api.list_estate import seed_estate

DATA = Path(__file__).parent / "data"

SERVER_FILTERS = [
    "site=Site 2", "site=none", "status=gone", "status=active&status=gone", "kind=physical",
    "os=rhel", "application=App 03", "migration_status=not-assessed", "strategy=rehost",
    "strategy=none", "wave=Wave 1", "wave=none", "usage_below=40", "hosting=true",
    "hosting=false", "q=srv-01", "q=corp.example", "q=SN1",
]  # fmt: skip
WORKLOAD_FILTERS = [
    "provider=azure", "account=100000000001", "region=eu-west-1", "resource_type=rds:db",
    "state=stopped", "status=gone", "ended=true", "ended=false", "server=205", "q=wl-00",
    "q=i-0000000000000001", "resilient=true", "flexible=false", "efficient=unknown",
    "oversized=true", "idle=unknown", "migrated=true", "migrated=false", "application=App 04",
    "wave=Wave 2", "wave=none", "strategy=rehost", "strategy=none", "site=Site 1",
]  # fmt: skip
DEVICE_FILTERS = [
    "site=Site 3", "status=gone", "device_type=laptop", "os=windows", "os=14.5",
    "department=Finance", "q=dev-000", "q=at001", "q=s0003", "due=true", "due=false",
    "due_from=2027-01-01", "due_before=2024-01-01", "due_from=2020-01-01&due_before=2025-01-01",
    "reason=lifespan", "reason=warranty", "reason=os-end-of-support",
    "reason=windows-11-hardware", "reason=override", "reason=stale", "disposed=true",
    "disposed=false", "windows11_ready=true", "windows11_ready=false",
    "due=true&department=IT&sort=-replacement_due_on",
]  # fmt: skip


def _cases(path: str, filters: list[str], sorts: tuple[str, ...]) -> list[str]:
    cases = [f"{path}?limit=1000", f"{path}?limit=7&offset=40"]
    cases += [f"{path}?limit=1000&{f}" for f in filters]
    cases += [f"{path}?limit=25&sort={s}" for s in sorts]
    cases += [f"{path}?limit=25&offset=30&sort=-{s}" for s in sorts]
    return cases


CASES = [
    *_cases("/api/v1/servers", SERVER_FILTERS, SERVER_SORTS),
    *_cases("/api/v1/workloads", WORKLOAD_FILTERS, WORKLOAD_SORTS),
    *_cases("/api/v1/devices", DEVICE_FILTERS, DEVICE_SORTS),
]
# Stamped at write time by refreshes (the migration status's), not facts of the estate.
VOLATILE = {"updated_at", "created_at"}


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    """The total, the ids in order, and a digest of every item's every field (the file stays
    small; a changed field shows as a changed digest, a changed order in the ids)."""
    items = [{k: v for k, v in item.items() if k not in VOLATILE} for item in body["items"]]
    text = json.dumps(items, sort_keys=True, separators=(",", ":"))
    return {
        "total": body["total"],
        "ids": [item["id"] for item in items],
        "digest": hashlib.sha256(text.encode()).hexdigest(),
    }


def test_every_list_answer_is_unchanged(
    engine: Engine, settings: Settings, make_client: MakeClient
) -> None:
    seed_estate(engine, settings)
    client = make_client()
    answers: dict[str, Any] = {}
    for case in CASES:
        response = client.get(case)
        assert response.status_code == 200, (case, response.text)
        answers[case] = _answer(response.json())
    path = DATA / f"list_answers.{engine.dialect.name}.json"
    if os.environ.get("ESTATE_RECORD_LIST_ANSWERS") == "1":
        path.write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n")
        pytest.skip(f"recorded {path}")
    expected = json.loads(path.read_text())
    assert sorted(answers) == sorted(expected)
    for case in CASES:
        assert answers[case] == expected[case], case


KEYSET_WALKS = [
    ("/api/v1/servers", ""), ("/api/v1/servers", "sort=-hostname"),
    ("/api/v1/servers", "sort=cpu_usage_percent"),
    ("/api/v1/servers", "sort=-updated_at&kind=virtual"),
    ("/api/v1/workloads", "sort=name"), ("/api/v1/workloads", "sort=-launched_at"),
    ("/api/v1/devices", "due=true"), ("/api/v1/devices", "sort=replacement_due_on"),
    ("/api/v1/devices", "sort=-asset_tag&reason=lifespan"),
    ("/api/v1/devices", "sort=purchased_on"),
]  # fmt: skip


def test_keyset_pages_walk_the_list_as_offset_pages_do(
    engine: Engine, settings: Settings, make_client: MakeClient
) -> None:
    seed_estate(engine, settings)
    client = make_client()
    for path, params in KEYSET_WALKS:
        whole = client.get(f"{path}?limit=1000&{params}").json()
        walked: list[int] = []
        url = f"{path}?limit=37&{params}"
        while True:
            page = client.get(url).json()
            assert page["total"] == whole["total"], (path, params)
            walked += [item["id"] for item in page["items"]]
            if page["next"] is None:
                break
            url = f"{path}?limit=37&{params}&after={page['next']}"
        assert walked == [item["id"] for item in whole["items"]], (path, params)


def test_a_cursor_is_refused_with_an_offset_or_another_sort(make_client: MakeClient) -> None:
    client = make_client()
    made = client.get("/api/v1/servers?limit=1&sort=hostname")
    assert made.status_code == 200
    cursor = "WyJob3N0bmFtZSIsInNydi0wMDAxIiwxXQ"  # ["hostname","srv-0001",1]

    assert client.get(f"/api/v1/servers?after={cursor}&offset=5&sort=hostname").status_code == 422
    assert client.get(f"/api/v1/servers?after={cursor}&sort=fqdn").status_code == 422
    assert client.get("/api/v1/servers?after=not-a-cursor").status_code == 422
    assert client.get(f"/api/v1/servers?after={cursor}&sort=hostname").status_code == 200
