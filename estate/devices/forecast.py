"""The replacement forecast: devices falling due, and what replacing them costs, per UK financial
year (April to March) and quarter, by department and device type.

Counted by the database, never by loading devices into Python: from the buckets
`refresh_replacement` keeps (a few thousand rows however large the estate), or, when a due-date
bound falls inside a quarter, with one GROUP BY over the devices. `device_filter_clauses` is
shared with the device list, so a forecast's counts add up to the list filtered the same way
(its `undated` devices included).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, func, or_, select, text
from sqlmodel import Session, col

from estate.config import ReplacementSettings
from estate.db.paging import site_id_filter
from estate.devices.quarters import due_period, financial_year_label, period_of
from estate.models.base import table_of
from estate.models.device import Device, DeviceReplacementBucket
from estate.status import DeviceType, EntityStatus
from estate.writes import Day

DEVICES = table_of(Device)


class DeviceFilter(BaseModel):
    """Which devices a forecast (or the device list) covers."""

    model_config = ConfigDict(extra="forbid")

    department: str | None = None
    device_type: DeviceType | None = None
    site_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    # True: only devices whose date a person set; False: only the policy's.
    explicit: bool | None = None
    # Gone (no source has seen it past the grace period) and disposed-of devices are left out
    # unless asked for.
    include_gone: bool = False
    include_disposed: bool = False


class ForecastQuery(BaseModel):
    """`GET /devices/replacement-forecast`: the device list's filters that a forecast takes."""

    department: str | None = None
    device_type: DeviceType | None = None
    site: str | None = Field(default=None, description="Site id or name.")
    due_from: Day | None = Field(default=None, description="Due on or after.")
    due_before: Day | None = Field(default=None, description="Due before.")

    def filter(self, session: Session) -> DeviceFilter:
        return DeviceFilter(
            department=self.department,
            device_type=self.device_type,
            site_id=site_id_filter(session, self.site),
            due_from=self.due_from,
            due_to=self.due_before - timedelta(days=1) if self.due_before else None,
        )


def device_filter_clauses(
    filters: DeviceFilter, devices: Any = DEVICES
) -> list[ColumnElement[bool]]:
    """The filters on `devices`: the table, or the devices as at a past day."""
    d = devices.c
    clauses: list[ColumnElement[bool]] = []
    if filters.department is not None:
        clauses.append(d.department == filters.department)
    if filters.device_type is not None:
        clauses.append(d.device_type == filters.device_type)
    if filters.site_id is not None:
        clauses.append(d.site_id == filters.site_id)
    if filters.due_from is not None:
        clauses.append(d.replacement_due_on >= filters.due_from)
    if filters.due_to is not None:
        clauses.append(d.replacement_due_on <= filters.due_to)
    if filters.explicit is not None:
        clauses.append(d.replacement_explicit == filters.explicit)
    if not filters.include_gone:
        clauses.append(d.status != EntityStatus.GONE)
    if not filters.include_disposed:
        clauses.append(d.disposed_on.is_(None))
    return clauses


class ForecastRow(BaseModel):
    financial_year: str
    quarter: str
    department: str | None
    device_type: DeviceType | None
    count: int
    cost: float
    # Devices with neither a unit cost for their type nor a purchase cost: not in `cost`.
    uncosted: int


class YearTotal(BaseModel):
    financial_year: str
    count: int
    cost: float
    uncosted: int


class Windows11Readiness(BaseModel):
    """Of the Windows devices the filters cover (an OS naming Windows, or none known), how many
    can take Windows 11 by their processor and the minimums, how many cannot, and how many no
    source says enough about (estate.devices.policy.windows11_ready)."""

    ready: int
    not_ready: int
    unknown: int


class Forecast(BaseModel):
    rows: list[ForecastRow]
    years: list[YearTotal]
    count: int
    cost: float
    uncosted: int
    # Devices the filters cover that no rule has given a date.
    undated: int
    windows11: Windows11Readiness | None = None


