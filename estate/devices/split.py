"""The replacement forecast split by when the work falls: overdue, the rest of this UK financial
year (April to March), next financial year, and later, with counts and costs.

The forecast's quarters answer every quarter but the one the day falls in: where the forecast
reads its buckets, so does the split, and only the devices due in the day's own quarter are
counted from the devices table (a range on the indexed due date); otherwise it is one GROUP BY
over the devices. Either way each line is summed per device type, because the replacement cost
is the type's unit cost where there is one, else the purchase costs known, exactly as the
forecast costs it. So the four lines add up to the forecast's count and cost under the same
filters.

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
    bucket_groups,
    device_filter_clauses,
    forecast,
    quarter_bounds,
)
from estate.devices.quarters import financial_year_label, period_of
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


Sums = dict[int, list[Any]]


def split(
    session: Session,
    filters: DeviceFilter,
    settings: ReplacementSettings,
    on: date,
    devices: Any = DEVICES,
) -> Split:
    """The split of the devices the filters cover as at `on`: from the buckets and the day's
    quarter of the devices table, or from `devices` (the devices as at a past day, whose
    columns have the same names) alone."""
    start = financial_year_start(on)
    this_end, next_end = _year_ends(on)
    sums: Sums = {p: [0, 0.0, 0] for p in range(4)}
    bounds = quarter_bounds(filters) if devices is DEVICES else None
    if bounds is None:
        _add_devices(session, filters, settings, on, devices, sums, only_period=None)
    else:
        current = period_of(on)
        groups, _undated = bucket_groups(session, filters, bounds)
        for period, _department, kind, count, purchase_cost, costed in groups:
            if period != current:
                line = _line_of(_period_end(int(period)), on, this_end, next_end)
                _add(sums[line], settings, kind, count, purchase_cost, costed)
        _add_devices(session, filters, settings, on, devices, sums, only_period=current)

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


def _add_devices(
    session: Session,
    filters: DeviceFilter,
    settings: ReplacementSettings,
    on: date,
    devices: Any,
    sums: Sums,
    only_period: int | None,
) -> None:
    """Each device's line worked out by the database against the day, summed per type; only
    those due in `only_period` (a quarter, as due_period numbers them) where one is given."""
    this_end, next_end = _year_ends(on)
    d = devices.c
    due = d.replacement_due_on
    period = case(
        (due <= on, OVERDUE),
        (due <= this_end, THIS_YEAR),
        (due <= next_end, NEXT_YEAR),
        else_=LATER,
    )
    within = [] if only_period is None else [due.between(*_period_days(only_period))]
    query = (
        select(
            period.label("period"),
            d.device_type,
            func.count(),
            func.sum(d.purchase_cost),
            func.count(d.purchase_cost),
        )
        .where(due.is_not(None), *within, *device_filter_clauses(filters, devices))
        # By output name, as the forecast groups: PostgreSQL matches the select list's CASE to
        # the GROUP BY's only if its bound dates are the same parameters.
        .group_by(text("period"), d.device_type)
    )
    for index, kind, count, purchase_cost, costed in session.execute(query):
        _add(sums[int(index)], settings, kind, count, purchase_cost, costed)


def _add(
    line: list[Any],
    settings: ReplacementSettings,
    kind: str | None,
    count: Any,
    purchase_cost: Any,
    costed: Any,
) -> None:
    unit = settings.unit_costs.get(DeviceType(kind)) if kind is not None else None
    line[0] += int(count)
    if unit is not None:
        line[1] += unit * int(count)
    else:
        line[1] += float(purchase_cost or 0.0)
        line[2] += int(count) - int(costed or 0)


def _year_ends(on: date) -> tuple[date, date]:
    """The last days of this financial year and the next."""
    start = financial_year_start(on)
    return date(start + 1, 3, 31), date(start + 2, 3, 31)


def _period_days(period: int) -> tuple[date, date]:
    """The first and last day of a quarter numbered as due_period numbers them."""
    start_year, index = divmod(period, 4)
    first = date(start_year + (index == 3), (4 + 3 * index - 1) % 12 + 1, 1)
    return first, _period_end(period)


def _period_end(period: int) -> date:
    start_year, index = divmod(period, 4)
    ends = ((6, 30), (9, 30), (12, 31), (3, 31))
    month, day = ends[index]
    return date(start_year + (index == 3), month, day)


def _line_of(quarter_end: date, on: date, this_end: date, next_end: date) -> int:
    """The line of a whole quarter other than the day's: all of it falls on one side."""
    if quarter_end <= on:
        return OVERDUE
    if quarter_end <= this_end:
        return THIS_YEAR
    return NEXT_YEAR if quarter_end <= next_end else LATER


def forecast_split(
    session: Session, filters: DeviceFilter, settings: ReplacementSettings, on: date
) -> SplitForecast:
    """Today's forecast (from the buckets where it can be) with its split as at `on`."""
    found = forecast(session, filters, settings)
    return SplitForecast(on=on, split=split(session, filters, settings, on), **found.model_dump())


__all__ = ["Split", "SplitForecast", "SplitLine", "forecast_split", "split"]
