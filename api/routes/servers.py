"""Servers: the list for every reader, and one server with how its status was derived."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import SessionDep, SettingsDep, found
from api.schemas import Page
from estate.db.paging import MAX_ID
from estate.inventory import servers
from estate.inventory.servers import ServerQuery
from estate.migration import servers as plan
from estate.migration.servers import ServerDetail
from estate.models.server import ServerPublic

router = APIRouter(prefix="/servers", tags=["servers"])
ServerId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("", response_model=Page[ServerPublic])
def list_servers(session: SessionDep, query: Annotated[ServerQuery, Query()]) -> Page[ServerPublic]:
    return Page.of(servers.list_servers(session, query))


@router.get("/{server_id}", response_model=ServerDetail)
def get_server(session: SessionDep, settings: SettingsDep, server_id: ServerId) -> ServerDetail:
    return found(
        plan.server_detail(session, settings.migration, server_id), f"no server with id {server_id}"
    )