def forecast(
    session: Session,
    filters: DeviceFilter,
    settings: ReplacementSettings,
    *,
    from_buckets: bool | None = None,
    devices: Any = None,
) -> Forecast:
    """The forecast for the devices the filters cover.

    Read from the buckets refresh_replacement keeps (fast) unless a due-date bound falls inside
    a quarter, which only the devices table can answer; `from_buckets` forces either way.
    `devices`: counted from these (the devices as at a past day), never the buckets.
    """
    bounds = quarter_bounds(filters)
    if from_buckets is None:
        from_buckets = bounds is not None and devices is None
    if from_buckets and bounds is None:
        raise ValueError("due_from/due_to must fall on financial quarter boundaries")
    if from_buckets:
        assert bounds is not None
        groups, undated = bucket_groups(session, filters, bounds)
        readiness = bucket_readiness(session, filters, bounds)
    else:
        groups, undated = _device_groups(session, filters, DEVICES if devices is None else devices)
        readiness = windows11_readiness(session, filters, devices)
    summary = _summarise([_row(group, settings) for group in groups], undated)
    summary.windows11 = readiness
    return summary


def counted_for_windows11(ready: Any, os_name: Any) -> ColumnElement[bool]:
    """Whether readiness counts a device: one whose readiness is known, or whose OS names
    Windows or is not known (a device no source names the OS of may well run it)."""
    return or_(ready.is_not(None), os_name.is_(None), func.lower(os_name).like("%windows%"))


def windows11_readiness(
    session: Session, filters: DeviceFilter, devices: Any = None
) -> Windows11Readiness:
    """One grouped count of the devices table (or the devices as at a past day: readiness is
    recorded in the change log like the replacement dates)."""
    table = DEVICES if devices is None else devices
    d = table.c
    query = (
        select(d.windows11_ready, func.count())
        .where(
            *device_filter_clauses(filters, table),
            counted_for_windows11(d.windows11_ready, d.os_name),
        )
        .group_by(d.windows11_ready)
    )
    return _readiness(session.execute(query))


def bucket_readiness(
    session: Session, filters: DeviceFilter, bounds: tuple[int | None, int | None]
) -> Windows11Readiness:
    """windows11_readiness from the buckets: equal to it whenever bucket_groups can answer."""
    bucket = DeviceReplacementBucket
    ready = col(bucket.windows11_ready)
    query = (
        select(ready, func.sum(col(bucket.devices)))
        .where(
            col(bucket.windows11_counted).is_(True),
            *_period_clauses(bounds),
            *_bucket_clauses(filters),
        )
        .group_by(ready)
    )
    return _readiness(session.execute(query))


def _readiness(counted: Iterable[Any]) -> Windows11Readiness:
    counts = {ready: int(n or 0) for ready, n in counted}
    return Windows11Readiness(
        ready=counts.get(True, 0), not_ready=counts.get(False, 0), unknown=counts.get(None, 0)
    )


_QUARTER_STARTS = {(4, 1), (7, 1), (10, 1), (1, 1)}
_QUARTER_ENDS = {(6, 30), (9, 30), (12, 31), (3, 31)}


def quarter_bounds(filters: DeviceFilter) -> tuple[int | None, int | None] | None:
    """The first and last period the due-date filters cover, or None if they split a quarter."""
    low = high = None
    if filters.due_from is not None:
        if (filters.due_from.month, filters.due_from.day) not in _QUARTER_STARTS:
            return None
        low = period_of(filters.due_from)
    if filters.due_to is not None:
        if (filters.due_to.month, filters.due_to.day) not in _QUARTER_ENDS:
            return None
        high = period_of(filters.due_to)
    return low, high


Group = tuple[int, str | None, str | None, int, float | None, int]


def _device_groups(
    session: Session, filters: DeviceFilter, devices: Any
) -> tuple[list[Group], int]:
    d = devices.c
    due = d.replacement_due_on
    clauses = device_filter_clauses(filters, devices)
    query = (
        select(
            due_period(due).label("period"),
            d.department,
            d.device_type,
            func.count(),
            func.sum(d.purchase_cost),
            func.count(d.purchase_cost),
        )
        .where(due.is_not(None), *clauses)
        # By output name: repeating the expression would repeat its bound constants, which
        # PostgreSQL then cannot match between the select list and the GROUP BY.
        .group_by(text("period"), d.department, d.device_type)
        .order_by(text("period"), d.department.nulls_first(), d.device_type.nulls_first())
    )
    groups: list[Group] = [tuple(row) for row in session.execute(query)]
    undated = (
        session.scalar(select(func.count()).select_from(devices).where(due.is_(None), *clauses))
        or 0
    )
    return groups, undated


