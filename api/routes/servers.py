from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from api.deps import Limit, Offset, Search, SessionDep, SettingsDep, Sort
from api.schemas import Page, ServerDetail, ServerRef
from estate import inventory, migration
from estate.models import Server
from estate.models.change import ChangePublic
from estate.models.observation import ObservationPublic
from estate.models.server import ServerPublic
from estate.models.status import EntityStatus, MigrationStatus, ServerKind, Strategy
from estate.models.workload import WorkloadPublic

router = APIRouter(prefix="/servers", tags=["servers"])


def public(server: Server, sites: dict[int, str], apps: list[str]) -> ServerPublic:
    site = sites.get(server.site_id) if server.site_id else None
    return ServerPublic.model_validate(server, update={"site": site, "applications": apps})


@router.get("", response_model=Page[ServerPublic])
def list_servers(
    session: SessionDep,
    site: Annotated[str | None, Query(description="Site id or name.")] = None,
    status: EntityStatus | None = None,
    kind: ServerKind | None = None,
    os: Annotated[str | None, Query(description="Operating system name contains.")] = None,
    application: Annotated[str | None, Query(description="Application name.")] = None,
    migration_status: Annotated[
        list[MigrationStatus] | None, Query(description="One or more migration statuses.")
    ] = None,
    strategy: Annotated[
        Strategy | Literal["none"] | None, Query(description="Strategy in force, or 'none'.")
    ] = None,
    wave: Annotated[
        str | None, Query(max_length=200, description="Wave id, name or 'none'.")
    ] = None,
    q: Search = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ServerPublic]:
    page = inventory.list_servers(
        session,
        site=site,
        status=status,
        kind=kind,
        os=os,
        application=application,
        migration_status=migration_status,
        strategy=strategy,
        wave=wave,
        q=q,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    sites = inventory.site_names(session, {s.site_id for s in page.items})
    apps = inventory.server_applications(session, [s.id for s in page.items])
    items = [public(s, sites, list(apps.get(s.id, []))) for s in page.items]
    return Page(items=items, total=page.total, limit=limit, offset=offset)


@router.get("/{server_id}", response_model=ServerDetail)
def get_server(
    session: SessionDep,
    settings: SettingsDep,
    server_id: Annotated[int, Path(ge=1, le=inventory.MAX_ID)],
) -> ServerDetail:
    server = inventory.get(session, Server, server_id)
    if server is None:
        raise HTTPException(404, f"no server with id {server_id}")
    sites = inventory.site_names(session, {server.site_id})
    apps = inventory.server_applications(session, [server_id]).get(server_id, [])
    host = inventory.get(session, Server, server.host_id) if server.host_id else None
    return ServerDetail.model_validate(
        public(server, sites, list(apps)).model_dump()
        | {
            "host": ServerRef(id=host.id, hostname=host.hostname) if host else None,
            "workloads": [
                WorkloadPublic.model_validate(w)
                for w in inventory.linked_workloads(session, server_id)
            ],
            "observations": [
                ObservationPublic.model_validate(o)
                for o in inventory.observations_of(session, "server", server_id)
            ],
            "changes": [
                ChangePublic.model_validate(c)
                for c in inventory.history_of(session, "server", server_id)
            ],
            "migration": migration.explain(session, settings.migration, server_id),
        }
    )
