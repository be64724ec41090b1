from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from api.deps import Limit, Offset, Search, SessionDep, Sort
from api.schemas import Page, ServerRef, WorkloadDetail
from estate import inventory
from estate.inventory import MAX_ID
from estate.models import Server, Workload
from estate.models.change import ChangePublic
from estate.models.observation import ObservationPublic
from estate.models.status import EntityStatus
from estate.models.workload import WorkloadPublic

router = APIRouter(prefix="/workloads", tags=["workloads"])


@router.get("", response_model=Page[WorkloadPublic])
def list_workloads(
    session: SessionDep,
    provider: str | None = None,
    account: str | None = None,
    region: str | None = None,
    resource_type: str | None = None,
    state: str | None = None,
    status: EntityStatus | None = None,
    server: Annotated[
        int | None, Query(ge=1, description="The on-premise server it came from.")
    ] = None,
    q: Search = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[WorkloadPublic]:
    page = inventory.list_workloads(
        session,
        provider=provider,
        account=account,
        region=region,
        resource_type=resource_type,
        state=state,
        status=status,
        server=server,
        q=q,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    items = [WorkloadPublic.model_validate(w) for w in page.items]
    return Page(items=items, total=page.total, limit=limit, offset=offset)


@router.get("/{workload_id}", response_model=WorkloadDetail)
def get_workload(
    session: SessionDep, workload_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> WorkloadDetail:
    workload = inventory.get(session, Workload, workload_id)
    if workload is None:
        raise HTTPException(404, f"no workload with id {workload_id}")
    origin = (
        inventory.get(session, Server, workload.migrated_from_server_id)
        if workload.migrated_from_server_id
        else None
    )
    return WorkloadDetail.model_validate(
        WorkloadPublic.model_validate(workload).model_dump()
        | {
            "migrated_from_server": ServerRef(id=origin.id, hostname=origin.hostname)
            if origin
            else None,
            "observations": [
                ObservationPublic.model_validate(o)
                for o in inventory.observations_of(session, "workload", workload_id)
            ],
            "changes": [
                ChangePublic.model_validate(c)
                for c in inventory.history_of(session, "workload", workload_id)
            ],
        }
    )
