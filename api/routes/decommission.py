"""Decommission candidates with their evidence; the capital assets team reviews and records
removal. Exports (?format=csv|xlsx) carry what the asset register needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from sqlmodel import Session

from api.auth import CurrentActor, require
from api.deps import AsAt, SessionDep, SettingsDep
from api.errors import answers
from api.export import EXPORT_RESPONSES, ExportFormat, export_rows
from api.schemas import Page
from estate.db.paging import MAX_ID, BadQuery
from estate.migration import decommission, decommission_at
from estate.migration.decommission import Candidate, CandidateQuery
from estate.models.base import utcnow
from estate.status import Permission

router = APIRouter(prefix="/decommission", tags=["decommission"])
Assets = [Depends(require(Permission.DECOMMISSION))]
ServerId = Annotated[int, Path(ge=1, le=MAX_ID)]
WRITES = answers(400, 403, 404, 409, 413)

EXPORT_COLUMNS = [
    ("hostname", "Hostname"),
    ("serial", "Serial"),
    ("asset_tag", "Asset tag"),
    ("site", "Site"),
    ("room", "Room"),
    ("rack", "Rack"),
    ("rack_unit", "Unit"),
    ("rack_units", "Units high"),
    ("power_watts", "Watts"),
    ("applications", "Application"),
    ("migration_status", "Status"),
    ("evidence", "Evidence"),
    ("decision", "Decision"),
    ("note", "Note"),
    ("reviewer", "Reviewer"),
    ("reviewed_at", "Reviewed"),
    ("removed_on", "Removed on"),
    ("disposal_reference", "Disposal reference"),
    ("data_sanitisation_reference", "Data sanitisation reference"),
    ("completed_by", "Recorded by"),
    ("completed_at", "Recorded"),
]


@router.get("/candidates", response_model=Page[Candidate], responses=EXPORT_RESPONSES)
def list_candidates(
    session: SessionDep,
    moment: AsAt,
    query: Annotated[CandidateQuery, Query()],
    format: ExportFormat = ExportFormat.JSON,
) -> Page[Candidate] | Response:
    """Servers migrated (a linked workload running long enough) or retired whose on-premise
    side is off or long unseen, and every server already reviewed, each with its evidence; as
    at a day, the list as it stood then (decisions and removals from the change log)."""
    if moment is not None:
        if format != ExportFormat.JSON:
            raise BadQuery("as_at", "a download is of today's list; leave out as_at")
        return Page.of(decommission_at.list_candidates_at(session, query, moment))
    if format != ExportFormat.JSON:
        return export_candidates(session, query, format)
    return Page.of(decommission.list_candidates(session, query))


def export_candidates(session: Session, query: CandidateQuery, format: ExportFormat) -> Response:
    """The candidates as a CSV or XLSX file (the API's ?format= and the dashboard's link)."""
    rows = decommission.iter_candidates(session, query)
    return export_rows(
        (c.model_dump() for c in rows),
        EXPORT_COLUMNS,
        format,
        "decommission-candidates",
        "Decommission",
    )


@router.post("/{server_id}/review", response_model=Candidate, dependencies=Assets, responses=WRITES)
def review(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    server_id: ServerId,
    body: decommission.ReviewIn,
) -> Candidate:
    """Approve, reject or defer a candidate, with a note."""
    reviewed = decommission.review(session, settings, actor, server_id, body)
    session.commit()
    return reviewed


@router.post(
    "/{server_id}/complete", response_model=Candidate, dependencies=Assets, responses=WRITES
)
def complete(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    server_id: ServerId,
    body: decommission.CompleteIn,
) -> Candidate:
    """Record an approved server's removal, disposal and data sanitisation."""
    completed = decommission.complete(
        session, settings, actor, server_id, body, today=utcnow().date()
    )
    session.commit()
    return completed
