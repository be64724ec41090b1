"""Run a configured source: build its scanner and feed what it collects to estate's ingest."""

from __future__ import annotations

from sqlalchemy import Engine

from estate.ingest import Progress, run_scan
from estate.models import ScanRun
from estate.settings import Settings
from scanners.registry import scanner_for


def run_source(
    engine: Engine, settings: Settings, source_name: str, progress: Progress | None = None
) -> ScanRun:
    source = settings.source(source_name)
    scanner = scanner_for(source, settings)
    return run_scan(engine, settings, source, scanner.collect(), progress)
