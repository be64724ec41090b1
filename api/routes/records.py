"""Scan runs and the change log (applications: api.routes.applications)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from api.auth import Reader
from api.deps import Limit, Offset, SessionDep, Sort
from api.routes.devices import PERSONAL
from api.schemas import Page
from estate import inventory
from estate.inventory import MAX_ID
from estate.models import ScanRun
from estate.models.change import ChangePublic
from estate.models.scan_run import ScanRunPublic
from estate.models.status import EntityKind, Permission, RunStatus

router = APIRouter(tags=["records"])


@router.get("/scans", response_model=Page[ScanRunPublic])
def list_scans(
    session: SessionDep,
    source: str | None = None,
    status: RunStatus | None = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ScanRunPublic]:
    page = inventory.list_scans(
        session, source=source, status=status, sort=sort, limit=limit, offset=offset
    )
    items = [ScanRunPublic.model_validate(r) for r in page.items]
    return Page(items=items, total=page.total, limit=limit, offset=offset)


@router.get("/scans/{run_id}", response_model=ScanRunPublic)
def get_scan(session: SessionDep, run_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> ScanRunPublic:
    run = inventory.get(session, ScanRun, run_id)
    if run is None:
        raise HTTPException(404, f"no scan run with id {run_id}")
    return ScanRunPublic.model_validate(run)


@router.get("/changes", response_model=Page[ChangePublic])
def list_changes(
    session: SessionDep,
    principal: Reader,
    entity_kind: EntityKind | None = None,
    entity_id: Annotated[int | None, Query(ge=1)] = None,
    field: str | None = None,
    scan_run: Annotated[int | None, Query(ge=1)] = None,
    actor: str | None = None,
    request_id: str | None = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ChangePublic]:
    page = inventory.list_changes(
        session,
        entity_kind=entity_kind,
        entity_id=entity_id,
        field=field,
        scan_run=scan_run,
        actor=actor,
        request_id=request_id,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    items = [ChangePublic.model_validate(c) for c in page.items]
    if not principal.may(Permission.PERSONAL_DATA):
        hidden = {"old": None, "new": None}
        items = [c.model_copy(update=hidden) if c.field in PERSONAL else c for c in items]
    return Page(items=items, total=page.total, limit=limit, offset=offset)
