"""Rows made directly for report and alert tests: the reports only read these tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from estate.models import Decommission, Device, ScanRun, Server, Site, Workload
from estate.models.base import utcnow
from estate.status import DecommissionDecision, DeviceType, EntityStatus, RunStatus, ServerKind


def add_site(session: Session, name: str) -> Site:
    site = Site(name=name)
    session.add(site)
    session.flush()
    return site


def add_server(session: Session, hostname: str, **fields: Any) -> Server:
    fields.setdefault("kind", ServerKind.PHYSICAL)
    fields.setdefault("created_at", utcnow() - timedelta(days=30))
    server = Server(hostname=hostname, **fields)
    session.add(server)
    session.flush()
    return server


def add_review(session: Session, server: Server, **fields: Any) -> Decommission:
    """The capital assets team's decision on a candidate: approved by assets-team, now."""
    fields.setdefault("decision", DecommissionDecision.APPROVE)
    fields.setdefault("reviewer", "assets-team")
    fields.setdefault("reviewed_at", utcnow())
    assert server.id is not None
    review = Decommission(server_id=server.id, **fields)
    session.add(review)
    session.flush()
    return review


def add_workload(session: Session, server: Server, created_at: datetime, **fields: Any) -> Workload:
    workload = Workload(
        provider="aws",
        resource_type="ec2:instance",
        resource_id=f"arn:aws:ec2:eu-west-2:111122223333:instance/i-{server.hostname}",
        migrated_from_server_id=server.id,
        created_at=created_at,
        **fields,
    )
    session.add(workload)
    session.flush()
    return workload


def add_device(session: Session, asset_tag: str, due: date | None, **fields: Any) -> Device:
    fields.setdefault("device_type", DeviceType.LAPTOP)
    device = Device(asset_tag=asset_tag, replacement_due_on=due, **fields)
    session.add(device)
    session.flush()
    return device


def add_run(
    session: Session,
    source: str,
    status: RunStatus,
    started_at: datetime | None = None,
    reason: str | None = None,
) -> ScanRun:
    started = started_at or utcnow()
    errors = [{"scope": None, "reason": reason, "row": None, "column": None, "target": None}]
    run = ScanRun(
        source=source,
        kind="cmdb",
        started_at=started,
        finished_at=started + timedelta(seconds=5),
        status=status,
        errors=errors if reason else [],
    )
    session.add(run)
    session.flush()
    return run


__all__ = ["EntityStatus", "add_device", "add_run", "add_server", "add_site", "add_workload"]
