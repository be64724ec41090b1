"""Scan runs and the change log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.auth import CurrentActor, Reader, personal_read
from api.deps import SessionDep, found
from api.errors import answers
from api.schemas import Page
from estate.db.paging import MAX_ID
from estate.history import changes
from estate.history.changes import ChangeQuery
from estate.models.change import ChangePublic
from estate.models.scan_run import ScanRunPublic
from estate.operations import runs
from estate.operations.runs import ScanQuery
from estate.status import Permission

router = APIRouter(tags=["records"])


@router.get("/scans", response_model=Page[ScanRunPublic])
def list_scans(session: SessionDep, query: Annotated[ScanQuery, Query()]) -> Page[ScanRunPublic]:
    return Page.of(runs.list_scans(session, query))


@router.get("/scans/{run_id}", response_model=ScanRunPublic, responses=answers(404))
def get_scan(session: SessionDep, run_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> ScanRunPublic:
    return found(runs.scan_run(session, run_id), f"no scan run with id {run_id}", "run_id")


@router.get("/changes", response_model=Page[ChangePublic])
def list_changes(
    session: SessionDep,
    principal: Reader,
    actor: CurrentActor,
    query: Annotated[ChangeQuery, Query()],
) -> Page[ChangePublic]:
    """Changes; one that shows who held a device is a read of personal data (an access event)."""
    personal = principal.may(Permission.PERSONAL_DATA)
    page = changes.list_changes(session, query, personal)
    shown = sum(1 for change in page.items if change.field in changes.PERSONAL_FIELDS)
    if personal and shown:
        personal_read(session, principal, actor, shown, "changes list")
    return Page.of(page)