def bucket_groups(
    session: Session, filters: DeviceFilter, bounds: tuple[int | None, int | None]
) -> tuple[list[Group], int]:
    bucket = DeviceReplacementBucket
    period = col(bucket.period)
    clauses = _bucket_clauses(filters)
    dated = [period.is_not(None), *_period_clauses(bounds)]
    query = (
        select(
            period,
            col(bucket.department),
            col(bucket.device_type),
            func.sum(col(bucket.devices)),
            func.sum(col(bucket.purchase_cost)),
            func.sum(col(bucket.costed)),
        )
        .where(*dated, *clauses)
        .group_by(period, col(bucket.department), col(bucket.device_type))
        .order_by(
            period, col(bucket.department).nulls_first(), col(bucket.device_type).nulls_first()
        )
    )
    groups = [tuple(row) for row in session.execute(query)]
    undated = 0
    if bounds == (None, None):
        total = select(func.sum(col(bucket.devices))).where(period.is_(None), *clauses)
        undated = session.scalar(total) or 0
    return groups, int(undated)


def _period_clauses(bounds: tuple[int | None, int | None]) -> list[ColumnElement[bool]]:
    """The quarters a forecast's due-date bounds cover (none: every bucket, undated too)."""
    period = col(DeviceReplacementBucket.period)
    low, high = bounds
    clauses: list[ColumnElement[bool]] = []
    if low is not None:
        clauses.append(period >= low)
    if high is not None:
        clauses.append(period <= high)
    return clauses


def _bucket_clauses(filters: DeviceFilter) -> list[ColumnElement[bool]]:
    """device_filter_clauses, but on the buckets' columns."""
    bucket = DeviceReplacementBucket
    clauses: list[ColumnElement[bool]] = []
    if filters.department is not None:
        clauses.append(col(bucket.department) == filters.department)
    if filters.device_type is not None:
        clauses.append(col(bucket.device_type) == filters.device_type)
    if filters.site_id is not None:
        clauses.append(col(bucket.site_id) == filters.site_id)
    if filters.explicit is not None:
        clauses.append(col(bucket.explicit) == filters.explicit)
    if not filters.include_gone:
        clauses.append(col(bucket.gone).is_(False))
    if not filters.include_disposed:
        clauses.append(col(bucket.disposed).is_(False))
    return clauses


def _row(group: Group, settings: ReplacementSettings) -> ForecastRow:
    """One group's count and cost: the unit cost for its type, else the purchase costs known."""
    period, department, kind, count, purchase_cost, costed = group
    unit = settings.unit_costs.get(DeviceType(kind)) if kind is not None else None
    if unit is not None:
        cost, uncosted = unit * int(count), 0
    else:
        cost, uncosted = float(purchase_cost or 0.0), int(count) - int(costed)
    return ForecastRow(
        financial_year=financial_year_label(int(period) // 4),
        quarter=f"Q{int(period) % 4 + 1}",
        department=department,
        device_type=kind,
        count=int(count),
        cost=round(cost, 2),
        uncosted=uncosted,
    )


def _summarise(rows: list[ForecastRow], undated: int) -> Forecast:
    years: dict[str, list[float]] = {}
    for row in rows:
        total = years.setdefault(row.financial_year, [0, 0.0, 0])
        total[0] += row.count
        total[1] += row.cost
        total[2] += row.uncosted
    return Forecast(
        rows=rows,
        years=[
            YearTotal(
                financial_year=year, count=int(count), cost=round(cost, 2), uncosted=int(uncosted)
            )
            for year, (count, cost, uncosted) in years.items()
        ],
        count=sum(r.count for r in rows),
        cost=round(sum(r.cost for r in rows), 2),
        uncosted=sum(r.uncosted for r in rows),
        undated=undated,
    )


__all__ = [
    "DeviceFilter",
    "Forecast",
    "ForecastRow",
    "Windows11Readiness",
    "YearTotal",
    "bucket_readiness",
    "counted_for_windows11",
    "device_filter_clauses",
    "forecast",
    "windows11_readiness",
]
