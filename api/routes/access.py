"""The access audit, for administrators: who signed in, out or was refused, token events, role
changes from group mapping, and reads of personal data (`estate.access.events`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.auth import require
from api.deps import SessionDep
from api.export import EXPORT_RESPONSES, ExportFormat, export_rows
from api.schemas import Page
from estate.access import events
from estate.access.events import AccessEventQuery
from estate.models.access_event import AccessEventPublic
from estate.status import Permission

router = APIRouter(tags=["access"], dependencies=[Depends(require(Permission.READ_ACCESS_EVENTS))])

COLUMNS = [
    ("id", "Id"),
    ("at", "At"),
    ("kind", "Event"),
    ("actor", "Who"),
    ("role", "Role"),
    ("request_id", "Request id"),
    ("records", "Records"),
    ("detail", "Detail"),
]


@router.get("/access-events", response_model=Page[AccessEventPublic], responses=EXPORT_RESPONSES)
def list_access_events(
    session: SessionDep,
    query: Annotated[AccessEventQuery, Query()],
    format: ExportFormat = ExportFormat.JSON,
) -> Page[AccessEventPublic] | Response:
    """Access events, newest first; `?format=csv|xlsx` downloads every matching one."""
    if format != ExportFormat.JSON:
        return export_rows(
            events.export_events(session, query), COLUMNS, format, "access-events", "Access events"
        )
    return Page.of(events.list_events(session, query))
