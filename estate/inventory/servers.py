"""Servers as readers see them: the filtered, sorted list, and one server with its host, linked
workloads, observations and change history. (Its migration status, explained, is added by
estate.migration.servers.)"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db import kept
from estate.db.paging import (
    Page,
    Search,
    SortedQuery,
    equal,
    equal_or_unset,
    fields_of,
    site_or_unset_filter,
    sort_by,
    sorted_page,
    text_search,
    wave_id_filter,
)
from estate.history.changes import history_of
from estate.inventory.observations import observations_of
from estate.inventory.sites import site_names
from estate.inventory.workloads import linked_workloads
from estate.models import Application, Server, ServerApplication
from estate.models.base import table_of
from estate.models.change import ChangePublic
from estate.models.observation import ObservationPublic
from estate.models.server import ServerPublic, ServerRef
from estate.models.workload import WorkloadPublic
from estate.status import EntityStatus, MigrationStatus, ServerKind, Strategy

SERVER_SORTS = (
    "id",
    "hostname",
    "fqdn",
    "serial",
    "kind",
    "os_name",
    "status",
    "site_id",
    "rack",
    "power_watts",
    "cpu_cores",
    "memory_gb",
    "cpu_usage_percent",
    "memory_usage_percent",
    "updated_at",
    "migration_status",
    "effective_strategy",
    "effective_wave_id",
)


class ServerQuery(SortedQuery):
    """`GET /servers`: every filter, declared once."""

    sort: str | None = sort_by(SERVER_SORTS)

    site: str | None = Field(default=None, description="Site id, name or 'none'.")
    status: list[EntityStatus] | None = Field(default=None, description="One or more statuses.")
    kind: ServerKind | None = None
    os: str | None = Field(default=None, description="Operating system name contains.")
    application: str | None = Field(default=None, description="Application name.")
    migration_status: list[MigrationStatus] | None = Field(
        default=None, description="One or more migration statuses."
    )
    strategy: Strategy | Literal["none"] | None = Field(
        default=None, description="Strategy in force, or 'none'."
    )
    wave: Annotated[str | None, Field(max_length=200, description="Wave id, name or 'none'.")] = (
        None
    )
    usage_below: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="Running VMs using less than this % of their CPU and of their memory"
        " (vCenter quick stats): candidates for a smaller size.",
    )
    hosting: bool | None = Field(
        default=None,
        description="Physical servers with (true) or without (false) a VM on them that is"
        " neither gone nor decommissioned: a site's physical hosts.",
    )
    q: Search = None


class ServerInventory(ServerPublic):
    """A server with what the inventory links to it (its migration: estate.migration.servers)."""

    host: ServerRef | None = None
    workloads: list[WorkloadPublic] = []
    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []


def list_servers(session: Session, query: ServerQuery) -> Page:
    """A page of servers as ServerPublic, with their site's name and applications (kept:
    estate.db.kept)."""
    key = ("servers", query.model_dump_json())
    return kept.page(session, key, lambda: _list_servers(session, query))


def _list_servers(session: Session, query: ServerQuery) -> Page:
    table = table_of(Server).c
    found = select(*table).where(*server_filters(session, query, table))
    page = sorted_page(session, found, table, query, SERVER_SORTS, rows=True)
    return page.with_items(public(session, page.items))


def server_filters(session: Session, query: ServerQuery, table: Any) -> list[Any]:
    """The query's conditions on `table`: the servers table, or the servers as at a day
    (estate.inventory.as_at), whose columns have the same names."""
    given = (
        equal_or_unset(table.site_id, site_or_unset_filter(session, query.site)),
        table.status.in_(query.status) if query.status else None,
        equal(table.kind, query.kind),
        table.migration_status.in_(query.migration_status) if query.migration_status else None,
        equal_or_unset(table.effective_strategy, query.strategy),
        equal_or_unset(table.effective_wave_id, wave_id_filter(session, query.wave)),
        text_search(query.os, table.os_name),
        text_search(query.q, table.hostname, table.fqdn, table.serial),
        *_below(query.usage_below, table),
        _hosting(query.hosting, table),
    )
    conditions = [condition for condition in given if condition is not None]
    if query.application:
        conditions.append(
            table.id.in_(
                select(col(ServerApplication.server_id))
                .join(Application, col(Application.id) == col(ServerApplication.application_id))
                .where(func.lower(col(Application.name)) == query.application.lower())
            )
        )
    return conditions


def _below(percent: float | None, table: Any) -> tuple[Any, ...]:
    if percent is None:
        return ()
    return (table.cpu_usage_percent < percent, table.memory_usage_percent < percent)


def _hosting(flag: bool | None, table: Any) -> Any:
    """Physical servers that host a VM still on the estate (as hosting.physical_hosts counts
    them), from the same table: today's or the one rebuilt as at a day."""
    if flag is None:
        return None
    vm = table.id.table.alias("vm")
    hosted = select(vm.c.host_id).where(
        vm.c.host_id.is_not(None),
        vm.c.status != EntityStatus.GONE,
        vm.c.migration_status != MigrationStatus.DECOMMISSIONED,
    )
    hosts = table.id.in_(hosted)
    return (table.kind == ServerKind.PHYSICAL) & (hosts if flag else ~hosts)


def public(
    session: Session,
    servers: Sequence[Any],
    applications: Mapping[int, list[str]] | None = None,
) -> list[ServerPublic]:
    """Servers (rows or entities) as every reader sees them: with their site's name and their
    applications (today's, unless given)."""
    sites = site_names(session, {s.site_id for s in servers})
    apps = applications
    if apps is None:
        apps = server_applications(session, [s.id for s in servers if s.id is not None])
    return [
        ServerPublic.model_validate(
            fields_of(s)
            | {
                "site": sites.get(s.site_id) if s.site_id else None,
                "applications": list(apps.get(s.id or 0, [])),
            }
        )
        for s in servers
    ]


def server_inventory(session: Session, server_id: int) -> ServerInventory | None:
    server = session.get(Server, server_id)
    if server is None:
        return None
    host = session.get(Server, server.host_id) if server.host_id else None
    return ServerInventory.model_validate(
        public(session, [server])[0].model_dump()
        | {
            "host": ServerRef(id=host.id, hostname=host.hostname) if host and host.id else None,
            "workloads": linked_workloads(session, server_id),
            "observations": observations_of(session, "server", server_id),
            "changes": history_of(session, "server", server_id),
        }
    )


def server_applications(session: Session, server_ids: Sequence[int]) -> Mapping[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if server_ids:
        query = (
            select(col(ServerApplication.server_id), col(Application.name))
            .join(Application, col(Application.id) == col(ServerApplication.application_id))
            .where(col(ServerApplication.server_id).in_(server_ids))
            .order_by(col(Application.name))
        )
        for server_id, name in session.execute(query):
            found[server_id].append(name)
    return found


def hostnames(session: Session, server_ids: Sequence[int]) -> dict[int, str | None]:
    """Each of these servers' host name (None where no source gave one), by id; an unknown id
    is left out."""
    if not server_ids:
        return {}
    ids = col(Server.id)
    found = select(ids, col(Server.hostname)).where(ids.in_(server_ids))
    return {server_id: name for server_id, name in session.execute(found).tuples() if server_id}
