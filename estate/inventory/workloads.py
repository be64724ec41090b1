"""Cloud workloads as readers see them: the filtered, sorted list, one workload with the
on-premise server it came from, and the workloads that came from a server."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, and_, func, not_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db import kept
from estate.db.paging import (
    MAX_ID,
    Page,
    Search,
    SortedQuery,
    equal,
    equal_or_unset,
    fields_of,
    site_id_filter,
    sort_by,
    sorted_page,
    text_search,
    wave_id_filter,
    where_all,
)
from estate.history.changes import history_of
from estate.inventory.observations import observations_of
from estate.models import Application, Server, ServerApplication, Workload
from estate.models.base import table_of
from estate.models.change import ChangePublic
from estate.models.observation import ObservationPublic
from estate.models.server import ServerRef
from estate.models.workload import WorkloadPublic
from estate.status import EntityStatus, Strategy

OUTCOMES = ("resilient", "flexible", "efficient", "oversized", "idle")
Judged = Annotated[
    bool | Literal["unknown"] | None, Field(description="true, false, or unknown (not known).")
]

WORKLOAD_SORTS = (
    "id",
    "name",
    "provider",
    "account_id",
    "region",
    "resource_type",
    "state",
    "launched_at",
    "status",
    "updated_at",
)


class WorkloadQuery(SortedQuery):
    """`GET /workloads`."""

    sort: str | None = sort_by(WORKLOAD_SORTS)

    provider: str | None = None
    account: str | None = None
    region: str | None = None
    resource_type: str | None = None
    state: str | None = None
    status: EntityStatus | None = None
    ended: bool | None = Field(
        default=None, description="Its provider says it is over (terminated, deleting), or not."
    )
    server: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The on-premise server it came from."
    )
    q: Search = None
    # The strategy's outcomes (estate.migration.outcomes): true, false, or unknown.
    resilient: Judged = None
    flexible: Judged = None
    efficient: Judged = None
    oversized: Judged = None
    idle: Judged = None
    migrated: bool | None = Field(
        default=None,
        description="It came from an on-premise server, is not ended and not gone (or not).",
    )
    # Of the on-premise server it came from:
    application: str | None = Field(default=None, description="Its server's application.")
    wave: Annotated[
        str | None, Field(max_length=200, description="Its server's wave: id, name or 'none'.")
    ] = None
    strategy: Strategy | Literal["none"] | None = Field(
        default=None, description="Its server's strategy in force, or 'none'."
    )
    site: str | None = Field(default=None, description="Its server's site: id or name.")


class WorkloadDetail(WorkloadPublic):
    migrated_from_server: ServerRef | None = None
    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []


def list_workloads(session: Session, query: WorkloadQuery) -> Page:
    """A page of workloads (kept: estate.db.kept)."""
    key = ("workloads", query.model_dump_json())
    return kept.page(session, key, lambda: _list_workloads(session, query))


def _list_workloads(session: Session, query: WorkloadQuery) -> Page:
    table = table_of(Workload).c
    found = select(*table).where(*workload_filters(session, query, table, table_of(Server).c))
    page = sorted_page(session, found, table, query, WORKLOAD_SORTS, rows=True)
    items = [WorkloadPublic.model_validate(fields_of(w)) for w in page.items]
    return page.with_items(items)


def workload_filters(session: Session, query: WorkloadQuery, table: Any, servers: Any) -> list[Any]:
    """The query's conditions on `table` (the workloads, or the workloads as at a day), whose
    origin is looked up in `servers` (the servers then, likewise)."""
    given = (
        equal(table.provider, query.provider),
        equal(table.account_id, query.account),
        equal(table.region, query.region),
        equal(table.resource_type, query.resource_type),
        equal(table.state, query.state),
        equal(table.status, query.status),
        equal(table.ended, query.ended),
        equal(table.migrated_from_server_id, query.server),
        text_search(query.q, table.name, table.resource_id),
        *(judged(table[name], getattr(query, name)) for name in OUTCOMES),
        _migrated(table, query.migrated),
        _origin(session, query, table, servers),
    )
    return [condition for condition in given if condition is not None]


def judged(column: Any, value: bool | str | None) -> ColumnElement[bool] | None:
    if value is None:
        return None
    return column.is_(None) if value == "unknown" else column.is_(bool(value))


def _migrated(table: Any, value: bool | None) -> ColumnElement[bool] | None:
    if value is None:
        return None
    counted = and_(
        table.migrated_from_server_id.is_not(None),
        table.ended.is_(False),
        table.status != EntityStatus.GONE,
    )
    return counted if value else not_(counted)


def _origin(
    session: Session, query: WorkloadQuery, table: Any, servers: Any
) -> ColumnElement[bool] | None:
    """The workloads whose on-premise server is in the asked application, wave, strategy or
    site: the groups /outcomes counts by."""
    if all(v is None for v in (query.application, query.wave, query.strategy, query.site)):
        return None
    found = where_all(
        select(servers.id),
        equal(servers.site_id, site_id_filter(session, query.site)),
        equal_or_unset(servers.effective_strategy, query.strategy),
        equal_or_unset(servers.effective_wave_id, wave_id_filter(session, query.wave)),
    )
    if query.application:
        found = found.where(
            servers.id.in_(
                select(col(ServerApplication.server_id))
                .join(Application, col(Application.id) == col(ServerApplication.application_id))
                .where(func.lower(col(Application.name)) == query.application.lower())
            )
        )
    return table.migrated_from_server_id.in_(found)


def workload_detail(session: Session, workload_id: int) -> WorkloadDetail | None:
    workload = session.get(Workload, workload_id)
    if workload is None:
        return None
    origin_id = workload.migrated_from_server_id
    origin = session.get(Server, origin_id) if origin_id else None
    return WorkloadDetail.model_validate(
        WorkloadPublic.model_validate(workload).model_dump()
        | {
            "migrated_from_server": ServerRef(id=origin_id, hostname=origin.hostname)
            if origin and origin_id
            else None,
            "observations": observations_of(session, "workload", workload_id),
            "changes": history_of(session, "workload", workload_id),
        }
    )


def linked_workloads(session: Session, server_id: int) -> list[WorkloadPublic]:
    """The cloud workloads that came from this on-premise server."""
    query = (
        select(Workload)
        .where(col(Workload.migrated_from_server_id) == server_id)
        .order_by(col(Workload.id))
    )
    return [WorkloadPublic.model_validate(w) for w in session.execute(query).scalars()]
