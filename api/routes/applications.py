"""Applications and waves: lists for every reader, writes for infra and admin."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from sqlalchemy import select
from sqlmodel import col

from api.auth import CurrentActor, require
from api.deps import Limit, Offset, Search, SessionDep, SettingsDep, Sort
from api.schemas import Page
from estate import applications, inventory, migration, plans
from estate.models import Application, Wave
from estate.models.application import ApplicationPublic
from estate.models.status import Permission, Strategy
from estate.models.wave import WavePublic

router = APIRouter(tags=["plans"])
Editor = [Depends(require(Permission.EDIT_INVENTORY))]
AppId = Annotated[int, Path(ge=1, le=inventory.MAX_ID)]
WaveId = Annotated[int, Path(ge=1, le=inventory.MAX_ID)]
WaveQuery = Annotated[str | None, Query(max_length=200, description="Wave id, name or 'none'.")]


@router.get("/applications", response_model=Page[ApplicationPublic])
def list_applications(
    session: SessionDep,
    q: Search = None,
    criticality: str | None = None,
    strategy: Strategy | Literal["none"] | None = None,
    wave: WaveQuery = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ApplicationPublic]:
    page = inventory.list_applications(
        session,
        q=q,
        criticality=criticality,
        strategy=strategy,
        wave=wave,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    items = applications.public_rows(session, page.items)
    return Page(items=items, total=page.total, limit=limit, offset=offset)


@router.get("/applications/{app_id}", response_model=ApplicationPublic)
def get_application(session: SessionDep, app_id: AppId) -> ApplicationPublic:
    app = session.get(Application, app_id)
    if app is None:
        raise HTTPException(404, f"no application with id {app_id}")
    return applications.public_rows(session, [app])[0]


@router.post(
    "/applications", response_model=ApplicationPublic, status_code=201, dependencies=Editor
)
def create_application(
    session: SessionDep, actor: CurrentActor, body: plans.ApplicationCreate
) -> ApplicationPublic:
    app = plans.create_application(session, actor, body)
    session.commit()  # no server follows it yet: nothing to re-derive
    return applications.public_rows(session, [app])[0]


@router.patch("/applications/{app_id}", response_model=ApplicationPublic, dependencies=Editor)
def update_application(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    app_id: AppId,
    body: plans.ApplicationUpdate,
) -> ApplicationPublic:
    """Strategy, wave, owner, target date...: the servers that follow it are re-derived."""
    app, server_ids = plans.update_application(session, actor, app_id, body)
    migration.refresh(session, settings, server_ids=server_ids, actor=actor)
    session.commit()
    return applications.public_rows(session, [app])[0]


def _wave_rows(session: SessionDep, waves: list[Wave]) -> list[WavePublic]:
    counts = plans.wave_counts(session, [w.id for w in waves if w.id is not None])
    return [
        WavePublic.model_validate(
            w,
            update={
                "applications": counts.get(w.id or 0, (0, 0))[0],
                "servers": counts.get(w.id or 0, (0, 0))[1],
            },
        )
        for w in waves
    ]


@router.get("/waves", response_model=Page[WavePublic])
def list_waves(session: SessionDep, limit: Limit = 50, offset: Offset = 0) -> Page[WavePublic]:
    """Waves by planned start (unplanned last), then name."""
    query = select(Wave).order_by(
        col(Wave.planned_start).is_(None), col(Wave.planned_start), col(Wave.name), col(Wave.id)
    )
    page = inventory.paged(session, query, limit, offset)
    return Page(items=_wave_rows(session, page.items), total=page.total, limit=limit, offset=offset)


@router.get("/waves/{wave_id}", response_model=WavePublic)
def get_wave(session: SessionDep, wave_id: WaveId) -> WavePublic:
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise HTTPException(404, f"no wave with id {wave_id}")
    return _wave_rows(session, [wave])[0]


@router.post("/waves", response_model=WavePublic, status_code=201, dependencies=Editor)
def create_wave(session: SessionDep, actor: CurrentActor, body: plans.WaveCreate) -> WavePublic:
    wave = plans.create_wave(session, actor, body)
    session.commit()
    return _wave_rows(session, [wave])[0]


@router.patch("/waves/{wave_id}", response_model=WavePublic, dependencies=Editor)
def update_wave(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    wave_id: WaveId,
    body: plans.WaveUpdate,
) -> WavePublic:
    wave, server_ids = plans.update_wave(session, actor, wave_id, body)
    migration.refresh(session, settings, server_ids=server_ids, actor=actor)
    session.commit()
    return _wave_rows(session, [wave])[0]
