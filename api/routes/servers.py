"""Servers: the list for every reader, one server with how its status was derived, and its
history; the list and the server as at a past day (`as_at`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.deps import AsAt, SessionDep, SettingsDep, found
from api.errors import answers
from api.schemas import Page
from estate.db.paging import MAX_ID, PageQuery
from estate.history.timeline import TimelineEntry, timeline
from estate.inventory import as_at, servers
from estate.inventory.servers import ServerQuery
from estate.migration import servers as plan
from estate.migration.servers import ServerDetail
from estate.models.server import ServerPublic
from estate.status import EntityKind

router = APIRouter(prefix="/servers", tags=["servers"])
ServerId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("", response_model=Page[ServerPublic])
def list_servers(
    session: SessionDep, moment: AsAt, query: Annotated[ServerQuery, Query()]
) -> Response:
    if moment is not None:
        return Page.response(as_at.list_servers_at(session, query, moment))
    return Page.response(servers.list_servers(session, query))


@router.get("/{server_id}", response_model=ServerDetail, responses=answers(404))
def get_server(
    session: SessionDep, settings: SettingsDep, moment: AsAt, server_id: ServerId
) -> ServerDetail:
    """The server; as at a day, as it stood then (its status then, not re-derived)."""
    missing = f"no server with id {server_id}"
    if moment is not None:
        then = found(as_at.server_at(session, server_id, moment), missing, "server_id")
        return ServerDetail.model_validate(then.model_dump())
    detail = plan.server_detail(session, settings.migration, server_id)
    return found(detail, missing, "server_id")


@router.get("/{server_id}/history", response_model=Page[TimelineEntry])
def server_history(
    session: SessionDep, server_id: ServerId, page: Annotated[PageQuery, Query()]
) -> Page[TimelineEntry]:
    """Every change of the server's fields and each source's sightings, newest first."""
    return Page.of(timeline(session, EntityKind.SERVER, server_id, page, personal=False))
