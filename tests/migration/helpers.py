"""Builders for the migration tests: records through the real ingest, then the refresh that
the scan run calls at its end."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, true
from sqlmodel import Session

from estate.config import Settings
from estate.inventory.records import Event, WorkloadRecord
from estate.migration import hosting, progress, statuses
from estate.models import ScanRun
from estate.models.base import utcnow
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


def kept_aggregates(session: Session) -> dict[str, list[tuple[str, ...]]]:
    """The kept aggregates a write moves (progress counts, application counts, today's
    snapshot and hosting figures), as sorted rows without their ids."""
    today = utcnow().date()
    tables = {
        "counts": (progress.COUNTS, true()),
        "applications": (progress.APPS, true()),
        "snapshot": (progress.SNAPSHOTS, progress.SNAPSHOTS.c.day == today),
        "hosting": (hosting.FIGURES, hosting.FIGURES.c.day == today),
    }
    found = {}
    for name, (table, where) in tables.items():
        columns = [c for c in table.c if c.name != "id"]
        rows = session.execute(select(*columns).where(where))
        found[name] = sorted(tuple(map(str, row)) for row in rows)
    return found


def rebuilt_aggregates(engine: Engine, settings: Settings) -> dict[str, list[tuple[str, ...]]]:
    """The same after a full rebuild of every aggregate (rolled back)."""
    with Session(engine) as session:
        now = utcnow()
        progress.rebuild(session, now)
        progress.snapshot(session, now.date())
        hosting.record_day(session, now.date(), None, settings.outcomes.default_watts)
        found = kept_aggregates(session)
        session.rollback()
    return found
