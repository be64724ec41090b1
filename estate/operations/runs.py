"""Scan runs as the readers see them: the filtered, sorted list, one run, each source's last."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db.paging import Page, SortedQuery, sort_by
from estate.models import ScanRun
from estate.models.scan_run import ScanRunPublic
from estate.operations.scan_lists import list_by_source_and_status, public_by_id
from estate.status import RunStatus

SCAN_SORTS = ("id", "source", "started_at", "finished_at", "status")


class ScanQuery(SortedQuery):
    """`GET /scans`."""

    sort: str | None = sort_by(SCAN_SORTS)

    source: str | None = None
    status: RunStatus | None = None


def list_scans(session: Session, query: ScanQuery) -> Page:
    filters = (query.source, query.status)
    return list_by_source_and_status(session, ScanRun, ScanRunPublic, query, SCAN_SORTS, filters)


def scan_run(session: Session, run_id: int) -> ScanRunPublic | None:
    return public_by_id(session, ScanRun, ScanRunPublic, run_id)


def any_runs(session: Session) -> bool:
    """Whether any scan has run here (`estate demo` loads only a database that has none)."""
    return session.execute(select(col(ScanRun.id)).limit(1)).first() is not None


def last_runs(session: Session) -> dict[str, ScanRun]:
    """Each source's latest run, whatever its outcome."""
    latest_ids = select(func.max(col(ScanRun.id))).group_by(col(ScanRun.source))
    query = select(ScanRun).where(col(ScanRun.id).in_(latest_ids))
    return {run.source: run for run in session.execute(query).scalars()}


def last_ok(session: Session) -> dict[str, datetime]:
    """When each source's last successful run finished."""
    query = (
        select(col(ScanRun.source), func.max(col(ScanRun.finished_at)))
        .where(col(ScanRun.status) == RunStatus.OK)
        .group_by(col(ScanRun.source))
    )
    return {source: finished for source, finished in session.execute(query).all() if finished}
