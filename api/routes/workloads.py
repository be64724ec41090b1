"""Cloud workloads: the list, one workload with the server it came from, and its history;
the list and one workload as at a past day (`as_at`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.deps import AsAt, SessionDep, found
from api.errors import answers
from api.schemas import Page
from estate.db.paging import MAX_ID, PageQuery
from estate.history.timeline import TimelineEntry, timeline
from estate.inventory import kinds_at, workloads
from estate.inventory.workloads import WorkloadDetail, WorkloadQuery
from estate.models.workload import WorkloadPublic
from estate.status import EntityKind

router = APIRouter(prefix="/workloads", tags=["workloads"])
WorkloadId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("", response_model=Page[WorkloadPublic])
def list_workloads(
    session: SessionDep, moment: AsAt, query: Annotated[WorkloadQuery, Query()]
) -> Response:
    if moment is not None:
        return Page.response(kinds_at.list_workloads_at(session, query, moment))
    return Page.response(workloads.list_workloads(session, query))


@router.get("/{workload_id}", response_model=WorkloadDetail, responses=answers(404))
def get_workload(session: SessionDep, moment: AsAt, workload_id: WorkloadId) -> WorkloadDetail:
    """The workload; as at a day, as it stood then, with the server it came from then."""
    missing = f"no workload with id {workload_id}"
    if moment is not None:
        return found(kinds_at.workload_at(session, workload_id, moment), missing, "workload_id")
    return found(workloads.workload_detail(session, workload_id), missing, "workload_id")


@router.get("/{workload_id}/history", response_model=Page[TimelineEntry])
def workload_history(
    session: SessionDep, workload_id: WorkloadId, page: Annotated[PageQuery, Query()]
) -> Page[TimelineEntry]:
    """Every change of the workload's fields and each source's sightings, newest first."""
    return Page.of(timeline(session, EntityKind.WORKLOAD, workload_id, page, personal=False))
