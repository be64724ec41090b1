"""Property-based: schemathesis generates requests for every operation of the served OpenAPI
document and, with an admin token against a small loaded estate, finds no 5xx and no response
that breaks its declared schema. The number of examples is bounded so `make test` stays quick.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from estate.access.tokens import create_token
from estate.config import DatabaseSettings, Settings
from estate.inventory.records import DeviceRecord, NetworkDeviceRecord, ScopeEnd, WorkloadRecord
from estate.migration import statuses
from estate.status import Role
from tests.core.helpers import complete, scan, server

MAX_EXAMPLES = 12


def load_estate(engine: Engine, settings: Settings) -> None:
    """A few of everything: servers in applications, a VM host, a migrated server that is a
    decommission candidate, devices, a network device."""
    records = [
        server(
            "1",
            hostname="nbc-app01",
            serial="S1",
            kind="physical",
            site="Civic Centre",
            rack="R1",
            rack_units=2,
            power_watts=300.0,
            applications=("Payroll",),
        ),
        server(
            "2",
            hostname="nbc-web01",
            kind="virtual",
            site="Civic Centre",
            host="nbc-app01",
            applications=("Payroll", "Intranet"),
        ),
        server(
            "3",
            hostname="nbc-old01",
            kind="physical",
            site="Northgate",
            power_state="off",
            applications=("Archive",),
        ),
    ]
    scan(engine, settings, "cmdb", complete(records))
    devices = [
        DeviceRecord(
            external_id="d1",
            scope="f",
            asset_tag="NBC-L1",
            device_type="laptop",
            assigned_to="jo@example.gov.uk",
            site="Civic Centre",
        ),
        NetworkDeviceRecord(
            external_id="n1",
            scope="f",
            name="ap-1",
            site="Civic Centre",
            device_class="wireless-ap",
        ),
        ScopeEnd(scope="f", complete=True),
    ]
    scan(engine, settings, "register", devices)
    workload = WorkloadRecord(
        external_id="i-1",
        scope="aws",
        provider="aws",
        resource_type="ec2:instance",
        resource_id="arn:aws:ec2:eu-west-2:1:instance/i-1",
        state="running",
        migrated_from_server="nbc-old01",
        launched_at=datetime.now(UTC) - timedelta(days=40),
    )
    run = scan(engine, settings, "aws", complete([workload], "aws"), kind="aws")
    with Session(engine) as session:
        statuses.refresh_after_scan(session, settings, run.id)
        session.commit()


def operations() -> list[tuple[str, str]]:
    """Every operation the API serves (the document does not depend on the database)."""
    document = create_app(Settings(database=DatabaseSettings(url="sqlite://"))).openapi()
    return [(m.upper(), p) for p, methods in document["paths"].items() for m in methods]


@pytest.fixture
def api_schema(engine: Engine, settings: Settings) -> BaseSchema:
    load_estate(engine, settings)
    app = create_app(settings)
    app.state.engine = engine
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture
def admin_headers(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        token = create_token(session, "schemathesis", Role.ADMIN)
        session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("method", "path"), operations(), ids=lambda v: str(v))
def test_the_api_keeps_its_schema_and_never_fails(
    api_schema: BaseSchema, admin_headers: dict[str, str], method: str, path: str
) -> None:
    operation = api_schema[path][method]
    checks = [not_a_server_error, response_schema_conformance]

    for mode, examples in ((GenerationMode.POSITIVE, MAX_EXAMPLES), (GenerationMode.NEGATIVE, 4)):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Case) -> None:
            case.call_and_validate(headers=admin_headers, checks=checks)

        try:
            call()
        except Unsatisfiable:
            # Some operations have no invalid request to make (every input is acceptable).
            assert mode == GenerationMode.NEGATIVE
