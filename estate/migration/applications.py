"""Applications and waves as the readers see them: applications with their server counts and
wave name, waves with how many applications and servers are planned in them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db.paging import (
    Page,
    PageQuery,
    Search,
    SortedQuery,
    equal,
    equal_or_unset,
    paged,
    site_or_unset_filter,
    sort_by,
    sorted_page,
    text_search,
    wave_id_filter,
    where_all,
)
from estate.migration.progress import MIGRATED
from estate.models import Application, Server, ServerApplication, Wave
from estate.models.application import ApplicationPublic
from estate.models.wave import WavePublic
from estate.status import Strategy

APPLICATION_SORTS = ("id", "name", "owner", "criticality", "strategy", "wave_id", "target_date")


class ApplicationQuery(SortedQuery):
    """`GET /applications`."""

    sort: str | None = sort_by(APPLICATION_SORTS)

    q: Search = None
    criticality: str | None = None
    strategy: Strategy | Literal["none"] | None = None
    wave: Annotated[str | None, Field(max_length=200, description="Wave id, name or 'none'.")] = (
        None
    )
    name: Annotated[str | None, Field(max_length=200, description="Exactly this name.")] = None
    # Which applications a figure of GET /progress counts: those with servers in a group.
    server_wave: Annotated[
        str | None,
        Field(max_length=200, description="With a server in this wave (id, name or 'none')."),
    ] = None
    server_strategy: Strategy | Literal["none"] | None = Field(
        default=None, description="With a server whose strategy in force is this, or 'none'."
    )
    server_site: Annotated[
        str | None,
        Field(max_length=200, description="With a server at this site (id, name or 'none')."),
    ] = None
    with_servers: bool | None = Field(
        default=None, description="With (true) or without (false) a server in that scope."
    )
    migrated: bool | None = Field(
        default=None,
        description="With servers in that scope, all migrated (true) or not all (false):"
        " how GET /progress counts an application migrated.",
    )


def list_applications(session: Session, query: ApplicationQuery) -> Page:
    found = where_all(
        select(Application),
        text_search(query.q, col(Application.name), col(Application.owner)),
        equal(col(Application.criticality), query.criticality),
        equal_or_unset(col(Application.strategy), query.strategy),
        equal_or_unset(col(Application.wave_id), wave_id_filter(session, query.wave)),
        equal(func.lower(col(Application.name)), query.name.lower() if query.name else None),
        _with_servers(session, query),
    )
    page = sorted_page(session, found, Application, query, APPLICATION_SORTS)
    return page.with_items(public_rows(session, page.items))


def _with_servers(session: Session, query: ApplicationQuery) -> ColumnElement[bool] | None:
    """Applications by their servers in a scope (a wave, strategy or site of GET /progress),
    grouped once: all of them migrated, not all, or any at all."""
    scope = [
        equal_or_unset(col(Server.effective_wave_id), wave_id_filter(session, query.server_wave)),
        equal_or_unset(col(Server.effective_strategy), query.server_strategy),
        equal_or_unset(col(Server.site_id), site_or_unset_filter(session, query.server_site)),
    ]
    scoped = any(c is not None for c in scope)
    if not scoped and query.with_servers is None and query.migrated is None:
        return None
    linked = where_all(
        select(col(ServerApplication.application_id)).join(
            Server, col(Server.id) == col(ServerApplication.server_id)
        ),
        *scope,
    ).group_by(col(ServerApplication.application_id))
    if query.migrated is not None:
        done = func.sum(case((col(Server.migration_status).in_(sorted(MIGRATED)), 1), else_=0))
        linked = linked.having(done == func.count() if query.migrated else done < func.count())
    within = col(Application.id).in_(linked)
    return ~within if query.with_servers is False else within


def application(session: Session, app_id: int) -> ApplicationPublic | None:
    found = session.get(Application, app_id)
    return public_rows(session, [found])[0] if found is not None else None


def public_rows(session: Session, apps: list[Application]) -> list[ApplicationPublic]:
    """Each application with how many servers it has, how many are migrated (or further on),
    and its wave's name: one grouped query for the page, not one per application."""
    ids = [a.id for a in apps if a.id is not None]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        migrated = case((col(Server.migration_status).in_(sorted(MIGRATED)), 1), else_=0)
        query = (
            select(col(ServerApplication.application_id), func.count(), func.sum(migrated))
            .join(Server, col(Server.id) == col(ServerApplication.server_id))
            .where(col(ServerApplication.application_id).in_(ids))
            .group_by(col(ServerApplication.application_id))
        )
        counts = {a: (n, int(m or 0)) for a, n, m in session.execute(query)}
    waves = wave_names(session)
    return [
        ApplicationPublic.model_validate(
            a,
            update={
                "server_count": counts.get(a.id or 0, (0, 0))[0],
                "servers_migrated": counts.get(a.id or 0, (0, 0))[1],
                "wave": waves.get(a.wave_id) if a.wave_id else None,
            },
        )
        for a in apps
    ]


def wave_names(session: Session) -> dict[int, str]:
    return {int(i): n for i, n in session.execute(select(col(Wave.id), col(Wave.name))) if i}


def list_waves(session: Session, query: PageQuery) -> Page:
    """Waves by planned start (unplanned last), then name."""
    ordered = select(Wave).order_by(
        col(Wave.planned_start).is_(None), col(Wave.planned_start), col(Wave.name), col(Wave.id)
    )
    page = paged(session, ordered, query)
    return page.with_items(wave_rows(session, page.items))


def wave(session: Session, wave_id: int) -> WavePublic | None:
    found = session.get(Wave, wave_id)
    return wave_rows(session, [found])[0] if found is not None else None


def wave_rows(session: Session, waves: Sequence[Wave]) -> list[WavePublic]:
    counts = wave_counts(session, [w.id for w in waves if w.id is not None])
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


def wave_counts(session: Session, wave_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(applications, servers) planned in each wave."""
    apps = _count_by(session, col(Application.wave_id), wave_ids)
    servers = _count_by(session, col(Server.effective_wave_id), wave_ids)
    return {i: (apps.get(i, 0), servers.get(i, 0)) for i in wave_ids}


def _count_by(session: Session, wave: Any, wave_ids: Sequence[int]) -> dict[int, int]:
    """Rows per wave id in `wave_ids`, by the `wave` column (waves with none left out)."""
    query = select(wave, func.count()).where(wave.in_(wave_ids)).group_by(wave)
    return {wave_id: count for wave_id, count in session.execute(query).all()}
