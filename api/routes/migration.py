"""A server's plan, bulk assignment, and migration progress with its burn-down."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.auth import CurrentActor, require
from api.cache import kept_json
from api.deps import AsAt, SessionDep, SettingsDep
from api.errors import answers
from estate.db import paging
from estate.db.paging import BadQuery
from estate.migration import assignments, plans, progress, statuses
from estate.migration.as_at import ProgressAt, progress_at
from estate.migration.figure_links import link_progress
from estate.migration.servers import ServerDetail
from estate.status import Permission
from estate.writes import Day

router = APIRouter(tags=["migration"])
JSON = "application/json"
Editor = [Depends(require(Permission.EDIT_INVENTORY))]
ServerId = Annotated[int, Path(ge=1, le=paging.MAX_ID)]
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "A CSV file: server, then any of wave, strategy, applications, notes.",
    }
}


class Assigned(BaseModel):
    """How many servers a bulk assignment touched; its changes share the request id."""

    servers: int
    request_id: str


@router.patch(
    "/servers/{server_id}",
    response_model=ServerDetail,
    dependencies=Editor,
    responses=answers(400, 403, 404, 409, 413),
)
def update_server(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    server_id: ServerId,
    body: plans.ServerPlanUpdate,
) -> ServerDetail:
    """The server's applications, strategy override, wave, notes or status override."""
    updated = plans.update_server(session, settings, actor, server_id, body)
    session.commit()
    return updated


def _assign(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    items: list[assignments.Assignment],
) -> Assigned:
    count = assignments.assign(session, settings, actor, items)
    session.commit()
    return Assigned(servers=count, request_id=actor.request_id)


@router.post(
    "/assignments", response_model=Assigned, dependencies=Editor, responses=answers(400, 403, 413)
)
def assign(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    body: assignments.Assignments,
) -> Assigned:
    """Put many servers in a wave, strategy or applications at once: all rows or none."""
    return _assign(session, settings, actor, body.assignments)


async def csv_text(request: Request) -> str:
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise plans.Invalid(("body",), "the CSV file must be UTF-8") from None


@router.post(
    "/assignments/csv",
    response_model=Assigned,
    dependencies=Editor,
    openapi_extra=CSV_BODY,
    responses=answers(400, 403, 413),
)
def assign_csv(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    text: Annotated[str, Depends(csv_text)],
) -> Assigned:
    """The same from a CSV upload (Content-Type: text/csv): an empty cell leaves a value,
    '-' clears it, applications are separated by ';'."""
    return _assign(session, settings, actor, assignments.parse_csv(text))


@router.get("/progress", response_model=progress.Progress | ProgressAt)
def get_progress(request: Request, session: SessionDep, moment: AsAt) -> Response:
    """Totals and % migrated, by servers and by applications, per wave, strategy, application
    and site: the same numbers the server list gives for each filter; as at a day, counted
    from the servers as they stood then (`source` says from what)."""
    if moment is not None:
        then = link_progress(progress_at(session, moment), moment.day)
        return Response(then.model_dump_json(), media_type=JSON)
    return kept_json(request, session, "progress", lambda: link_progress(progress.read(session)))


@router.get("/progress/history", response_model=list[progress.Day])
def get_history(
    session: SessionDep,
    start: Annotated[Day | None, Query(alias="from", description="First day.")] = None,
    end: Annotated[Day | None, Query(alias="to", description="Last day.")] = None,
    wave: Annotated[
        int | None, Query(ge=1, le=paging.MAX_ID, description="One wave's burn-down.")
    ] = None,
) -> list[progress.Day]:
    """Daily snapshots, oldest first: a burn-down of the servers still to migrate."""
    if start is not None and end is not None and end < start:
        raise BadQuery("to", "'to' is before 'from'")
    return progress.history(session, start, end, wave)


@router.post(
    "/progress/snapshots",
    response_model=progress.Progress,
    dependencies=Editor,
    responses=answers(403),
)
def take_snapshot(session: SessionDep, settings: SettingsDep) -> progress.Progress:
    """Re-derive every server now and keep today's snapshot (also taken daily)."""
    figures = statuses.take_snapshot(session, settings)
    session.commit()
    return figures
