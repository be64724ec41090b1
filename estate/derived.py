"""Facts derived from the inventory, refreshed after each scan that changed something and
once a day (dates move on even when the data does not): devices' replacement dates and the
forecast's counts, servers' migration statuses, the kept progress and today's snapshot."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from estate import migration
from estate.replacement import refresh_replacement
from estate.replacement.policy import Policy
from estate.settings import Settings


def refresh_derived(
    session: Session, settings: Settings, today: date, run_id: int | None = None
) -> int:
    """Returns how many servers' migration statuses changed."""
    refresh_replacement(session, Policy.from_settings(settings.replacement), today)
    return migration.refresh(session, settings, run_id=run_id)
