"""The API's contract under hostile input (issue 21): bounded integers, a bounded body that is
never echoed back whole, sorts from each list's declared fields, the operation authorised
before its body, one error body for every 4xx, days written as days, and an OpenAPI document
that declares every status an operation answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from estate.access.tokens import create_token
from estate.config import DatabaseSettings, SchedulerSettings, Settings, SourceConfig
from estate.status import Role
from tests.api.conftest import MakeClient
from tests.api.test_devices_api import load as load_devices

INT32_MAX = 2**31 - 1


def problem(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"detail": [{"loc": loc, "msg": msg, "type": kind}]}


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/workloads?server=2147483648", "server"),
        ("/api/v1/changes?entity_id=99999999999999999999", "entity_id"),
        ("/api/v1/changes?scan_run=2147483648", "scan_run"),
        ("/api/v1/progress/history?wave=2147483648", "wave"),
    ],
)
def test_an_integer_past_what_the_database_holds_is_a_422_naming_it(
    client: TestClient, path: str, parameter: str
) -> None:
    answer = client.get(path)
    assert (answer.status_code, answer.json()["detail"][0]["loc"]) == (422, ["query", parameter])
    assert client.get("/api/v1/workloads").status_code == 200  # and the connection goes on


def openapi() -> dict[str, Any]:
    return create_app(Settings(database=DatabaseSettings(url="sqlite://"))).openapi()


def integer_schemas(schema: dict[str, Any], components: dict[str, Any]) -> Iterator[dict]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type") == "integer":
        yield schema
    for part in (*schema.get("anyOf", ()), *schema.get("properties", {}).values()):
        yield from integer_schemas(part, components)
    if "items" in schema:
        yield from integer_schemas(schema["items"], components)


def test_every_integer_a_client_sends_is_bounded_to_what_the_database_holds() -> None:
    document = openapi()
    components = document["components"]["schemas"]
    unbounded = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            inputs = [p["schema"] for p in operation.get("parameters", [])]
            inputs += [
                c["schema"] for c in operation.get("requestBody", {}).get("content", {}).values()
            ]
            for schema in (s for given in inputs for s in integer_schemas(given, components)):
                if not (
                    schema.get("minimum", -1e99) >= -INT32_MAX - 1
                    and schema.get("maximum", 1e99) <= INT32_MAX
                ):
                    unbounded.append(f"{method} {path}")
    assert unbounded == []


@pytest.fixture
def small_body_client(engine: Engine, settings: Settings) -> TestClient:
    settings.http.max_body_bytes = 1000
    app = create_app(settings)
    app.state.engine = engine
    with Session(engine) as session:
        token = create_token(session, "limited", Role.ADMIN)
        session.commit()
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_a_body_over_the_limit_is_a_413_whether_its_length_is_declared_or_not(
    small_body_client: TestClient,
) -> None:
    big = b'{"name": "' + b"x" * 2000 + b'"}'
    declared = small_body_client.post(
        "/api/v1/applications", content=big, headers={"Content-Type": "application/json"}
    )
    chunked = small_body_client.post(
        "/api/v1/applications",
        content=iter([big[:600], big[600:]]),
        headers={"Content-Type": "application/json"},
    )
    said = problem(["body"], "the request body is over the limit of 1000 bytes", "too_large")
    assert (declared.status_code, declared.json()) == (413, said)
    assert (chunked.status_code, chunked.json()) == (413, said)
    assert small_body_client.get("/api/v1/applications").json()["total"] == 0


def test_a_rejected_value_is_echoed_back_only_as_a_short_prefix(client: TestClient) -> None:
    answer = client.post("/api/v1/applications", json={"name": "x" * 100_000})
    [error] = answer.json()["detail"]
    assert (answer.status_code, error["loc"], error["type"]) == (
        422,
        ["body", "name"],
        "string_too_long",
    )
    assert error["input"] == "x" * 100 + "… (100000 characters)"


@pytest.mark.parametrize("sort", ["--id", "---id", "--hostname", "-", "hostname-", " id"])
def test_a_sort_that_is_not_a_field_or_one_dash_and_a_field_is_a_422(
    client: TestClient, sort: str
) -> None:
    answer = client.get("/api/v1/servers", params={"sort": sort})
    assert (answer.status_code, answer.json()["detail"][0]["loc"]) == (422, ["query", "sort"])


def test_the_sorts_a_list_takes_are_declared_in_its_openapi() -> None:
    [sort] = [
        p for p in openapi()["paths"]["/api/v1/scans"]["get"]["parameters"] if p["name"] == "sort"
    ]
    assert sort["schema"]["anyOf"][0]["pattern"] == "^-?(id|source|started_at|finished_at|status)$"


def test_a_role_that_may_change_no_device_is_refused_before_its_body_is_read(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    load_devices(engine, settings)
    viewer = make_client(Role.VIEWER)
    empty = viewer.patch("/api/v1/devices/1", json={})
    unreadable = viewer.patch("/api/v1/devices/1", json={"disposed_on": 5})
    said = problem(
        ["header", "Authorization"], "the viewer role may not change devices", "forbidden"
    )
    assert (empty.status_code, empty.json()) == (403, said)
    assert (unreadable.status_code, unreadable.json()) == (403, said)


def test_a_role_refused_one_field_is_told_which(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    load_devices(engine, settings)
    answer = make_client(Role.INFRA).patch("/api/v1/devices/1", json={"disposed_on": "2026-01-05"})
    said = problem(["body", "disposed_on"], "the infra role may not set disposed_on", "forbidden")
    assert (answer.status_code, answer.json()) == (403, said)


def test_every_client_error_has_the_one_body(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    load_devices(engine, settings)
    admin, nobody = make_client(Role.ADMIN), make_client(None)
    admin.patch("/api/v1/devices/1", json={"disposed_on": "2026-01-05"})
    undo = admin.patch("/api/v1/devices/1", json={"disposed_on": None})
    assert (undo.status_code, undo.json()) == (
        422,
        problem(["body", "disposed_on"], "a disposal cannot be undone", "value_error"),
    )
    assert nobody.get("/api/v1/servers").json() == problem(
        ["header", "Authorization"], "a bearer token is required", "unauthorized"
    )
    assert admin.get("/api/v1/servers/7").json() == problem(
        ["path", "server_id"], "no server with id 7", "not_found"
    )
    assert admin.patch("/api/v1/waves/7", json={"name": "W"}).json() == problem(
        ["path"], "no wave with id 7", "not_found"
    )
    assert admin.get("/no/such/page").json() == problem(["path"], "Not Found", "not_found")
    assert admin.get("/api/v1/servers", params={"site": "Atlantis"}).json() == problem(
        ["query", "site"], "no site named 'Atlantis'", "value_error"
    )
    admin.post("/api/v1/waves", json={"name": "W"})
    assert admin.post("/api/v1/waves", json={"name": "W"}).json() == problem(
        [], "a wave named 'W' already exists", "conflict"
    )


@pytest.mark.parametrize("day", ["0", "1700000000", "2026-1-5", "05/01/2026", "2026-01-05T00:00"])
def test_a_day_is_written_yyyy_mm_dd_and_nothing_else(client: TestClient, day: str) -> None:
    answer = client.get("/api/v1/progress/history", params={"to": day})
    assert (answer.status_code, answer.json()["detail"][0]["loc"]) == (422, ["query", "to"])
    body = client.post("/api/v1/waves", json={"name": "W", "planned_start": 0})
    assert (body.status_code, body.json()["detail"][0]["loc"]) == (422, ["body", "planned_start"])


def test_a_day_past_any_plan_is_a_422_not_an_overflow(client: TestClient) -> None:
    answer = client.get("/api/v1/devices/replacement-forecast", params={"due_before": "0001-01-01"})
    assert (answer.status_code, answer.json()["detail"][0]["loc"]) == (422, ["query", "due_before"])


def test_every_operation_declares_the_errors_it_answers() -> None:
    paths = openapi()["paths"]

    def declared(method: str, path: str) -> list[str]:
        return sorted(paths[path][method]["responses"])

    assert declared("get", "/api/v1/servers") == ["200", "401", "422", "503"]
    assert declared("get", "/api/v1/servers/{server_id}") == ["200", "401", "404", "422", "503"]
    assert declared("patch", "/api/v1/devices/{device_id}") == [
        *("200", "400", "401", "403", "404", "413", "422", "503")
    ]
    assert declared("post", "/api/v1/assignments/csv") == [
        *("200", "400", "401", "403", "413", "422", "503")
    ]
    error = paths["/api/v1/servers"]["get"]["responses"]["401"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/Problems"}


def test_a_queued_scan_is_linked_to_its_request_not_to_a_run(
    make_client: MakeClient, settings: Settings
) -> None:
    settings.sources = [SourceConfig(name="cmdb", kind="cmdb", options={"path": "x.csv"})]
    client = make_client(Role.ADMIN)
    queued = client.post("/api/v1/scans", json={"source": "cmdb"})
    followed = client.get(queued.headers["Location"])
    assert (queued.status_code, followed.status_code) == (202, 200)
    assert followed.json()["id"] == queued.json()["id"]
    links = openapi()["paths"]["/api/v1/scans"]["post"]["responses"]["202"]["links"]
    assert links == {
        "GetScanRequest": {
            "operationId": "get_scan_request",
            "parameters": {"request_id": "$response.body#/id"},
        }
    }


@pytest.mark.parametrize("blank", ["", "  "])
def test_daily_refresh_set_empty_in_the_environment_is_off(
    monkeypatch: pytest.MonkeyPatch, blank: str
) -> None:
    monkeypatch.setenv("ESTATE_SCHEDULER_DAILY_REFRESH", blank)
    assert Settings().scheduler.daily_refresh is None
    assert SchedulerSettings(daily_refresh=blank).daily_refresh is None
