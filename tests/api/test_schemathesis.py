"""Property-based: schemathesis runs every phase it has (examples, coverage, fuzzing and
stateful, following the OpenAPI links) against `estate serve`'s app on a real socket, with an
admin token and a small loaded estate, and finds no 5xx, no status, content type or body the
OpenAPI document does not declare, and no invalid request accepted. The examples per
operation and the run's time are bounded so `make test` stays quick.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from estate.access.tokens import create_token
from estate.config import Settings
from estate.inventory.records import DeviceRecord, NetworkDeviceRecord, ScopeEnd, WorkloadRecord
from estate.migration import statuses
from estate.status import Role
from tests.core.helpers import complete, scan, server
from tests.peers import free_port

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Bounds the run: with --max-time instead, fuzzing and stateful repeat until it is spent.
MAX_EXAMPLES = 5


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


@pytest.fixture
def served(engine: Engine, settings: Settings) -> Iterator[str]:
    """The app on a loopback port, over the test's database loaded with a small estate."""
    load_estate(engine, settings)
    app = create_app(settings)
    app.state.engine = engine
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def admin_token(engine: Engine) -> str:
    with Session(engine) as session:
        token = create_token(session, "schemathesis", Role.ADMIN)
        session.commit()
    return token


def test_the_api_keeps_its_contract_in_every_phase(
    served: str, admin_token: str, tmp_path: Path
) -> None:
    command = [
        *(str(Path(sys.executable).parent / "schemathesis"), "run", f"{served}/openapi.json"),
        *("--phases", ",".join(PHASES), "--checks", ",".join(CHECKS)),
        *("--max-examples", str(MAX_EXAMPLES)),
        *("--seed", "1", "--workers", "1", "--report-dir", str(tmp_path)),
        *("--header", f"Authorization: Bearer {admin_token}"),
    ]
    run = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stdout[-20000:]
    summary = run.stdout[run.stdout.rindex("Test Phases:") :]
    assert [p for p in PHASES if f"\u2705 {p.title()}" in summary] == list(PHASES[1:]), summary
