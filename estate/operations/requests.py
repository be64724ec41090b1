"""Scans asked for through the API: queued here, run by a scheduler, never by a web worker.

A scheduler takes the oldest queued request with a guarded UPDATE (queued -> running for it
alone), so any number of schedulers share the queue without running a request twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from estate.config import Settings
from estate.db.paging import Page, SortedQuery, sort_by
from estate.history.changelog import Actor
from estate.models import ScanRequest, ScanRun
from estate.models.base import utcnow
from estate.models.scan_request import ScanRequestPublic
from estate.operations.scan_lists import list_by_source_and_status, public_by_id
from estate.status import RequestStatus


class UnknownSource(ValueError):
    pass


def request_scan(session: Session, settings: Settings, source: str, actor: Actor) -> ScanRequest:
    """Queue a scan of a configured, enabled source."""
    known = {s.name: s for s in settings.sources}
    if source not in known:
        names = ", ".join(sorted(known)) or "none configured"
        raise UnknownSource(f"no source named {source!r} (known: {names})")
    if not known[source].enabled:
        raise UnknownSource(f"source {source!r} is disabled in the configuration")
    request = ScanRequest(source=source, requested_by=actor.name, request_id=actor.request_id)
    session.add(request)
    session.flush()
    return request


REQUEST_SORTS = ("id", "source", "status", "requested_at", "started_at", "finished_at")


class ScanRequestQuery(SortedQuery):
    """`GET /scans/requests`."""

    sort: str | None = sort_by(REQUEST_SORTS)

    source: str | None = None
    status: RequestStatus | None = None


def scan_request(session: Session, request_id: int) -> ScanRequestPublic | None:
    return public_by_id(session, ScanRequest, ScanRequestPublic, request_id)


def list_requests(session: Session, query: ScanRequestQuery) -> Page:
    filters = (query.source, query.status)
    return list_by_source_and_status(
        session, ScanRequest, ScanRequestPublic, query, REQUEST_SORTS, filters
    )


def take_next(engine: Engine, worker: str) -> ScanRequest | None:
    """Claim the oldest queued request for this worker, or None if the queue is empty."""
    with Session(engine, expire_on_commit=False) as session:
        while True:
            oldest = session.execute(
                select(col(ScanRequest.id))
                .where(col(ScanRequest.status) == RequestStatus.QUEUED)
                .order_by(col(ScanRequest.id))
                .limit(1)
            ).scalar()
            if oldest is None:
                return None
            result: Any = session.execute(
                update(ScanRequest)
                .where(
                    col(ScanRequest.id) == oldest,
                    col(ScanRequest.status) == RequestStatus.QUEUED,
                )
                .values(status=RequestStatus.RUNNING, started_at=utcnow(), claimed_by=worker)
            )
            session.commit()
            if result.rowcount == 1:
                return session.get(ScanRequest, oldest)
            # Another scheduler took it between the two statements: try the next.


def finish(
    engine: Engine,
    request_id: int,
    run: ScanRun | None,
    error: str | None = None,
    *,
    requeue: bool = False,
) -> None:
    """Record how a request ended: its run, or why it did not run (then, if asked, requeue)."""
    if requeue:
        values: dict[str, Any] = {"status": RequestStatus.QUEUED, "claimed_by": None}
    else:
        values = {
            "status": RequestStatus.DONE if run is not None else RequestStatus.FAILED,
            "finished_at": utcnow(),
            "scan_run_id": run.id if run is not None else None,
        }
    with Session(engine) as session:
        session.execute(
            update(ScanRequest)
            .where(col(ScanRequest.id) == request_id)
            .values(error=error, **values)
        )
        session.commit()
