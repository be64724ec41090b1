"""Builders for the migration tests: records through the real ingest, then the refresh that
the scan run calls at its end."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from estate.config import Settings
from estate.inventory.records import Event, WorkloadRecord
from estate.migration import statuses
from estate.models import ScanRun
from tests.core.helpers import scan

# What a site's hosting figures are, in the order the tests list their values.
HOSTING_FIGURES = (
    "servers",
    "physical_servers",
    "virtual_servers",
    "physical_hosts",
    "racks",
    "rack_units",
    "watts",
    "access_points",
)


def scan_and_refresh(
    engine: Engine, settings: Settings, name: str, events: Iterable[Event], kind: str = "cmdb"
) -> ScanRun:
    run = scan(engine, settings, name, events, kind=kind)
    with Session(engine) as session:
        statuses.refresh_after_scan(session, settings, run.id)
        session.commit()
    return run


def refresh(engine: Engine, settings: Settings, now: datetime | None = None) -> None:
    with Session(engine) as session:
        statuses.refresh(session, settings, now=now)
        session.commit()


def instance(external_id: str, source_server: str, **fields: Any) -> WorkloadRecord:
    values: dict[str, Any] = {
        "provider": "aws",
        "account_id": "111122223333",
        "region": "eu-west-2",
        "resource_type": "ec2-instance",
        "resource_id": f"arn:aws:ec2:eu-west-2:111122223333:instance/{external_id}",
        "name": source_server,
        "state": "running",
        "migrated_from_server": source_server,
    }
    return WorkloadRecord(
        external_id=external_id, scope="111122223333/eu-west-2", **(values | fields)
    )
