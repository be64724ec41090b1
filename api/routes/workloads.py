"""Cloud workloads: the list, and one workload with the server it came from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import SessionDep, found
from api.errors import answers
from api.schemas import Page
from estate.db.paging import MAX_ID
from estate.inventory import workloads
from estate.inventory.workloads import WorkloadDetail, WorkloadQuery
from estate.models.workload import WorkloadPublic

router = APIRouter(prefix="/workloads", tags=["workloads"])


@router.get("", response_model=Page[WorkloadPublic])
def list_workloads(
    session: SessionDep, query: Annotated[WorkloadQuery, Query()]
) -> Page[WorkloadPublic]:
    return Page.of(workloads.list_workloads(session, query))


@router.get("/{workload_id}", response_model=WorkloadDetail, responses=answers(404))
def get_workload(
    session: SessionDep, workload_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> WorkloadDetail:
    return found(
        workloads.workload_detail(session, workload_id),
        f"no workload with id {workload_id}",
        "workload_id",
    )
