"""Facts derived from the inventory, refreshed after each scan that changed something and
once a day (dates move on even when the data does not): devices' replacement dates and the
forecast's counts, servers' migration statuses, the kept progress and today's snapshot."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from estate import migration
from estate.models import Observation, ScanRun
from estate.replacement import refresh_replacement
from estate.replacement.policy import Policy
from estate.settings import Settings


def refresh_derived(
    session: Session, settings: Settings, today: date, run: ScanRun | None = None
) -> int:
    """Everything when `run` is None (the daily job); else only the devices that run saw or
    lost, so a server scan never re-evaluates every device. Returns how many servers'
    migration statuses changed."""
    device_ids = None if run is None else devices_of_run(session, run)
    if device_ids is None or device_ids:
        policy = Policy.from_settings(settings.replacement)
        refresh_replacement(session, policy, today, device_ids)
    return migration.refresh(session, settings, run_id=run.id if run else None)


def devices_of_run(session: Session, run: ScanRun) -> list[int]:
    seen = col(Observation.last_run_id) == run.id
    lost = (col(Observation.source) == run.source) & (
        col(Observation.missing_since) == run.started_at
    )
    query = select(col(Observation.entity_id)).where(
        col(Observation.entity_kind) == "device",
        col(Observation.entity_id).is_not(None),
        seen | lost,
    )
    return sorted({entity_id for entity_id in session.execute(query).scalars() if entity_id})
