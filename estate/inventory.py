"""The read side of the inventory: filtered, sorted, paged lists and single records with their
observations and history. Routes call these; nothing here commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.models import (
    Application,
    Change,
    Device,
    NetworkDevice,
    Observation,
    ScanRun,
    Server,
    ServerApplication,
    Site,
    Wave,
    Workload,
)

MAX_LIMIT = 1000


class BadQuery(ValueError):
    """A client's filter or sort cannot be used; `parameter` names which one."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    limit: int
    offset: int


def order_by(
    model: Any, sort: str | None, allowed: Sequence[str], default: str = "id"
) -> list[Any]:
    """`name` ascending, `-name` descending; the id breaks ties so pages are stable."""
    field = (sort or default).strip()
    descending = field.startswith("-")
    name = field.lstrip("-")
    if name not in allowed:
        raise BadQuery("sort", f"cannot sort by {name!r}; expected one of: {', '.join(allowed)}")
    column = getattr(model, name)
    first = column.desc() if descending else column.asc()
    return [first, model.id.desc() if descending else model.id.asc()]


def sorted_page(
    session: Session,
    query: Select[Any],
    model: type[Any],
    sort: str | None,
    allowed: Sequence[str],
    limit: int,
    offset: int,
    default: str = "id",
) -> Page:
    """The page of `query` sorted as the client asked (checked against `allowed`)."""
    ordered = query.order_by(*order_by(model, sort, allowed, default))
    return paged(session, ordered, limit, offset)


def paged(session: Session, query: Select[Any], limit: int, offset: int) -> Page:
    total = session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    items = list(session.execute(query.limit(limit).offset(offset)).scalars())
    return Page(items, total, limit, offset)


def text_search(q: str | None, *columns: Any) -> ColumnElement[bool] | None:
    if not q:
        return None
    pattern = f"%{q.strip().lower()}%"
    return or_(*(func.lower(column).like(pattern) for column in columns))


MAX_ID = 2**31 - 1


def _id(text: str, parameter: str) -> int:
    value = int(text)
    if value > MAX_ID:
        raise BadQuery(parameter, f"no {parameter} with id {text}")
    return value


def site_id_filter(session: Session, site: str | None) -> int | None:
    """A site named by id or (case-insensitively) by name; unknown is a client error."""
    if site is None:
        return None
    if site.isdigit():
        return _id(site, "site")
    found = session.execute(
        select(col(Site.id)).where(func.lower(col(Site.name)) == site.strip().lower())
    ).scalar()
    if found is None:
        raise BadQuery("site", f"no site named {site!r}")
    return int(found)


def wave_id_filter(session: Session, wave: str | None) -> int | bool | None:
    """A wave named by id or name; 'none' (False here) is the servers in no wave."""
    if wave is None:
        return None
    if wave.strip().lower() == "none":
        return False
    if wave.isdigit():
        return _id(wave, "wave")
    found = session.execute(
        select(col(Wave.id)).where(func.lower(col(Wave.name)) == wave.strip().lower())
    ).scalar()
    if found is None:
        raise BadQuery("wave", f"no wave named {wave!r}")
    return int(found)


def _plan_filter(column: Any, value: Any) -> ColumnElement[bool] | None:
    """Equal to the value; False (or 'none') means not set."""
    if value is None:
        return None
    if value is False or value == "none":
        return column.is_(None)
    return column == value


def _where(query: Select[Any], *conditions: ColumnElement[bool] | None) -> Select[Any]:
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    return query


def _equals(column: Any, value: Any) -> ColumnElement[bool] | None:
    return None if value is None else column == value


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
    "updated_at",
    "migration_status",
    "effective_strategy",
    "effective_wave_id",
)


