"""Facts derived from the inventory, refreshed after each scan that changed something and
once a day (dates move on even when the data does not): devices' replacement dates and the
forecast's counts, workloads' outcomes, servers' migration statuses, the kept progress and
today's snapshot."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from estate.config import Settings
from estate.devices.policy import Policy
from estate.devices.store import refresh_replacement
from estate.migration import statuses
from estate.migration.outcomes import refresh_outcomes
from estate.models import Observation, ScanRun


def refresh_derived(
    session: Session, settings: Settings, today: date, run: ScanRun | None = None
) -> int:
    """Everything when `run` is None (the daily job); else only the devices that run saw or
    lost, so a server scan never re-evaluates every device. Returns how many servers'
    migration statuses changed."""
    device_ids = None if run is None else entities_of_run(session, run, "device")
    if device_ids is None or device_ids:
        policy = Policy.from_settings(settings.replacement)
        refresh_replacement(session, policy, today, device_ids)
    workload_ids = None if run is None else entities_of_run(session, run, "workload")
    if workload_ids is None or workload_ids:
        refresh_outcomes(
            session, settings.outcomes, workload_ids=workload_ids, run_id=run.id if run else None
        )
    return statuses.refresh(session, settings, run_id=run.id if run else None)


def entities_of_run(session: Session, run: ScanRun, kind: str) -> list[int]:
    """The entities of a kind that the run saw or lost."""
    seen = col(Observation.last_run_id) == run.id
    lost = (col(Observation.source) == run.source) & (
        col(Observation.missing_since) == run.started_at
    )
    query = select(col(Observation.entity_id)).where(
        col(Observation.entity_kind) == kind,
        col(Observation.entity_id).is_not(None),
        seen | lost,
    )
    return sorted({entity_id for entity_id in session.execute(query).scalars() if entity_id})
