"""What the migration-progress report says in plain English about the strategy's outcomes, a
site's exit forecast and what leaving has freed. Each sentence is built from the same figures
the API answers with (`GET /outcomes`, `/sites/{id}/forecast`, `/sites/{id}/hosting`), so the
numbers in the email are the API's."""

from __future__ import annotations

from estate.migration.forecast import Forecast
from estate.migration.hosting import Hosting
from estate.migration.outcomes import Figures


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _is(count: int) -> str:
    return "is" if count == 1 else "are"


def outcomes_sentence(f: Figures) -> str:
    if not f.workloads:
        return "No workload has been migrated yet, so no outcome can be counted."
    said = (
        f"{f.resilient:,} of {_n(f.workloads, 'migrated workload')} {_is(f.workloads)} resilient,"
        f" {f.flexible:,} flexible and {f.efficient:,} efficient;"
        f" {f.oversized:,} {_is(f.oversized)} oversized and {f.idle:,} idle."
    )
    unknown = [
        f"{label} for {count:,}"
        for label, count in (
            ("resilience", f.resilient_unknown),
            ("flexibility", f.flexible_unknown),
            ("efficiency", f.efficient_unknown),
        )
        if count
    ]
    if unknown:
        said += f" Not known yet: {', '.join(unknown)}."
    return said


def forecast_sentence(f: Forecast) -> str:
    site, left = f.site.name, f.still_to_migrate
    if not left.servers:
        return f"{site}: no server is still to migrate."
    said = (
        f"{site}: {_n(left.servers, 'server')} still to migrate"
        f" ({left.rack_units:,} rack units, {left.kw:g} kW)."
    )
    if f.planned_exit is not None:
        said += f" By the plan the last leaves on {f.planned_exit:%d %B %Y};"
    else:
        said += f" The plan gives no day ({f.plan_note.split(':')[0]});"
    if f.trend_exit is not None and f.trend_per_month is not None:
        rate = _n_float(f.trend_per_month, "server")
        said += f" at the rate achieved ({rate} a month) on {f.trend_exit:%d %B %Y}"
    else:
        said += f" the trend gives no day yet ({f.trend_note})"
    if f.behind_plan_days:
        said += f", {_n(f.behind_plan_days, 'day')} behind plan."
    elif f.behind_plan_days == 0:
        said += ", on or ahead of plan."
    else:
        said += "."
    return said


def _n_float(value: float, one: str) -> str:
    return f"{value:g} {one if value == 1 else one + 's'}"


def _moved(servers: int, units: int) -> str:
    """Servers and rack units that left (positive) or came (negative)."""
    told = _n(servers, "fewer server") if servers >= 0 else _n(-servers, "more server")
    used = f"{units:,} rack units freed" if units >= 0 else f"{-units:,} more rack units used"
    return f"{told} and {used}"


def savings_sentence(h: Hosting) -> str:
    site = h.site.name
    if h.baseline_date is None:
        return (
            f"{site}: no baseline day is set ([migration] baseline_date), so nothing freed can"
            " be counted."
        )
    if h.difference is None:
        return f"{site}: no figures are kept from on or before the baseline ({h.baseline_date})."
    d, since = h.difference, f"since the baseline ({h.baseline_date:%d %B %Y})"
    moved = _moved(-d.servers, -d.rack_units)
    if d.watts >= 0:
        more = f"{d.watts / 1000:,.1f} kW more" if d.watts > 0 else "no power"
        return f"{site}: {since}, {more} drawn; {moved}."
    return (
        f"{site}: {since}, {-d.watts / 1000:,.1f} kW less is drawn: {-d.kwh_per_year:,.0f} kWh,"
        f" £{-d.cost_per_year:,.0f} and {-d.tco2e_per_year:,.1f} tCO2e a year; {moved}."
    )
