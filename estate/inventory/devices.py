"""End-user devices as readers see them: the filtered, sorted list (the replacement forecast
takes the same filters, so its counts equal the list's), one device with its observations and
history, and every matching device for a spreadsheet.

Who holds a device is personal data (UK GDPR): it is shown only to readers granted personal
data (`personal`), in the record, its history and the export alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import Field
from sqlalchemy import ColumnElement, Engine, Select, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db import kept
from estate.db.paging import (
    Page,
    Search,
    SortedQuery,
    count_of,
    equal,
    fields_of,
    order_by,
    site_id_filter,
    sort_by,
    sorted_page,
    text_search,
)
from estate.history.changes import history_of
from estate.inventory.observations import observations_of
from estate.inventory.sites import site_names
from estate.models import Device, DeviceReason, Site
from estate.models.base import table_of
from estate.models.change import ChangePublic
from estate.models.device import DevicePersonal, DevicePublic
from estate.models.observation import ObservationPublic
from estate.status import DeviceType, EntityStatus, ReplacementRule
from estate.writes import Day

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


class DeviceQuery(SortedQuery):
    """`GET /devices`: the list's filters, declared once."""

    sort: str | None = sort_by(DEVICE_SORTS)

    site: str | None = Field(default=None, description="Site id or name.")
    status: EntityStatus | None = None
    device_type: DeviceType | None = None
    os: str | None = Field(default=None, description="Operating system name or version contains.")
    department: str | None = None
    q: Search = None
    due: bool | None = Field(
        default=None, description="Due for replacement now (on or before today), or not."
    )
    due_from: Day | None = Field(default=None, description="Replacement due on or after.")
    due_before: Day | None = Field(default=None, description="Replacement due before.")
    reason: ReplacementRule | None = Field(default=None, description="A rule among its reasons.")
    disposed: bool | None = None
    windows11_ready: bool | None = Field(
        default=None,
        description="Its hardware can take Windows 11 (processor on Microsoft's lists, the"
        " minimums met), or is known not to; devices it is unknown for match neither.",
    )


class DeviceDetail(DevicePublic):
    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []


class DevicePersonalDetail(DevicePersonal):
    """For readers granted personal data: adds who holds the device."""

    observations: list[ObservationPublic] = []
    changes: list[ChangePublic] = []


def devices_query(session: Session, filters: DeviceQuery, today: date) -> Select[Any]:
    """The matching devices as rows of the table's columns (no ORM object per row)."""
    table = table_of(Device).c
    return select(*table).where(*device_filters(session, filters, today, table))


def device_filters(session: Session, filters: DeviceQuery, today: date, table: Any) -> list[Any]:
    """The query's conditions on `table`: the devices table, or the devices as at a day
    (estate.inventory.as_at), whose columns have the same names."""
    due_on = table.replacement_due_on
    due = None
    if filters.due is True:
        due = due_on <= today
    elif filters.due is False:
        due = or_(due_on.is_(None), due_on > today)
    disposed = None
    if filters.disposed is not None:
        disposed = (
            table.disposed_on.is_not(None) if filters.disposed else table.disposed_on.is_(None)
        )
    given = (
        equal(table.site_id, site_id_filter(session, filters.site)),
        equal(table.status, filters.status),
        equal(table.device_type, filters.device_type),
        text_search(filters.os, table.os_name, table.os_version),
        equal(table.department, filters.department),
        text_search(filters.q, table.hostname, table.asset_tag, table.serial),
        due,
        None if filters.due_from is None else due_on >= filters.due_from,
        None if filters.due_before is None else due_on < filters.due_before,
        None if filters.reason is None else _has_reason(session, table, filters.reason),
        disposed,
        equal(table.windows11_ready, filters.windows11_ready),
    )
    return [condition for condition in given if condition is not None]


def count_devices(session: Session, query: DeviceQuery, today: date) -> int:
    """How many devices match: the record count of an export, for the access audit."""
    return count_of(session, devices_query(session, query, today))


def _has_reason(session: Session, table: Any, rule: str) -> ColumnElement[bool]:
    """Today's devices: a lookup in device_reasons (kept with the reasons). The devices as at a
    day have only their reasons then: looked for in each one's JSON."""
    if table.id.table is table_of(Device):
        ids = col(DeviceReason.device_id)
        return table.id.in_(select(ids).where(col(DeviceReason.rule) == rule))
    reasons = table.replacement_reasons
    if session.get_bind().dialect.name == "postgresql":
        return reasons.op("@>")(func.jsonb_build_array(func.jsonb_build_object("rule", rule)))
    each = func.json_each(reasons).table_valued("value")
    return exists(
        select(1).select_from(each).where(func.json_extract(each.c.value, "$.rule") == rule)
    )


def list_devices(session: Session, query: DeviceQuery, today: date, personal: bool) -> Page:
    """A page of devices as this reader may see them; kept (estate.db.kept) unless it shows
    who holds them."""
    if personal:
        return _list_devices(session, query, today, personal)
    key = ("devices", query.model_dump_json(), today)
    return kept.page(session, key, lambda: _list_devices(session, query, today, personal))


def _list_devices(session: Session, query: DeviceQuery, today: date, personal: bool) -> Page:
    found = devices_query(session, query, today)
    page = sorted_page(session, found, table_of(Device).c, query, DEVICE_SORTS, rows=True)
    sites = site_names(session, {d.site_id for d in page.items})
    items = [public(d, sites, personal) for d in page.items]
    return page.with_items(items)


def public(device: Any, sites: dict[int, str], personal: bool) -> DevicePublic:
    """The device (a row or an entity) as this reader may see it: with who holds it only if
    granted personal data."""
    site = sites.get(device.site_id) if device.site_id else None
    shape = DevicePersonal if personal else DevicePublic
    fields = fields_of(device)
    if not personal:
        fields.pop("assigned_to", None)
    return shape.model_validate(fields | {"site": site})


def device_detail(
    session: Session, device_id: int, personal: bool
) -> DevicePersonalDetail | DeviceDetail | None:
    device = session.get(Device, device_id)
    if device is None:
        return None
    shape = DevicePersonalDetail if personal else DeviceDetail
    return shape.model_validate(
        public(device, site_names(session, {device.site_id}), personal).model_dump()
        | {
            "observations": observations_of(session, "device", device_id),
            "changes": history_of(session, "device", device_id, personal=personal),
        }
    )


def export_rows(
    engine: Engine, query: DeviceQuery, today: date, personal: bool
) -> Iterator[dict[str, Any]]:
    """Every matching device as a row for a spreadsheet, read in batches on a session of its
    own that lives as long as the download streams. The filters are checked now, so a bad one
    is refused before a streamed response starts."""
    with Session(engine) as session:
        found = devices_query(session, query, today)
        ordered = found.order_by(*order_by(table_of(Device).c, query.sort, DEVICE_SORTS))

    def rows() -> Iterator[dict[str, Any]]:
        with Session(engine) as session:
            sites = {
                int(i): n for i, n in session.execute(select(col(Site.id), col(Site.name))) if i
            }
            for device in session.execute(ordered.execution_options(yield_per=1000)):
                row = public(device, sites, personal).model_dump()
                row["reasons"] = [r["detail"] for r in row.get("replacement_reasons") or []]
                yield row

    return rows()
