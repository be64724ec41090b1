"""Decommission candidates with their evidence; the capital assets team reviews and records
removal. Exports (?format=csv|xlsx) carry what the asset register needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import Response

from api.auth import CurrentActor, require
from api.deps import Limit, Offset, SessionDep, SettingsDep
from api.export import EXPORT_RESPONSES, ExportFormat, export_rows
from api.schemas import Page
from estate import decommission, inventory, migration
from estate.decommission import Candidate
from estate.models.base import utcnow
from estate.models.status import DecommissionDecision, MigrationStatus, Permission

router = APIRouter(prefix="/decommission", tags=["decommission"])
Assets = [Depends(require(Permission.DECOMMISSION))]
ServerId = Annotated[int, Path(ge=1, le=inventory.MAX_ID)]

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
    status: MigrationStatus | None = None,
    decision: DecommissionDecision | None = None,
    site: Annotated[str | None, Query(max_length=200, description="Site id or name.")] = None,
    format: ExportFormat = ExportFormat.JSON,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Candidate] | Response:
    """Servers migrated (a linked workload running long enough) or retired whose on-premise
    side is off or long unseen, and every server already reviewed, each with its evidence."""
    if format != ExportFormat.JSON:
        rows = decommission.iter_candidates(session, status=status, decision=decision, site=site)
        return export_rows(
            (c.model_dump() for c in rows), EXPORT_COLUMNS, format, "decommission-candidates"
        )
    page = decommission.list_candidates(
        session, status=status, decision=decision, site=site, limit=limit, offset=offset
    )
    return Page(items=page.items, total=page.total, limit=limit, offset=offset)


def _candidate(session: SessionDep, server_id: int) -> Candidate:
    found = decommission.get_candidate(session, server_id)
    if found is None:
        raise HTTPException(404, f"server {server_id} is not listed for decommission")
    return found


@router.post("/{server_id}/review", response_model=Candidate, dependencies=Assets)
def review(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    server_id: ServerId,
    body: decommission.ReviewIn,
) -> Candidate:
    """Approve, reject or defer a candidate, with a note."""
    decommission.review(session, actor, server_id, body)
    migration.refresh(session, settings, server_ids=[server_id], actor=actor)
    session.commit()
    return _candidate(session, server_id)


@router.post("/{server_id}/complete", response_model=Candidate, dependencies=Assets)
def complete(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    server_id: ServerId,
    body: decommission.CompleteIn,
) -> Candidate:
    """Record an approved server's removal, disposal and data sanitisation."""
    decommission.complete(session, actor, server_id, body, today=utcnow().date())
    migration.refresh(session, settings, server_ids=[server_id], actor=actor)
    session.commit()
    return _candidate(session, server_id)
