"""A report rendered and stored in the outbox for its recipients."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from estate.config import ConfigError, Settings
from estate.outbox.mail import enqueue
from estate.outbox.reports import report_for


def queue_report(
    session: Session, settings: Settings, name: str, today: date, dedupe_key: str | None = None
) -> int | None:
    """Render the report for `today` and enqueue it; None if `dedupe_key` was already queued."""
    config = settings.reports.get(name)
    if config is None or not config.recipients:
        raise ConfigError(f"reports.{name}: no recipients configured")
    email = report_for(name).render(session, settings, today)
    return enqueue(
        session, settings, email, config.recipients, kind=f"report:{name}", dedupe_key=dedupe_key
    )
