"""When a site will hold no server still to migrate: by the plan (each server leaves when its
wave's planned end comes) and by the trend (the rate actually achieved over the last
`[outcomes] trend_days` of the site's daily snapshots), month by month, in servers, rack units
and kW, with the day each says the last one goes.

`baseline_servers` is how many were still to migrate on the first snapshot kept on or after
`[migration] baseline_date`: where the lines started.

The plan has no day while any server still to migrate has no wave with a planned end; the trend
has none until two snapshots a week or more apart exist, or while the count is not falling. In
either case the answer says why, and no date is made up. The trend is the least-squares slope
of the servers still to migrate per day over the window; rack units and kW follow it in
proportion to the servers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Float, and_, cast, func, select
from sqlalchemy.orm import Session

from estate.config import OutcomesSettings
from estate.migration.progress import MIGRATED, SETTLED, SNAPSHOTS, figures
from estate.models import Server, Site, Wave
from estate.models.base import table_of
from estate.models.site import SitePublic
from estate.status import EntityStatus, MigrationStatus, ServerKind

SERVERS = table_of(Server)
WAVES = table_of(Wave)
# A trend needs snapshots at least this far apart; a projection stops this many months out.
MIN_TREND_DAYS = 7
MAX_MONTHS = 60


class Projection(BaseModel):
    servers: int
    rack_units: int
    kw: float


class Month(BaseModel):
    """What the site would still hold at the end of the month, by the plan and by the trend."""

    month: date
    plan: Projection
    trend: Projection | None


class Forecast(BaseModel):
    site: SitePublic
    on: date
    still_to_migrate: Projection
    baseline_date: date | None
    baseline_servers: int | None
    planned_exit: date | None
    plan_note: str
    trend_exit: date | None
    # Servers still to migrate leaving per 30 days at the rate achieved; None without a trend.
    trend_per_month: float | None
    trend_note: str
    # How many days after the planned exit the trend's comes; 0 when on or ahead of plan.
    behind_plan_days: int | None
    months: list[Month]


@dataclass(frozen=True)
class Left:
    """A server still to migrate: when its wave is planned to end, and what it takes up."""

    leaves_on: date | None
    rack_units: int
    watts: float


def forecast(
    session: Session,
    site_id: int,
    settings: OutcomesSettings,
    today: date,
    baseline_date: date | None = None,
    tables: tuple[Any, Any] = (SERVERS, WAVES),
) -> Forecast | None:
    """The site's exit forecast on `today`, from `tables` (the servers and waves, or the same
    as at a past day) and the snapshots kept up to `today`."""
    site = session.get(Site, site_id)
    if site is None:
        return None
    left = _still_to_migrate(session, site_id, settings, *tables)
    now = _projection(left)
    planned, plan_note = _planned_exit(left)
    slope, trend_note = _trend(session, site_id, settings.trend_days, today)
    trend_exit = None
    if slope is not None and now.servers:
        trend_exit = today + timedelta(days=math.ceil(now.servers / -slope))
    elif slope is not None:
        trend_exit = today
    behind = None
    if planned is not None and trend_exit is not None:
        behind = max(0, (trend_exit - planned).days)
    return Forecast(
        site=SitePublic.model_validate(site),
        on=today,
        still_to_migrate=now,
        baseline_date=baseline_date,
        baseline_servers=_at_baseline(session, site_id, baseline_date, today),
        planned_exit=planned,
        plan_note=plan_note,
        trend_exit=trend_exit,
        trend_per_month=round(-slope * 30, 2) if slope is not None else None,
        trend_note=trend_note,
        behind_plan_days=behind,
        months=_months(left, now, slope, today, [d for d in (planned, trend_exit) if d]),
    )


def _still_to_migrate(
    session: Session, site_id: int, settings: OutcomesSettings, servers: Any, waves: Any
) -> list[Left]:
    s = servers.c
    physical = s.kind == ServerKind.PHYSICAL
    assumed = float(settings.default_watts.get(ServerKind.PHYSICAL, 0.0))
    done = sorted(str(status) for status in MIGRATED | SETTLED)
    query = (
        select(
            waves.c.planned_end,
            func.coalesce(s.rack_units, 0),
            func.coalesce(cast(s.power_watts, Float), assumed),
            physical,
        )
        .select_from(servers.outerjoin(waves, waves.c.id == s.effective_wave_id))
        .where(
            s.site_id == site_id,
            s.status != EntityStatus.GONE,
            s.migration_status.not_in(done),
        )
    )
    return [
        Left(end, int(units) if is_physical else 0, float(watts) if is_physical else 0.0)
        for end, units, watts, is_physical in session.execute(query)
    ]


def _projection(left: Sequence[Left]) -> Projection:
    return Projection(
        servers=len(left),
        rack_units=sum(server.rack_units for server in left),
        kw=round(sum(server.watts for server in left) / 1000, 3),
    )


def _planned_exit(left: Sequence[Left]) -> tuple[date | None, str]:
    if not left:
        return None, "no server is still to migrate"
    unplanned = sum(1 for server in left if server.leaves_on is None)
    if unplanned:
        return None, (
            f"{unplanned} of {len(left)} servers still to migrate have no wave with a planned"
            " end: the plan gives no day"
        )
    planned = max(server.leaves_on for server in left if server.leaves_on is not None)
    return planned, f"the last wave of the {len(left)} servers still to migrate ends then"


def _kept(session: Session, site_id: int, *where: Any) -> list[tuple[date, int]]:
    """The site's snapshots asked for: servers still to migrate per day, oldest first."""
    query = select(SNAPSHOTS.c.day, SNAPSHOTS.c.status, SNAPSHOTS.c.servers).where(
        and_(SNAPSHOTS.c.dimension == "site", SNAPSHOTS.c.key == str(site_id)), *where
    )
    days: dict[date, dict[MigrationStatus, int]] = defaultdict(dict)
    for day, status, servers in session.execute(query):
        days[day][MigrationStatus(status)] = servers
    return sorted((day, figures(counts).remaining) for day, counts in days.items())