def list_servers(
    session: Session,
    *,
    site: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    os: str | None = None,
    application: str | None = None,
    migration_status: Sequence[str] | None = None,
    strategy: str | None = None,
    wave: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    query = _where(
        select(Server),
        _equals(col(Server.site_id), site_id_filter(session, site)),
        _equals(col(Server.status), status),
        _equals(col(Server.kind), kind),
        col(Server.migration_status).in_(migration_status) if migration_status else None,
        _plan_filter(col(Server.effective_strategy), strategy),
        _plan_filter(col(Server.effective_wave_id), wave_id_filter(session, wave)),
        text_search(os, col(Server.os_name)),
        text_search(q, col(Server.hostname), col(Server.fqdn), col(Server.serial)),
    )
    if application:
        query = query.where(
            col(Server.id).in_(
                select(col(ServerApplication.server_id))
                .join(Application, col(Application.id) == col(ServerApplication.application_id))
                .where(func.lower(col(Application.name)) == application.lower())
            )
        )
    return sorted_page(session, query, Server, sort, SERVER_SORTS, limit, offset)


DEVICE_SORTS = (
    "id",
    "asset_tag",
    "serial",
    "hostname",
    "device_type",
    "os_name",
    "department",
    "status",
    "purchased_on",
    "last_seen_at",
    "replacement_due_on",
    "updated_at",
)


@dataclass(frozen=True)
class DeviceQuery:
    """The device list's filters; the replacement forecast takes the same ones, so its counts
    equal the list's."""

    site: str | None = None
    status: str | None = None
    device_type: str | None = None
    os: str | None = None
    department: str | None = None
    q: str | None = None
    # Due now (replacement date on or before today), or not.
    due: bool | None = None
    due_from: date | None = None
    due_before: date | None = None
    # A replacement rule among the device's reasons (estate.replacement.RULES).
    reason: str | None = None
    disposed: bool | None = None


def devices_query(session: Session, filters: DeviceQuery, today: date) -> Select[Any]:
    due_on = col(Device.replacement_due_on)
    due = None
    if filters.due is True:
        due = due_on <= today
    elif filters.due is False:
        due = or_(due_on.is_(None), due_on > today)
    disposed = None
    if filters.disposed is not None:
        disposed = (
            col(Device.disposed_on).is_not(None)
            if filters.disposed
            else col(Device.disposed_on).is_(None)
        )
    return _where(
        select(Device),
        _equals(col(Device.site_id), site_id_filter(session, filters.site)),
        _equals(col(Device.status), filters.status),
        _equals(col(Device.device_type), filters.device_type),
        text_search(filters.os, col(Device.os_name), col(Device.os_version)),
        _equals(col(Device.department), filters.department),
        text_search(filters.q, col(Device.hostname), col(Device.asset_tag), col(Device.serial)),
        due,
        None if filters.due_from is None else due_on >= filters.due_from,
        None if filters.due_before is None else due_on < filters.due_before,
        None if filters.reason is None else _has_reason(session, filters.reason),
        disposed,
    )


def _has_reason(session: Session, rule: str) -> ColumnElement[bool]:
    reasons = col(Device.replacement_reasons)
    if session.get_bind().dialect.name == "postgresql":
        return reasons.op("@>")(func.jsonb_build_array(func.jsonb_build_object("rule", rule)))
    each = func.json_each(reasons).table_valued("value")
    return exists(
        select(1).select_from(each).where(func.json_extract(each.c.value, "$.rule") == rule)
    )


def list_devices(
    session: Session,
    filters: DeviceQuery,
    today: date,
    *,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    query = devices_query(session, filters, today)
    return sorted_page(session, query, Device, sort, DEVICE_SORTS, limit, offset)


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


NETWORK_DEVICE_SORTS = ("id", "name", "device_class", "location", "status", "updated_at")


def list_network_devices(
    session: Session,
    *,
    site: str | None = None,
    device_class: str | None = None,
    status: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    query = _where(
        select(NetworkDevice),
        _equals(col(NetworkDevice.site_id), site_id_filter(session, site)),
        _equals(col(NetworkDevice.device_class), device_class),
        _equals(col(NetworkDevice.status), status),
        text_search(
            q, col(NetworkDevice.name), col(NetworkDevice.serial), col(NetworkDevice.sys_descr)
        ),
    )
    return sorted_page(session, query, NetworkDevice, sort, NETWORK_DEVICE_SORTS, limit, offset)


def list_workloads(
    session: Session,
    *,
    provider: str | None = None,
    account: str | None = None,
    region: str | None = None,
    resource_type: str | None = None,
    state: str | None = None,
    status: str | None = None,
    server: int | None = None,
    q: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    query = _where(
        select(Workload),
        _equals(col(Workload.provider), provider),
        _equals(col(Workload.account_id), account),
        _equals(col(Workload.region), region),
        _equals(col(Workload.resource_type), resource_type),
        _equals(col(Workload.state), state),
        _equals(col(Workload.status), status),
        _equals(col(Workload.migrated_from_server_id), server),
        text_search(q, col(Workload.name), col(Workload.resource_id)),
    )
    return sorted_page(session, query, Workload, sort, WORKLOAD_SORTS, limit, offset)


def list_applications(
    session: Session,
    *,
    q: str | None = None,
    criticality: str | None = None,
    strategy: str | None = None,
    wave: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    query = _where(
        select(Application),
        text_search(q, col(Application.name), col(Application.owner)),
        _equals(col(Application.criticality), criticality),
        _plan_filter(col(Application.strategy), strategy),
        _plan_filter(col(Application.wave_id), wave_id_filter(session, wave)),
    )
    sorts = ("id", "name", "owner", "criticality", "strategy", "wave_id", "target_date")
    return sorted_page(session, query, Application, sort, sorts, limit, offset)


def list_scans(
    session: Session,
    *,
    source: str | None = None,
    status: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    query = _where(
        select(ScanRun), _equals(col(ScanRun.source), source), _equals(col(ScanRun.status), status)
    )
    sorts = ("id", "source", "started_at", "finished_at", "status")
    return sorted_page(session, query, ScanRun, sort, sorts, limit, offset, default="-id")


def list_changes(
    session: Session,
    *,
    entity_kind: str | None = None,
    entity_id: int | None = None,
    field: str | None = None,
    scan_run: int | None = None,
    actor: str | None = None,
    request_id: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    query = _where(
        select(Change),
        _equals(col(Change.entity_kind), entity_kind),
        _equals(col(Change.entity_id), entity_id),
        _equals(col(Change.field), field),
        _equals(col(Change.scan_run_id), scan_run),
        _equals(col(Change.actor), actor),
        _equals(col(Change.request_id), request_id),
    )
    sorts = ("id", "at", "entity_kind", "entity_id", "field")
    return sorted_page(session, query, Change, sort, sorts, limit, offset, default="-id")


def site_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    query = select(col(Site.id), col(Site.name)).where(col(Site.id).in_(wanted))
    return {int(site_id): name for site_id, name in session.execute(query) if site_id}


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


def application_server_counts(session: Session, app_ids: Sequence[int]) -> Mapping[int, int]:
    query = (
        select(col(ServerApplication.application_id), func.count())
        .where(col(ServerApplication.application_id).in_(app_ids))
        .group_by(col(ServerApplication.application_id))
    )
    return dict(session.execute(query).all())


def observations_of(session: Session, kind: str, entity_id: int) -> list[Observation]:
    query = select(Observation).where(
        col(Observation.entity_kind) == kind, col(Observation.entity_id) == entity_id
    )
    return list(
        session.execute(
            query.order_by(col(Observation.source), col(Observation.external_id))
        ).scalars()
    )


def history_of(session: Session, kind: str, entity_id: int, limit: int = 200) -> list[Change]:
    query = select(Change).where(
        col(Change.entity_kind) == kind, col(Change.entity_id) == entity_id
    )
    return list(session.execute(query.order_by(col(Change.id).desc()).limit(limit)).scalars())


def get(session: Session, model: type[Any], entity_id: int) -> Any:
    return session.get(model, entity_id)


def linked_workloads(session: Session, server_id: int) -> list[Workload]:
    query = (
        select(Workload)
        .where(col(Workload.migrated_from_server_id) == server_id)
        .order_by(col(Workload.id))
    )
    return list(session.execute(query).scalars())
