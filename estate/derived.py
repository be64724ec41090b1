"""Facts derived from the inventory, refreshed after each scan that changed something and
once a day (dates move on even when the data does not)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from estate.replacement import refresh_replacement
from estate.replacement.policy import Policy
from estate.settings import Settings


def refresh_derived(session: Session, settings: Settings, today: date) -> None:
    refresh_replacement(session, Policy.from_settings(settings.replacement), today)
