"""The replacement forecast split by when the work falls: overdue, the rest of this UK financial
year (April to March), next financial year, and later, with counts and costs.

The forecast's quarters cannot answer this (today falls inside a quarter), so the split is one
GROUP BY over the devices: each device's period worked out by the database against the day, per
device type, because the replacement cost is the type's unit cost where there is one, else the
purchase costs known, exactly as the forecast costs it. So the four lines add up to the
forecast's count and cost under the same filters.

"Overdue" is due on or before the day: the devices list's `due=true`, one name for one fact.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import case, func, select, text
from sqlmodel import Session

from estate.config import ReplacementSettings
from estate.devices.forecast import (
    DEVICES,
    DeviceFilter,
    Forecast,
    device_filter_clauses,
    financial_year_label,
    forecast,
)
from estate.status import DeviceType

OVERDUE, THIS_YEAR, NEXT_YEAR, LATER = range(4)


class SplitLine(BaseModel):
    # overdue, this_year, next_year or later.
    period: str
    # What a person reads: "Overdue", "Rest of 2026/27", "2027/28", "2028/29 and later".
    label: str
    # The first and last day the line covers (None: unbounded).
    starts: date | None
    ends: date | None
    count: int
    cost: float
    # Devices with neither a unit cost for their type nor a purchase cost: not in `cost`.
    uncosted: int


class Split(BaseModel):
    overdue: SplitLine
    this_year: SplitLine
    next_year: SplitLine
    later: SplitLine

    def lines(self) -> list[SplitLine]:
        return [self.overdue, self.this_year, self.next_year, self.later]


class SplitForecast(Forecast):
    """The forecast, and its split as at `on` (today, or the `as_at` day)."""

    on: date
    split: Split


def financial_year_start(on: date) -> int:
    return on.year if on.month >= 4 else on.year - 1


def split(
    session: Session,
    filters: DeviceFilter,
    settings: ReplacementSettings,
    on: date,
    devices: Any = DEVICES,
) -> Split:
    """The split of the devices the filters cover as at `on`: from the devices table, or
    `devices` (the devices as at a past day, whose columns have the same names)."""
    start = financial_year_start(on)
    this_end, next_end = date(start + 1, 3, 31), date(start + 2, 3, 31)
    d = devices.c
    due = d.replacement_due_on
    period = case(
        (due <= on, OVERDUE),
        (due <= this_end, THIS_YEAR),
        (due <= next_end, NEXT_YEAR),
        else_=LATER,
    )
    query = (
        select(
            period.label("period"),
            d.device_type,
            func.count(),
            func.sum(d.purchase_cost),
            func.count(d.purchase_cost),
        )
        .where(due.is_not(None), *device_filter_clauses(filters, devices))
        # By output name, as the forecast groups: PostgreSQL matches the select list's CASE to
        # the GROUP BY's only if its bound dates are the same parameters.
        .group_by(text("period"), d.device_type)
    )
    sums = {p: [0, 0.0, 0] for p in range(4)}
    for index, kind, count, purchase_cost, costed in session.execute(query):
        unit = settings.unit_costs.get(DeviceType(kind)) if kind is not None else None
        line = sums[int(index)]
        line[0] += int(count)
        if unit is not None:
            line[1] += unit * int(count)
        else:
            line[1] += float(purchase_cost or 0.0)
            line[2] += int(count) - int(costed)

    def made(index: int, name: str, label: str, starts: date | None, ends: date | None) -> Any:
        count, cost, uncosted = sums[index]
        return SplitLine(
            period=name,
            label=label,
            starts=starts,
            ends=ends,
            count=int(count),
            cost=round(cost, 2),
            uncosted=int(uncosted),
        )

    day_after = date.fromordinal(on.toordinal() + 1)
    return Split(
        overdue=made(OVERDUE, "overdue", "Overdue", None, on),
        this_year=made(
            THIS_YEAR, "this_year", f"Rest of {financial_year_label(start)}", day_after, this_end
        ),
        next_year=made(
            NEXT_YEAR,
            "next_year",
            financial_year_label(start + 1),
            date(start + 1, 4, 1),
            next_end,
        ),
        later=made(
            LATER,
            "later",
            f"{financial_year_label(start + 2)} and later",
            date(start + 2, 4, 1),
            None,
        ),
    )


def forecast_split(
    session: Session, filters: DeviceFilter, settings: ReplacementSettings, on: date
) -> SplitForecast:
    """Today's forecast (from the buckets where it can be) with its split as at `on`."""
    found = forecast(session, filters, settings)
    return SplitForecast(on=on, split=split(session, filters, settings, on), **found.model_dump())


__all__ = ["Split", "SplitForecast", "SplitLine", "forecast_split", "split"]
