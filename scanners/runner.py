"""Run a configured source: build its scanner, feed what it collects to estate's ingest, then
refresh what is derived from the inventory if the run changed it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from estate.config import Settings
from estate.db import session_scope
from estate.db.outages import reported
from estate.inventory.ingest import Progress, run_scan
from estate.models import ScanRun
from estate.refresh import refresh_derived
from scanners.registry import scanner_for


def run_source(
    engine: Engine, settings: Settings, source_name: str, progress: Progress | None = None
) -> ScanRun:
    source = settings.source(source_name)
    scanner = scanner_for(source, settings)
    run = run_scan(engine, settings, source, scanner.collect(), progress)
    if run.added or run.changed or run.missing or run.readings:
        doing = f"refreshing what run {run.id} of source {source_name!r} changed"
        with reported(engine, doing), session_scope(engine) as session:
            refresh_derived(session, settings, date.today(), run)
    return run
