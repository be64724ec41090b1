"""Applications and waves: lists for every reader, writes for infra and admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.auth import CurrentActor, require
from api.deps import SessionDep, SettingsDep, found
from api.errors import answers
from api.schemas import Page
from estate.db.paging import MAX_ID, PageQuery
from estate.migration import applications, plans
from estate.migration.applications import ApplicationQuery
from estate.models.application import ApplicationPublic
from estate.models.wave import WavePublic
from estate.status import Permission

router = APIRouter(tags=["plans"])
Editor = [Depends(require(Permission.EDIT_INVENTORY))]
AppId = Annotated[int, Path(ge=1, le=MAX_ID)]
WaveId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A name already taken is a 409; an unknown id in the path, a 404.
CREATE = answers(400, 403, 409, 413)
EDIT = answers(400, 403, 404, 409, 413)


@router.get("/applications", response_model=Page[ApplicationPublic])
def list_applications(
    session: SessionDep, query: Annotated[ApplicationQuery, Query()]
) -> Page[ApplicationPublic]:
    return Page.of(applications.list_applications(session, query))


@router.get("/applications/{app_id}", response_model=ApplicationPublic, responses=answers(404))
def get_application(session: SessionDep, app_id: AppId) -> ApplicationPublic:
    return found(
        applications.application(session, app_id), f"no application with id {app_id}", "app_id"
    )


@router.post(
    "/applications",
    response_model=ApplicationPublic,
    status_code=201,
    dependencies=Editor,
    responses=CREATE,
)
def create_application(
    session: SessionDep, actor: CurrentActor, body: plans.ApplicationCreate
) -> ApplicationPublic:
    created = plans.create_application(session, actor, body)
    session.commit()
    return created


@router.patch(
    "/applications/{app_id}", response_model=ApplicationPublic, dependencies=Editor, responses=EDIT
)
def update_application(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    app_id: AppId,
    body: plans.ApplicationUpdate,
) -> ApplicationPublic:
    """Strategy, wave, owner, target date...: the servers that follow it are re-derived."""
    updated = plans.update_application(session, settings, actor, app_id, body)
    session.commit()
    return updated


@router.get("/waves", response_model=Page[WavePublic])
def list_waves(session: SessionDep, query: Annotated[PageQuery, Query()]) -> Page[WavePublic]:
    """Waves by planned start (unplanned last), then name."""
    return Page.of(applications.list_waves(session, query))


@router.get("/waves/{wave_id}", response_model=WavePublic, responses=answers(404))
def get_wave(session: SessionDep, wave_id: WaveId) -> WavePublic:
    return found(applications.wave(session, wave_id), f"no wave with id {wave_id}", "wave_id")


@router.post(
    "/waves", response_model=WavePublic, status_code=201, dependencies=Editor, responses=CREATE
)
def create_wave(session: SessionDep, actor: CurrentActor, body: plans.WaveCreate) -> WavePublic:
    created = plans.create_wave(session, actor, body)
    session.commit()
    return created


@router.patch("/waves/{wave_id}", response_model=WavePublic, dependencies=Editor, responses=EDIT)
def update_wave(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    wave_id: WaveId,
    body: plans.WaveUpdate,
) -> WavePublic:
    updated = plans.update_wave(session, settings, actor, wave_id, body)
    session.commit()
    return updated