def _at_baseline(
    session: Session, site_id: int, baseline_date: date | None, today: date
) -> int | None:
    if baseline_date is None:
        return None
    first = (
        select(func.min(SNAPSHOTS.c.day))
        .where(SNAPSHOTS.c.dimension == "site", SNAPSHOTS.c.key == str(site_id))
        .where(SNAPSHOTS.c.day >= baseline_date, SNAPSHOTS.c.day <= today)
        .scalar_subquery()
    )
    kept = _kept(session, site_id, SNAPSHOTS.c.day == first)
    return kept[0][1] if kept else None


def _trend(
    session: Session, site_id: int, window_days: int, today: date
) -> tuple[float | None, str]:
    """The least-squares slope (servers still to migrate per day) over the window's snapshots."""
    start = today - timedelta(days=window_days)
    points = _kept(session, site_id, SNAPSHOTS.c.day >= start, SNAPSHOTS.c.day <= today)
    if len(points) < 2 or (points[-1][0] - points[0][0]).days < MIN_TREND_DAYS:
        return None, f"fewer than {MIN_TREND_DAYS} days of snapshots in the last {window_days}"
    slope = _slope([((day - points[0][0]).days, float(value)) for day, value in points])
    first, last = points[0][1], points[-1][1]
    span = f"{first} to {last} over {(points[-1][0] - points[0][0]).days} days"
    if slope >= 0:
        return None, f"not falling ({span}): the trend gives no day"
    return slope, f"the rate achieved: {span}"


def _slope(points: Sequence[tuple[int, float]]) -> float:
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def _months(
    left: Sequence[Left],
    now: Projection,
    slope: float | None,
    today: date,
    exits: Sequence[date],
) -> list[Month]:
    last = max(exits, default=today)
    months: list[Month] = []
    end = _month_end(today)
    while len(months) < MAX_MONTHS:
        planned = _projection([s for s in left if s.leaves_on is None or s.leaves_on > end])
        months.append(
            Month(month=end.replace(day=1), plan=planned, trend=_along(now, slope, today, end))
        )
        if end >= last:
            break
        end = _month_end(end + timedelta(days=1))
    return months


def _along(now: Projection, slope: float | None, today: date, end: date) -> Projection | None:
    if slope is None:
        return None
    servers = max(0.0, now.servers + slope * (end - today).days)
    share = servers / now.servers if now.servers else 0.0
    return Projection(
        servers=math.ceil(servers),
        rack_units=math.ceil(now.rack_units * share),
        kw=round(now.kw * share, 3),
    )


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
