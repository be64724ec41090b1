"""The replacement forecast: devices falling due, and what replacing them costs, per UK financial
year (April to March) and quarter, by department and device type.

Counted by the database (one GROUP BY over the indexed replacement_due_on), never by loading
devices into Python. `device_filter_clauses` is shared with the device list, so a forecast's
counts add up to the list filtered the same way (its `undated` devices included).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, case, extract, func, select, text
from sqlmodel import Session, col

from estate.models.device import Device
from estate.models.status import DeviceType, EntityStatus
from estate.replacement.policy import ReplacementSettings


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


def device_filter_clauses(filters: DeviceFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.department is not None:
        clauses.append(col(Device.department) == filters.department)
    if filters.device_type is not None:
        clauses.append(col(Device.device_type) == filters.device_type)
    if filters.site_id is not None:
        clauses.append(col(Device.site_id) == filters.site_id)
    if filters.due_from is not None:
        clauses.append(col(Device.replacement_due_on) >= filters.due_from)
    if filters.due_to is not None:
        clauses.append(col(Device.replacement_due_on) <= filters.due_to)
    if filters.explicit is not None:
        clauses.append(col(Device.replacement_explicit) == filters.explicit)
    if not filters.include_gone:
        clauses.append(col(Device.status) != EntityStatus.GONE)
    if not filters.include_disposed:
        clauses.append(col(Device.disposed_on).is_(None))
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


class Forecast(BaseModel):
    rows: list[ForecastRow]
    years: list[YearTotal]
    count: int
    cost: float
    uncosted: int
    # Devices the filters cover that no rule has given a date.
    undated: int


def financial_year_label(start_year: int) -> str:
    """The UK financial year starting in April of `start_year`: 2026 -> "2026/27"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_quarter(on: date) -> tuple[str, str]:
    """The financial year and quarter a date falls in: 2027-01-15 -> ("2026/27", "Q4")."""
    start = on.year if on.month >= 4 else on.year - 1
    return financial_year_label(start), f"Q{(on.month - 4) % 12 // 3 + 1}"


def forecast(session: Session, filters: DeviceFilter, settings: ReplacementSettings) -> Forecast:
    due = col(Device.replacement_due_on)
    month = extract("month", due)
    start_year = (extract("year", due) - case((month < 4, 1), else_=0)).label("fy")
    quarter = case((month < 4, 4), (month < 7, 1), (month < 10, 2), else_=3).label("q")
    cost = _cost_expression(settings)
    clauses = device_filter_clauses(filters)
    query = (
        select(
            start_year,
            quarter,
            col(Device.department),
            col(Device.device_type),
            func.count().label("n"),
            func.coalesce(func.sum(cost), 0.0).label("cost"),
            func.sum(case((cost.is_(None), 1), else_=0)).label("uncosted"),
        )
        .where(due.is_not(None), *clauses)
        # By output name: repeating the expressions would repeat their bound constants, which
        # PostgreSQL then cannot match between the select list and the GROUP BY.
        .group_by(text("fy"), text("q"), col(Device.department), col(Device.device_type))
    )
    rows = [_row(r) for r in session.execute(query)]
    rows.sort(key=lambda r: (r.financial_year, r.quarter, r.department or "", r.device_type or ""))
    undated = session.scalar(select(func.count()).where(due.is_(None), *clauses)) or 0
    return _summarise(rows, undated)


def _cost_expression(settings: ReplacementSettings) -> ColumnElement[Any]:
    """The configured unit cost for the device's type, else what the device cost to buy."""
    purchase = col(Device.purchase_cost)
    if not settings.unit_costs:
        return purchase
    whens = [
        (col(Device.device_type) == kind, float(cost)) for kind, cost in settings.unit_costs.items()
    ]
    return case(*whens, else_=purchase)


def _row(result: Any) -> ForecastRow:
    return ForecastRow(
        financial_year=financial_year_label(int(result.fy)),
        quarter=f"Q{int(result.q)}",
        department=result.department,
        device_type=result.device_type,
        count=int(result.n),
        cost=round(float(result.cost), 2),
        uncosted=int(result.uncosted or 0),
    )


def _summarise(rows: list[ForecastRow], undated: int) -> Forecast:
    years: dict[str, YearTotal] = {}
    for row in rows:
        total = years.setdefault(
            row.financial_year,
            YearTotal(financial_year=row.financial_year, count=0, cost=0.0, uncosted=0),
        )
        total.count += row.count
        total.cost = round(total.cost + row.cost, 2)
        total.uncosted += row.uncosted
    return Forecast(
        rows=rows,
        years=list(years.values()),
        count=sum(r.count for r in rows),
        cost=round(sum(r.cost for r in rows), 2),
        uncosted=sum(r.uncosted for r in rows),
        undated=undated,
    )


__all__ = [
    "DeviceFilter",
    "Forecast",
    "ForecastRow",
    "YearTotal",
    "device_filter_clauses",
    "financial_quarter",
    "financial_year_label",
    "forecast",
]
